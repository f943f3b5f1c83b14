"""Public pages for jurisdictions and states. Every page answers for `?as_of=YYYY-MM-DD` (default today)."""

import datetime
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, F, Max, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from agreements.models import Agreement, Event
from jurisdictions.models import Jurisdiction, State, Status
from tracker import geometry
from tracker.pages import BadParameter, bad_request, requested_day

PAGE_SIZE = 100

# `sort=` values and their ORDER BY; the trailing FIPS code makes every order total, so pages never shuffle.
SORTS = {
    "state": ("State, then name", ["state__name", "name", "fips"]),
    "name": ("Name", ["name", "state__name", "fips"]),
    "date": (
        "Activation date, earliest first",
        [F("activated_on").asc(nulls_last=True), "state__name", "name", "fips"],
    ),
    "-date": (
        "Activation date, latest first",
        [F("activated_on").desc(nulls_last=True), "state__name", "name", "fips"],
    ),
    "fips": ("FIPS code", ["fips"]),
}
DEFAULT_SORT = "state"

# The list's filters, in the order the API takes them; the CSV link repeats exactly these.
FILTER_NAMES = ("state", "status", "as_of", "q", "activated_after", "activated_before")


def _list_filters(request, states):
    """Validated filters from the query string; BadParameter with a reader-facing reason otherwise."""
    as_of = requested_day(request)
    after = requested_day(request, "activated_after")
    before = requested_day(request, "activated_before")
    if after and before and after > before:
        raise BadParameter("activated_after must be on or before activated_before.")
    postal = request.GET.get("state", "").strip().upper()
    if postal and postal not in {state.postal for state in states}:
        raise BadParameter(f"Unknown state '{postal[:10]}': use a two-letter postal code such as TX.")
    status = request.GET.get("status", "").strip()
    if status and status not in Status.values:
        raise BadParameter(f"Unknown status '{status[:20]}': use one of {', '.join(Status.values)}.")
    sort = request.GET.get("sort", "").strip() or DEFAULT_SORT
    if sort not in SORTS:
        raise BadParameter(f"Unknown sort '{sort[:20]}': use one of {', '.join(SORTS)}.")
    page = request.GET.get("page", "").strip() or "1"
    if not page.isdigit() or int(page) < 1:
        raise BadParameter(f"page must be a whole number from 1; got '{page[:20]}'.")
    return {
        "as_of": as_of,
        "activated_after": after,
        "activated_before": before,
        "state": postal,
        "status": status,
        "q": request.GET.get("q", "").strip()[:100],
        "sort": sort,
        "page": int(page),
    }


def _query_string(filters, **override) -> str:
    """The list's filters (plus overrides) as a query string, empty values left out."""
    values = {**filters, **override}
    pairs = []
    for name in (*FILTER_NAMES, "sort", "page"):
        value = values.get(name)
        if isinstance(value, datetime.date):
            value = value.isoformat()
        if name == "sort" and value == DEFAULT_SORT or name == "page" and value == 1:
            continue
        if value:
            pairs.append((name, value))
    return urlencode(pairs)


def jurisdiction_list(request):
    states = list(State.objects.order_by("name"))
    try:
        filters = _list_filters(request, states)
    except BadParameter as error:
        return bad_request(request, error)
    day = filters["as_of"] or datetime.date.today()

    jurisdictions = Jurisdiction.objects.counted().with_status(day).for_pages().with_history()
    if filters["state"]:
        jurisdictions = jurisdictions.in_state(filters["state"])
    if filters["status"]:
        jurisdictions = jurisdictions.filter(status=filters["status"])
    if filters["activated_after"]:
        jurisdictions = jurisdictions.filter(activated_on__gte=filters["activated_after"])
    if filters["activated_before"]:
        jurisdictions = jurisdictions.filter(activated_on__lte=filters["activated_before"])
    if filters["q"]:
        jurisdictions = jurisdictions.matching(filters["q"])
    jurisdictions = jurisdictions.order_by(*SORTS[filters["sort"]][1])

    paginator = Paginator(jurisdictions, PAGE_SIZE)
    try:
        page = paginator.page(filters["page"])
    except EmptyPage:
        if filters["page"] != 1:
            raise Http404("There is no such page for these filters.") from None
        page = paginator.page(1)
    plain_filters = {name: filters[name] for name in FILTER_NAMES}
    filter_query = _query_string(plain_filters)
    context = {
        "page": page,
        "states": states,
        "filters": filters,
        "statuses": Status.choices,
        "sorts": [(value, label) for value, (label, _) in SORTS.items()],
        "as_of": filters["as_of"],
        "day": day,
        "is_filtered": any(plain_filters[name] for name in FILTER_NAMES if name != "as_of"),
        "csv_url": "/api/v1/jurisdictions/?format=csv" + (f"&{filter_query}" if filter_query else ""),
        "json_url": "/api/v1/jurisdictions/" + (f"?{filter_query}" if filter_query else ""),
        "previous_url": "?" + _query_string(filters, page=page.previous_page_number()) if page.has_previous() else "",
        "next_url": "?" + _query_string(filters, page=page.next_page_number()) if page.has_next() else "",
        "sort_urls": {value: "?" + _query_string(filters, sort=value, page=1) for value in SORTS},
        # The date column's header flips between earliest and latest first.
        "activated_sort_url": "?"
        + _query_string(filters, sort="-date" if filters["sort"] == "date" else "date", page=1),
    }
    return render(request, "jurisdictions/jurisdiction_list.html", context)


