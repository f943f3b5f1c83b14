"""Public pages for jurisdictions and states, answered from the read-model snapshot for `?as_of=` (default today).

The list filters with the same FilterSet as the API (jurisdictions/filters.py), so a page and its JSON or CSV
twin always hold the same rows.
"""

from collections import Counter

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.api.filters import filterset_params
from common.params import PAGE, Word
from common.public import bad_request, public_page
from jurisdictions import unit_set
from jurisdictions.filters import JurisdictionFilter
from jurisdictions.models import DocumentType, SourceDocument, Status
from jurisdictions.search.explain import explain
from jurisdictions.unit_markup import state_map, unit_table_rows

PAGE_SIZE = 100


def _activation_key(row):
    return row.standing.activated_on


def _place_key(row):
    return (row.unit.state.name, row.unit.name, row.unit.fips)


# `sort=` values: label and key; a None activation date sorts last either way, and FIPS breaks every tie.
SORTS = {
    "state": (gettext_lazy("State, then name"), None),
    "name": (gettext_lazy("Name"), lambda row: (row.unit.name, row.unit.state.name, row.unit.fips)),
    "date": (gettext_lazy("Activation date, earliest first"), "date"),
    "-date": (gettext_lazy("Activation date, latest first"), "-date"),
    "fips": (gettext_lazy("FIPS code"), lambda row: row.unit.fips),
}
DEFAULT_SORT = "state"
# The filters a link to another page of the list keeps: every declared one but the page, the sort and the release.
FILTERS = tuple(name for name in JurisdictionFilter.base_filters if name != "as_of")


def _sorted(rows, sort: str):
    if sort == DEFAULT_SORT:
        # A search keeps its best-match-first order unless another sort is asked for.
        return rows
    if sort in ("date", "-date"):
        dated = sorted((row for row in rows if _activation_key(row)), key=_place_key)
        dated.sort(key=_activation_key, reverse=sort == "-date")
        return dated + [row for row in rows if not _activation_key(row)]
    return sorted(rows, key=SORTS[sort][1])


def _query(request, **override) -> str:
    """The list's canonical query (state codes in capitals, names sorted), with `override`; a page 1 and the
    default sort are left out."""
    override = {name: None if value in (1, DEFAULT_SORT) else value for name, value in override.items()}
    return request.reading.query(drop=("page", "sort", "release"), **override)


def _filter_errors(errors) -> str:
    return " ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())


