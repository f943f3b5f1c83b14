"""Site-wide views: the home page (national map, headline, rollout chart) and the lookup box's suggestions."""

import datetime
import gzip
import hashlib
import json
from collections import OrderedDict
from functools import lru_cache, wraps

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from agreements.models import Event
from jurisdictions.models import Jurisdiction, State, suggest
from jurisdictions.search import fold
from tracker import geometry
from tracker import map as county_maps
from tracker.api import data_version
from tracker.asof import BadDate, parse_day

SUGGEST_LIMIT = 10
# The first activation in the data; the date control starts here.
FIRST_ACTIVATION = datetime.date(2008, 10, 27)


def _bad_request(request, error):
    return render(request, "400.html", {"message": str(error)}, status=400)


def _gzipped(view):
    """Gzip the page at level 4: the 3,142 county paths (about 1 MB) compress to about 240 KB in about 10 ms,
    where Django's gzip_page (level 6) takes over 150 ms on this markup for 8% fewer bytes.

    The page holds nothing secret (no CSRF token, no session data), so compression leaks nothing (BREACH).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, ["Accept-Encoding"])
        if (
            response.status_code == 200
            and not response.streaming
            and not response.has_header("Content-Encoding")
            and "gzip" in request.headers.get("Accept-Encoding", "")
        ):
            response.content = gzip.compress(response.content, compresslevel=4, mtime=0)
            response["Content-Encoding"] = "gzip"
            response["Content-Length"] = str(len(response.content))
        return response

    return wrapper


# Rendered home pages by (data version, date shown, today): repeat visits cost one query and no rendering.
_PAGE_CACHE: OrderedDict[tuple, bytes] = OrderedDict()
_PAGE_CACHE_SIZE = 16


def clear_page_cache() -> None:
    _PAGE_CACHE.clear()


@_gzipped
@require_safe
def home(request):
    try:
        as_of = parse_day(request.GET.get("as_of"))
    except BadDate as error:
        return _bad_request(request, error)
    today = datetime.date.today()
    day = as_of or today
    if settings.DEBUG or request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        # Signed-in editors always get a fresh page, in case the layout ever shows them something of their own;
        # so do developers (DEBUG), whose template edits would otherwise wait for a restart.
        return _render_home(request, as_of, day, today)
    _, version = data_version()
    key = (version, day.isoformat(), today.isoformat())
    etag = 'W/"' + hashlib.sha256("|".join(key).encode()).hexdigest()[:32] + '"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    elif key in _PAGE_CACHE:
        _PAGE_CACHE.move_to_end(key)
        response = HttpResponse(_PAGE_CACHE[key])
    else:
        response = _render_home(request, as_of, day, today)
        _PAGE_CACHE[key] = response.content
        while len(_PAGE_CACHE) > _PAGE_CACHE_SIZE:
            _PAGE_CACHE.popitem(last=False)
    response["ETag"] = etag
    # Browsers revalidate every time (cheap: one query and a 304); the page changes when the data or the day do.
    response["Cache-Control"] = "no-cache"
    return response


def _render_home(request, as_of, day, today):
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
        # Tick marks on the date slider: days since the first activation.
        "event_ticks": [
            ((event.occurred_on - first).days, event) for event in events if first <= event.occurred_on <= today
        ],
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


@require_safe
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


@lru_cache(maxsize=1)
def _wgs84_gzip() -> bytes:
    return gzip.compress(_wgs84_json(), compresslevel=9, mtime=0)


@require_safe
@cache_control(max_age=86400, public=True)
def counties_wgs84(request):
    """Outlines fetched only when a reader presses "use my location"; the lookup then happens in the browser."""
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(_wgs84_gzip(), content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(_wgs84_json(), content_type="application/json")
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