def _state_map(state, units, current=()):
    """Rows for the state map partial: one shape per unit on today's map, coloured by its status on the day."""
    paths = geometry.county_svg_paths()
    shapes = [
        {
            "fips": unit.fips,
            "name": unit.name,
            "status": unit.status,
            "status_label": Status(unit.status).label,
            "d": paths[unit.fips],
            "current": unit.fips in current,
            "url": unit.get_absolute_url(),
        }
        for unit in units
        if unit.fips in paths
    ]
    # The highlighted shapes are drawn last, so their outline is not hidden under a neighbour's.
    shapes.sort(key=lambda shape: shape["current"])
    try:
        view_box = geometry.state_view_box(state.fips)
    except KeyError:
        return None
    return {"shapes": shapes, "view_box": view_box, "state": state}


def jurisdiction_detail(request, fips):
    try:
        as_of = requested_day(request)
    except BadParameter as error:
        return bad_request(request, error)
    day = as_of or datetime.date.today()
    jurisdiction = get_object_or_404(
        Jurisdiction.objects.select_related("state", "status_from__state").with_history(), fips=fips
    )
    agreements = list(Agreement.objects.filter(state=jurisdiction.state).for_pages())
    neighbours = Jurisdiction.objects.in_state(jurisdiction.state_id).on_map().with_status(day).order_by("fips")
    # A retired unit has no shape today: highlight the unit(s) that now cover its area instead.
    current = {jurisdiction.fips} | {unit.fips for unit in jurisdiction.replaced_by.all()}
    context = {
        "jurisdiction": jurisdiction,
        "as_of": as_of,
        "day": day,
        "today": datetime.date.today(),
        "status_today": Status(jurisdiction.status_on()).label,
        "status_as_of": Status(jurisdiction.status_on(day)).label,
        "activated_on": jurisdiction.activated_on_as_of(day),
        "activated_ever": jurisdiction.activated_on_as_of(),
        "agreements": [(agreement, agreement.status_display_on(day)) for agreement in agreements],
        "state_map": _state_map(jurisdiction.state, neighbours, current),
        "map_caption": _detail_map_caption(jurisdiction),
        "map_highlight_label": "This jurisdiction" if jurisdiction.on_current_map else "Its area today",
    }
    return render(request, "jurisdictions/jurisdiction_detail.html", context)


def _detail_map_caption(jurisdiction) -> str:
    state = jurisdiction.state.name
    if jurisdiction.on_current_map:
        return f"{state}: {jurisdiction.name} highlighted"
    successors = " and ".join(unit.name for unit in jurisdiction.replaced_by.all())
    return f"{state}: the area of {jurisdiction.name}, today {successors or 'not on the map'}, highlighted"


def _fully_activated_on(total: int, activated: int, last: datetime.date | None) -> datetime.date | None:
    """The day a state's last counted unit was activated, if every unit was active by then; else None."""
    return last if total and activated == total else None


def state_list(request):
    try:
        as_of = requested_day(request)
    except BadParameter as error:
        return bad_request(request, error)
    day = as_of or datetime.date.today()
    activated = Q(status=Status.ACTIVATED)
    rows = (
        Jurisdiction.objects.counted()
        .with_status(day)
        .order_by()
        .values("state")
        .annotate(total=Count("fips"), activated=Count("fips", filter=activated), last=Max("activated_on"))
    )
    counts = {row["state"]: row for row in rows}
    agreements_by_state: dict[str, list] = {}
    for agreement in Agreement.objects.for_pages():
        agreements_by_state.setdefault(agreement.state_id, []).append(
            (agreement, agreement.status_on(day), agreement.status_display_on(day))
        )
    states = []
    for state in State.objects.order_by("name"):
        row = counts.get(state.postal, {"total": 0, "activated": 0, "last": None})
        states.append(
            {
                "state": state,
                "total": row["total"],
                "activated": row["activated"],
                "fully_activated_on": _fully_activated_on(row["total"], row["activated"], row["last"]),
                "agreements": agreements_by_state.get(state.postal, []),
            }
        )
    context = {
        "as_of": as_of,
        "day": day,
        "states": states,
        "counts": Jurisdiction.objects.counts(day),
        "states_fully_activated": sum(1 for row in states if row["fully_activated_on"]),
    }
    return render(request, "jurisdictions/state_list.html", context)


def state_detail(request, postal):
    try:
        as_of = requested_day(request)
    except BadParameter as error:
        return bad_request(request, error)
    day = as_of or datetime.date.today()
    if postal != postal.upper() and len(postal) == 2:
        target = f"/states/{postal.upper()}/"
        return redirect(target + ("?" + request.GET.urlencode() if request.GET else ""), permanent=True)
    state = get_object_or_404(
        State.objects.prefetch_related(
            Prefetch("agreements", queryset=Agreement.objects.for_pages()),
        ),
        postal=postal,
    )
    # One query gives both the counted units (the table) and today's map units (the map).
    units = list(Jurisdiction.objects.in_state(postal).with_status(day).for_pages())
    jurisdictions = [unit for unit in units if unit.in_dataset]
    activated = [unit for unit in jurisdictions if unit.status == Status.ACTIVATED]
    last = max((unit.activated_on for unit in activated), default=None)
    events = Event.objects.for_state(postal).prefetch_related("sources").order_by("occurred_on", "pk")
    context = {
        "state": state,
        "as_of": as_of,
        "day": day,
        "jurisdictions": jurisdictions,
        "activated_count": len(activated),
        "fully_activated_on": _fully_activated_on(len(jurisdictions), len(activated), last),
        "agreements": [(agreement, agreement.status_display_on(day)) for agreement in state.agreements.all()],
        "events": list(events),
        "state_map": _state_map(state, sorted((u for u in units if u.on_current_map), key=lambda u: u.fips)),
        "map_caption": f"{state.name}: jurisdictions by status on {day:%-d %B %Y}",
    }
    return render(request, "jurisdictions/state_detail.html", context)