@public_page(page=PAGE, sort=Word(tuple(SORTS), default=DEFAULT_SORT), **filterset_params(JurisdictionFilter))
def jurisdiction_list(request):
    snapshot, day = request.snapshot, request.day
    filterset = JurisdictionFilter(request.GET, queryset=snapshot.scoped_rows(day, "all"), snapshot=snapshot, day=day)
    if not filterset.is_valid():
        return bad_request(request, _filter_errors(filterset.errors))
    sort, number = request.reading.params["sort"], request.reading.params["page"]
    rows = _sorted(filterset.qs, sort)
    paginator = Paginator(rows, PAGE_SIZE)
    try:
        page = paginator.page(number)
    except EmptyPage:
        if number != 1:
            raise Http404(_("There is no such page for these filters.")) from None
        page = paginator.page(1)
    filters = filterset.form.cleaned_data
    filter_query = _query(request)
    search = filterset.search_result
    context = {
        "page": page,
        "states": list(snapshot.states.values()),
        "filters": {
            "state": filters.get("state") or [],
            "status": (filters.get("status") or [""])[0],
            "q": filters.get("q") or "",
            "sort": sort,
        },
        "statuses": Status.choices,
        # What the name matcher made of `q`: the states it names, notes, closest names when nothing matched, and
        # why each row matched (a name, a place in it, a ZIP code ...).
        "search": search,
        "page_rows": _with_reasons(page, search),
        "shared_source": _shared_source(page),
        "did_you_mean": _did_you_mean(search),
        # Said beside the search box, where the eye is (on a phone the table is below the fold).
        "search_found_nothing": search is not None and not search.places,
        "sorts": [(value, label) for value, (label, _) in SORTS.items()],
        "as_of": request.as_of,
        "day": day,
        "is_filtered": any(request.reading.params[name] is not None for name in FILTERS),
        "csv_url": "/api/v1/jurisdictions/?format=csv" + (f"&{filter_query}" if filter_query else ""),
        "json_url": "/api/v1/jurisdictions/" + (f"?{filter_query}" if filter_query else ""),
        "previous_url": "?" + _query(request, sort=sort, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next_url": "?" + _query(request, sort=sort, page=page.next_page_number()) if page.has_next() else "",
        "sort_urls": {value: "?" + _query(request, sort=value) for value in SORTS},
        # The date column's header flips between earliest and latest first.
        "activated_sort_url": "?" + _query(request, sort="-date" if sort == "date" else "date"),
    }
    return render(request, "jurisdictions/jurisdiction_list.html", context)


def _shared_source(page):
    """The source most rows of the page cite (the county dataset): cited once above the table, not on every row."""
    sources = Counter(row.standing.change.source for row in page if row.standing.change)
    if not sources:
        return None
    source, count = sources.most_common(1)[0]
    return source if count > 1 else None


def _with_reasons(page, search) -> list:
    """(row, why it matched or None) for each row of the page: a reason only for a search."""
    if search is None:
        return [(row, None) for row in page]
    reasons = search.reasons()
    return [(row, explain(reasons.get(row.unit.fips), row.unit.name)) for row in page]


def _did_you_mean(search) -> list:
    """(unit, the place it was suggested for or "") for a search that found nothing."""
    if search is None:
        return []
    whys = search.did_you_mean_why
    return [
        (place, whys[position].name if position < len(whys) and whys[position].by == "place" else "")
        for position, place in enumerate(search.did_you_mean)
    ]


def _state_rows(snapshot, postal, day):
    return snapshot.rows(day, snapshot.units_by_state.get(postal, []))


def _not_yet_sourced(snapshot, postal):
    """The state's first activation when it came before ICE's rescission with no agreement on record, else None."""
    rescission = snapshot.rescission
    return snapshot.agreement_not_yet_sourced(postal, rescission.occurred_on) if rescission else None


def _agreements(snapshot, postal, day):
    return [
        (agreement, snapshot.agreement_status(agreement, day), agreement.status_display_on(day))
        for agreement in snapshot.agreements_by_state.get(postal, [])
    ]


@public_page
def jurisdiction_detail(request, fips):
    snapshot, day = request.snapshot, request.day
    row = snapshot.row(fips, day)
    if row is None:
        later = unit_set.later_code(fips)
        if later is None:
            raise Http404("No jurisdiction has this FIPS code.")
        return _later_code(request, later)
    jurisdiction = row.unit
    successors = snapshot.successors(jurisdiction)
    # A retired unit has no shape today: highlight the unit(s) that now cover its area instead.
    current = {jurisdiction.fips} | {unit.fips for unit in successors}
    ever = jurisdiction.standing_on()
    context = {
        "jurisdiction": jurisdiction,
        "row": row,
        "successors": successors,
        "as_of": request.as_of,
        "day": day,
        "status_today": Status(ever.status).label,
        "status_as_of": Status(row.standing.status).label,
        "activated_on": row.standing.activated_on,
        "activated_ever": ever.activated_on,
        "agreements": [(agreement, label) for agreement, _, label in _agreements(snapshot, jurisdiction.state_id, day)],
        "agreement_not_yet_sourced": _not_yet_sourced(snapshot, jurisdiction.state_id),
        "rescission": snapshot.rescission,
        "state_map": state_map(
            jurisdiction.state, _state_rows(snapshot, jurisdiction.state_id, day), day, request.as_of, current
        ),
        "map_caption": _detail_map_caption(jurisdiction, successors),
        "vintage": _vintage(snapshot, jurisdiction),
        "census_changes_url": unit_set.CENSUS_CHANGES_URL,
        "map_highlight_label": _("This jurisdiction") if jurisdiction.on_current_map else _("Its area today"),
    }
    return render(request, "jurisdictions/jurisdiction_detail.html", context)


def _vintage(snapshot, unit) -> dict | None:
    """For a code whose unit changed (Census county change list): the year, and how it stands to the program."""
    year = unit_set.code_year(unit.fips)
    if year is None:
        return None
    units = unit_set.unit_set(snapshot)
    return {
        "year": year,
        "older": unit_set.older_than_program(unit.fips),
        "phantom": any(unit is other for other, _ in units.phantom),
    }


def _later_code(request, later):
    """A code created after the program (Alaska 2019, Connecticut 2022): what it is and which units of
    2008-2013 hold its area. Not a unit of the program: no status, never counted."""
    snapshot = request.snapshot
    context = {
        "later": later,
        "state": snapshot.states.get(later.state),
        "covers": [snapshot.units[fips] for fips in later.covers if fips in snapshot.units],
        "census_changes_url": unit_set.CENSUS_CHANGES_URL,
        "as_of": request.as_of,
    }
    return render(request, "jurisdictions/later_code.html", context)


def _detail_map_caption(jurisdiction, successors) -> str:
    state = jurisdiction.state.name
    if jurisdiction.on_current_map:
        return _("%(state)s: %(name)s highlighted") % {"state": state, "name": jurisdiction.name}
    names = _(" and ").join(unit.name for unit in successors)
    return _("%(state)s: the area of %(name)s, today %(today)s, highlighted") % {
        "state": state,
        "name": jurisdiction.name,
        "today": names or _("not on the map"),
    }


def _headline(snapshot, day) -> dict:
    counts = snapshot.state_counts(day)
    return {
        "activated_jurisdictions": sum(row.activated for row in counts.values()),
        "total_jurisdictions": sum(row.total for row in counts.values()),
        "states_with_activated_jurisdictions": sum(1 for row in counts.values() if row.activated),
    }


@public_page
def state_list(request):
    snapshot, day = request.snapshot, request.day
    states = [
        {
            "state": row.state,
            "total": row.total,
            "activated": row.activated,
            "fully_activated_on": row.fully_activated_on,
            "agreements": _agreements(snapshot, postal, day),
            "agreement_not_yet_sourced": _not_yet_sourced(snapshot, postal),
        }
        for postal, row in snapshot.state_counts(day).items()
    ]
    context = {
        "as_of": request.as_of,
        "day": day,
        "states": states,
        "counts": _headline(snapshot, day),
        "states_fully_activated": sum(1 for row in states if row["fully_activated_on"]),
    }
    return render(request, "jurisdictions/state_list.html", context)


@public_page
def state_detail(request, postal):
    if postal != postal.upper() and len(postal) == 2:
        query = request.reading.canonical
        return redirect(f"/states/{postal.upper()}/" + (f"?{query}" if query else ""), permanent=True)
    snapshot, day = request.snapshot, request.day
    state = snapshot.states.get(postal)
    if state is None:
        raise Http404("No state has this postal code.")
    rows = _state_rows(snapshot, postal, day)
    counted = [row for row in rows if row.unit.in_dataset]
    counts = snapshot.state_counts(day)[postal]
    context = {
        "state": state,
        "as_of": request.as_of,
        "day": day,
        "rows": counted,
        "table_rows": unit_table_rows(counted, request.as_of),
        "activated_count": counts.activated,
        "fully_activated_on": counts.fully_activated_on,
        "agreements": [(agreement, label) for agreement, _, label in _agreements(snapshot, postal, day)],
        "agreement_not_yet_sourced": _not_yet_sourced(snapshot, postal),
        "rescission": snapshot.rescission,
        "events": [event for event in snapshot.events if event.state_id == postal],
        "state_map": state_map(state, rows, day, request.as_of),
        "map_caption": _("%(state)s: jurisdictions by status") % {"state": state.name},
    }
    return render(request, "jurisdictions/state_detail.html", context)


# The archived document is the uploader's bytes: never run as a page of this site. The sandbox gives it an opaque
# origin (no cookies, no script, no forms) even where a browser shows it; HTML is only ever a download.
DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'none'"


def source_document(request, pk):
    """The document behind source `pk`, exactly as kept (readers check it against its SHA-256)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    document = SourceDocument.objects.filter(pk=pk).first()
    if document is None:
        raise Http404("This source has no archived document.")
    etag = f'"{document.sha256}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(bytes(document.content), content_type=document.media_type)
    extension = "pdf" if document.media_type == DocumentType.PDF else "html"
    disposition = "inline" if document.media_type == DocumentType.PDF else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="source-{document.pk}-{document.sha256[:12]}.{extension}"'
    )
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOCUMENT_CSP
    response["X-Frame-Options"] = "DENY"
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "public, max-age=3600"
    return response
