"""Site-wide pages (about, downloads) and the helpers every public page shares: `as_of` and the 400 page."""

import datetime

from django.shortcuts import render

from jurisdictions.models import Jurisdiction, StatusChange
from tracker.asof import BadDate, parse_day


class BadParameter(ValueError):
    """A query parameter the page cannot answer; the message is shown to the reader on the 400 page."""


def requested_day(request, name: str = "as_of") -> datetime.date | None:
    """The date in `?<name>=`, or None when absent; BadParameter with the reason when malformed."""
    try:
        return parse_day(request.GET.get(name), name=name)
    except BadDate as error:
        raise BadParameter(str(error)) from None


def bad_request(request, error):
    return render(request, "400.html", {"message": str(error)}, status=400)


def about(request):
    """Method, sources and their limits, the disputed dates and the historical units (three queries)."""
    disputed = (
        StatusChange.objects.disputed()
        .select_related("jurisdiction__state", "source")
        .order_by("jurisdiction__state__name", "jurisdiction__name")
    )
    historical = (
        Jurisdiction.objects.exclude(change_note="")
        .select_related("state", "status_from")
        .prefetch_related("replaced_by")
        .order_by("state__name", "fips")
    )
    context = {
        "disputed": list(disputed),
        "historical": list(historical),
    }
    return render(request, "tracker/about.html", context)


def downloads(request):
    """Bulk files (the API's exports), a data dictionary, licence and citation; no database query."""
    return render(request, "tracker/downloads.html", {"today": datetime.date.today()})
