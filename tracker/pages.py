"""Site-wide pages (about, downloads) and the 400 page every public page shares."""

from django.shortcuts import render

from tracker.http_cache import public_page


def bad_request(request, error):
    """The 400 page, with the reason shown to the reader."""
    return render(request, "400.html", {"message": str(error)}, status=400)


@public_page
def about(request):
    """Method, sources and their limits, the disputed dates and the historical units (from the snapshot)."""
    snapshot = request.snapshot
    disputed = [
        (unit, change)
        for unit in snapshot.ordered_units
        if not unit.status_from_id
        for change in snapshot.timelines[unit.fips]
        if change.is_disputed
    ]
    historical = sorted(
        (unit for unit in snapshot.units.values() if unit.change_note), key=lambda unit: (unit.state.name, unit.fips)
    )
    return render(request, "tracker/about.html", {"disputed": disputed, "historical": historical})


@public_page
def downloads(request):
    """Bulk files (the API's exports), a data dictionary, licence and citation."""
    return render(request, "tracker/downloads.html", {"today": request.day})
