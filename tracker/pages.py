"""Site-wide pages: about (method, sources, disputed dates, historical units) and downloads."""

from django.shortcuts import render

from tracker.public import public_page


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
