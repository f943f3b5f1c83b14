"""Site-wide views: the home page (national map, headline, rollout chart) and the lookup box's suggestions."""

import datetime
import json
from functools import lru_cache

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from agreements.models import Event
from jurisdictions.models import Jurisdiction, State, suggest
from jurisdictions.search import fold
from tracker import geometry
from tracker import map as county_maps
from tracker.asof import BadDate, parse_day

SUGGEST_LIMIT = 10
# The first activation in the data; the date control starts here.
FIRST_ACTIVATION = datetime.date(2008, 10, 27)


def _bad_request(request, error):
    return render(request, "400.html", {"message": str(error)}, status=400)


# The county paths are most of the page: compress them (about 1 MB of markup becomes about 200 KB).
@gzip_page
@require_GET
def home(request):
    try:
        as_of = parse_day(request.GET.get("as_of"))
    except BadDate as error:
        return _bad_request(request, error)
    today = datetime.date.today()
    day = as_of or today
    national = county_maps.county_map(day)
    counts = Jurisdiction.objects.counts(day)
    events = list(Event.objects.key_events().select_related("state"))
    first = min((unit.activated_on for unit in national.units if unit.activated_on), default=FIRST_ACTIVATION)
    chart = county_maps.rollout(national, events)
    context = {
        "as_of": as_of,
        "day": day,
        "today": today,
        "first_activation": first,
        "map": national,
        "counts": counts,
        "state_rows": county_maps.state_rows(national),
        "events": events,
        "chart": chart,
        "chart_now": chart.x(day),
        "map_data": county_maps.client_data(national, events),
    }
    return render(request, "tracker/home.html", context)


def _state_matches(query: str, states) -> list:
    wanted = fold(query)
    if not wanted:
        return []
    exact = [s for s in states if wanted in (s.postal.lower(), fold(s.name))]
    prefix = [s for s in states if s not in exact and fold(s.name).startswith(wanted) and len(wanted) > 1]
    return exact + prefix


@require_GET
@cache_control(max_age=60, public=True)
def search_suggest(request):
    """Lookup suggestions: `{"results": [jurisdictions], "states": [states]}` for `?q=` (three queries at most)."""
    query = request.GET.get("q", "").strip()[:100]
    if not query:
        return JsonResponse({"results": [], "states": []})
    results = [
        {
            "fips": unit.fips,
            "name": unit.name,
            "state": unit.state.postal,
            "label": f"{unit.name}, {unit.state.name}" + ("" if unit.on_current_map else " (former unit)"),
            "url": unit.get_absolute_url(),
        }
        for unit in suggest(query, limit=SUGGEST_LIMIT)
    ]
    states = []
    if not query.isdigit():
        states = [
            {"postal": state.postal, "name": state.name, "label": state.name, "url": state.get_absolute_url()}
            for state in _state_matches(query, State.objects.order_by("name"))
        ]
    elif len(query) <= 2:
        states = [
            {"postal": s.postal, "name": s.name, "label": s.name, "url": s.get_absolute_url()}
            for s in State.objects.filter(fips=query.zfill(2))
        ]
    return JsonResponse({"results": results, "states": states})


@lru_cache(maxsize=1)
def _wgs84_json() -> bytes:
    """County outlines for "use my location": ``{fips: [name, [[ring], ...]]}``, each ring flat and delta-encoded.

    Coordinates are integer 1/10,000 degrees (about 10 m), each ring ``[x0, y0, dx1, dy1, ...]``: a third of
    the GeoJSON's size, and all the browser needs for a point-in-polygon test.
    """
    names = dict(Jurisdiction.objects.on_map().values_list("fips", "name"))
    state_names = dict(State.objects.values_list("fips", "name"))
    out = {}
    for fips, geometry_ in geometry.county_geojson_geometries().items():
        if fips not in names:
            continue
        polygons = geometry_["coordinates"] if geometry_["type"] == "MultiPolygon" else [geometry_["coordinates"]]
        rings = []
        for polygon in polygons:
            for ring in polygon:
                flat, px, py = [], 0, 0
                for lon, lat in ring:
                    x, y = round(lon * 10000), round(lat * 10000)
                    flat += [x - px, y - py]
                    px, py = x, y
                rings.append(flat)
        out[fips] = [f"{names[fips]}, {state_names.get(fips[:2], '')}", rings]
    return json.dumps(out, separators=(",", ":")).encode()


@gzip_page
@require_GET
@cache_control(max_age=86400, public=True)
def counties_wgs84(request):
    """Outlines fetched only when a reader presses "use my location"; the lookup then happens in the browser."""
    return HttpResponse(_wgs84_json(), content_type="application/json")
