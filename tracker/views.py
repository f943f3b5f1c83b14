"""Site-wide views: the home page (national map, headline, rollout chart), lookup suggestions and the outlines
for "use my location". All answer from the read-model snapshot (readmodel/snapshot.py)."""

import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import EventKind
from common import geometry
from common.dates import us_today
from common.params import Text
from common.public import public_page
from jurisdictions.search.explain import matched
from tracker import map as county_maps
from tracker import pictures

SUGGEST_LIMIT = 10
MAX_QUERY_LENGTH = 100


# Short names of the program's later eras for the marks at the end of the date slider (the full sentence is said
# above the map for the day shown).
ERA_MARKS = {
    "discontinued": gettext_lazy("program discontinued (PEP)"),
    "reinstated": gettext_lazy("program reinstated"),
}


@public_page
def home(request):
    snapshot, day = request.snapshot, request.day
    # Without a date the page tells the story: every county coloured by the half-year it was activated in. With
    # ?as_of= it shows who was activated on that day, as before.
    story = request.as_of is None
    national = county_maps.county_map(snapshot, day, by_period=story)
    events = [event for event in snapshot.events if event.kind != EventKind.OTHER]
    first = min((unit.activated_on for unit in national.units if unit.activated_on), default=day)
    chart = county_maps.rollout(national, events)
    counted = [unit for unit in national.units if unit.counted]
    activated = [unit for unit in counted if unit.fips in national.activated_fips]
    context = {
        "as_of": request.as_of,
        "day": day,
        "today": us_today(),
        "first_activation": first,
        "map": national,
        "counts": {
            "activated_jurisdictions": len(activated),
            "total_jurisdictions": len(counted),
            "states_with_activated_jurisdictions": len({unit.state_fips for unit in activated}),
        },
        "state_rows": county_maps.state_rows(national),
        "events": events,
        "chart": chart,
        # Tick marks on the date slider: days since the first activation.
        "event_ticks": [((event.occurred_on - first).days, event) for event in events if first <= event.occurred_on],
        "chart_now": chart.x(day),
        "map_data": county_maps.client_data(national, events, snapshot.program_events),
        "story": story,
        "key_days": county_maps.key_days(snapshot, national.units),
        # The program's later eras (discontinued 2014, reinstated 2017), marked after the slider's end.
        "eras": [
            {"day": event.occurred_on, "label": ERA_MARKS.get(snapshot.program_status(event.occurred_on).code, "")}
            for event in snapshot.program_events
        ],
    }
    return render(request, "tracker/home.html", context)


@public_page(json_errors=True, q=Text(max_length=MAX_QUERY_LENGTH))
def search_suggest(request):
    """Lookup suggestions: `{"results": [jurisdictions], "states": [states]}` for `?q=` (best first), with labels
    and links in the page's language (`/es/search/suggest` answers in Spanish)."""
    snapshot = request.snapshot
    query = request.reading.params["q"] or ""
    if not query:
        return JsonResponse({"results": [], "states": [], "did_you_mean": [], "notes": []})
    found = snapshot.matcher.search(query, limit=SUGGEST_LIMIT)
    results = []
    reasons = found.reasons()
    for fips in found.fips:
        unit = snapshot.units[fips]
        results.append(
            {
                "fips": unit.fips,
                "name": unit.name,
                "state": unit.state_id,
                "label": f"{unit.name}, {unit.state.name}" + ("" if unit.on_current_map else _(" (former unit)")),
                "url": unit.get_absolute_url(),
                # Why it is suggested: its name, a place in it ("Chicago, IL is a place in Cook County."), a ZIP code.
                "matched": matched(reasons.get(fips), unit.name),
            }
        )
    states = [
        {
            "postal": state.postal,
            "name": state.name,
            "label": state.name,
            "url": reverse("jurisdictions:state_detail", args=[state.postal]),
        }
        for state in found.states
    ]
    whys = found.did_you_mean_why + (None,) * len(found.did_you_mean)
    did_you_mean = [
        {
            "fips": place.fips,
            "name": place.name,
            "state": place.state_postal,
            "label": f"{place.name}, {place.state_name}",
            "url": reverse("jurisdictions:jurisdiction_detail", args=[place.fips]),
            "matched": matched(why, place.name),
        }
        for place, why in zip(found.did_you_mean, whys, strict=False)
    ]
    return JsonResponse(
        {"results": results, "states": states, "did_you_mean": did_you_mean, "notes": list(found.notes)}
    )


def _wgs84_json(snapshot) -> bytes:
    """County outlines for "use my location": `{fips: [label, [[ring], ...]]}`, each ring flat and delta-encoded.

    Coordinates are integer 1/10,000 degrees (about 10 m), each ring `[x0, y0, dx1, dy1, ...]`: a third of the
    GeoJSON's size, and all the browser needs for a point-in-polygon test. Labels come from the snapshot, so a
    renamed unit is renamed here at the next data version.
    """
    out = {}
    for fips, shape in geometry.county_geojson_geometries().items():
        unit = snapshot.units.get(fips)
        if unit is None or not unit.on_current_map:
            continue
        polygons = shape["coordinates"] if shape["type"] == "MultiPolygon" else [shape["coordinates"]]
        rings = []
        for polygon in polygons:
            for ring in polygon:
                flat, px, py = [], 0, 0
                for lon, lat in ring:
                    x, y = round(lon * 10000), round(lat * 10000)
                    flat += [x - px, y - py]
                    px, py = x, y
                rings.append(flat)
        out[fips] = [f"{unit.name}, {unit.state.name}", rings]
    return json.dumps(out, separators=(",", ":")).encode()


@public_page
def counties_wgs84(request):
    """Outlines fetched only when a reader presses "use my location"; the lookup then happens in the browser."""
    snapshot = request.snapshot
    return HttpResponse(snapshot.memo("wgs84.json", lambda: _wgs84_json(snapshot)), content_type="application/json")


# --- pictures to share (tracker/pictures.py) -------------------------------------------------------------------


def _picture(data: bytes, media_type: str, filename: str = "") -> HttpResponse:
    response = HttpResponse(data, content_type=media_type)
    if filename:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@public_page
def jurisdiction_picture(request, fips):
    """The card a shared link to a county's page shows (its og:image), for the page's day, release and language."""
    row = request.snapshot.row(fips, request.day)
    if row is None:
        raise Http404("No jurisdiction has this FIPS code.")
    return _picture(pictures.jurisdiction_card(request.snapshot, row, request.day, request.as_of), "image/png")


@public_page
def state_picture(request, postal):
    """The card a shared link to a state's page shows (its og:image)."""
    state = request.snapshot.states.get(postal)
    if state is None:
        raise Http404("No state has this postal code.")
    return _picture(pictures.state_card(request.snapshot, state, request.day, request.as_of), "image/png")


@public_page
def rollout_png(request):
    """The national county map on `as_of` (default today) as a PNG, credit and licence drawn in."""
    day = request.day
    data = pictures.rollout_png(request.snapshot, day)
    return _picture(data, "image/png", f"scomm-rollout-{day.isoformat()}.png")


@public_page
def rollout_gif(request):
    """The rollout as an animated GIF, one frame per half-year (the day asked does not change it)."""
    return _picture(pictures.rollout_gif(request.snapshot), "image/gif", "scomm-rollout.gif")
