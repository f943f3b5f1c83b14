"""Public pages for jurisdictions and states. Every page answers for `?as_of=YYYY-MM-DD` (default today)."""

import datetime

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from agreements.models import Agreement
from jurisdictions.models import Jurisdiction, State, Status
from tracker.asof import BadDate, parse_day

PAGE_SIZE = 100


def _as_of(request):
    """The requested date, or today; a bad value renders a 400 page saying why."""
    return parse_day(request.GET.get("as_of"))


def _bad_request(request, error):
    return render(request, "400.html", {"message": str(error)}, status=400)


def jurisdiction_list(request):
    try:
        as_of = _as_of(request)
    except BadDate as error:
        return _bad_request(request, error)
    day = as_of or datetime.date.today()
    states = list(State.objects.order_by("name"))
    postal = request.GET.get("state", "").upper()
    status = request.GET.get("status", "")
    if postal and postal not in {state.postal for state in states}:
        return _bad_request(request, f"Unknown state '{postal[:10]}': use a two-letter postal code such as TX.")
    if status and status not in Status.values:
        return _bad_request(request, f"Unknown status '{status[:20]}': use one of {', '.join(Status.values)}.")

    jurisdictions = Jurisdiction.objects.counted().with_status(day).for_pages().with_history()
    if postal:
        jurisdictions = jurisdictions.in_state(postal)
    if status:
        jurisdictions = jurisdictions.filter(status=status)
    page = Paginator(jurisdictions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "states": states,
        "selected_state": postal,
        "selected_status": status,
        "statuses": Status.choices,
        "as_of": as_of,
        "day": day,
    }
    return render(request, "jurisdictions/jurisdiction_list.html", context)


def jurisdiction_detail(request, fips):
    try:
        as_of = _as_of(request)
    except BadDate as error:
        return _bad_request(request, error)
    day = as_of or datetime.date.today()
    jurisdiction = get_object_or_404(
        Jurisdiction.objects.select_related("state", "status_from__state").with_history(), fips=fips
    )
    agreements = list(Agreement.objects.filter(state=jurisdiction.state).for_pages())
    context = {
        "jurisdiction": jurisdiction,
        "as_of": as_of,
        "day": day,
        "today": datetime.date.today(),
        "status_today": Status(jurisdiction.status_on()).label,
        "status_as_of": Status(jurisdiction.status_on(day)).label,
        "activated_on": jurisdiction.activated_on_as_of(day),
        "agreements": [(agreement, agreement.status_display_on(day)) for agreement in agreements],
    }
    return render(request, "jurisdictions/jurisdiction_detail.html", context)


def state_detail(request, postal):
    try:
        as_of = _as_of(request)
    except BadDate as error:
        return _bad_request(request, error)
    day = as_of or datetime.date.today()
    if postal != postal.upper():
        raise Http404("State codes are upper case, e.g. /states/TX/.")
    state = get_object_or_404(
        State.objects.prefetch_related(
            Prefetch("agreements", queryset=Agreement.objects.for_pages()),
        ),
        postal=postal,
    )
    jurisdictions = list(Jurisdiction.objects.counted().in_state(postal).with_status(day).for_pages())
    activated = [j for j in jurisdictions if j.status == Status.ACTIVATED]
    context = {
        "state": state,
        "as_of": as_of,
        "day": day,
        "jurisdictions": jurisdictions,
        "activated_count": len(activated),
        "agreements": [(agreement, agreement.status_display_on(day)) for agreement in state.agreements.all()],
    }
    return render(request, "jurisdictions/state_detail.html", context)
