"""The GeoJSON download as analysts' tools read it: RFC 7946 winding on every ring, no unit without area, a
representative point inside each unit's own feature and no other's (point-in-polygon by ray casting, written
here: no geometry library is installed), and every unit the map draws either a feature or named as drawn under
one."""

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_limits(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "bulk": None}}


def _collection(client, query: str = "") -> dict:
    response = client.get(f"/api/v1/jurisdictions/?format=geojson{query}")
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def _signed_area(ring) -> float:
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)) / 2


def _polygons(geometry) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return []


def _in_ring(x: float, y: float, ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _in_polygons(x: float, y: float, polygons) -> bool:
    """Inside an outer ring and outside its holes, in any of the polygons."""
    return any(
        _in_ring(x, y, polygon[0]) and not any(_in_ring(x, y, hole) for hole in polygon[1:]) for polygon in polygons
    )


def _bounds(polygons):
    xs = [p[0] for polygon in polygons for p in polygon[0]]
    ys = [p[1] for polygon in polygons for p in polygon[0]]
    return min(xs), min(ys), max(xs), max(ys)


def test_every_ring_is_wound_as_rfc_7946_says_and_has_area(client, dataset):
    features = _collection(client)["features"]
    rings = 0
    for feature in features:
        for polygon in _polygons(feature["geometry"]):
            assert polygon[0][0] == polygon[0][-1] and len(polygon[0]) >= 4
            assert _signed_area(polygon[0]) > 0, (feature["id"], "outer ring clockwise")
            for hole in polygon[1:]:
                assert _signed_area(hole) < 0, (feature["id"], "hole counter-clockwise")
            rings += len(polygon)
        if feature["geometry"]["type"] != "Point":
            assert sum(_signed_area(polygon[0]) for polygon in _polygons(feature["geometry"])) > 0, feature["id"]
    assert rings > 3400


def test_falls_church_is_a_point_that_says_why_and_manassas_park_has_an_area(client, dataset):
    features = {feature["id"]: feature for feature in _collection(client, "&state=VA")["features"]}
    falls_church = features["51610"]
    assert falls_church["geometry"]["type"] == "Point"
    assert "A point stands for this unit" in falls_church["properties"]["geometry_note"]
    assert falls_church["geometry"]["coordinates"] == falls_church["properties"]["representative_point"]
    lon, lat = falls_church["geometry"]["coordinates"]
    # Falls Church, VA is at about 77.17 W, 38.88 N.
    assert abs(lon + 77.17) < 0.05 and abs(lat - 38.88) < 0.05
    manassas_park = features["51685"]
    assert manassas_park["geometry"]["type"] == "Polygon"
    assert _signed_area(manassas_park["geometry"]["coordinates"][0]) > 0
    assert "geometry_note" not in manassas_park["properties"]


def test_every_units_representative_point_is_in_its_own_feature_and_no_other(client, dataset):
    features = _collection(client)["features"]
    shaped = [(f["id"], _polygons(f["geometry"])) for f in features if f["geometry"]["type"] != "Point"]
    bounds = {fips: _bounds(polygons) for fips, polygons in shaped}
    for feature in features:
        x, y = feature["properties"]["representative_point"]
        if feature["geometry"]["type"] == "Point":
            assert [x, y] == feature["geometry"]["coordinates"]
            continue
        containing = [
            fips
            for fips, polygons in shaped
            if bounds[fips][0] <= x <= bounds[fips][2]
            and bounds[fips][1] <= y <= bounds[fips][3]
            and _in_polygons(x, y, polygons)
        ]
        assert containing == [feature["id"]], (feature["id"], containing)


def test_every_unit_the_map_draws_has_a_feature_or_names_the_one_it_is_drawn_under(client, dataset):
    collection = _collection(client)
    features = {feature["id"] for feature in collection["features"]}
    listed = {entry["fips"]: entry for entry in collection["without_shape"]}
    assert listed["46113"]["drawn_as"] == ["46102"] and listed["02270"]["drawn_as"] == ["02158"]
    assert listed["02232"]["drawn_as"] == ["02105", "02230"]
    # Every unit on the map is a feature; every unit without one that the map shows names features that exist.
    response = client.get("/api/v1/jurisdictions/?format=ndjson&include=successors")
    units = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    map_units = {unit["fips"] for unit in units if unit["on_current_map"]}
    assert len(map_units) == 3142 and map_units <= features
    for fips, entry in listed.items():
        assert set(entry["drawn_as"]) <= features, fips
        assert entry["geometry_note"], fips
    # A unit drawn as another is named by it, both ways: the feature says whose status it shows.
    oglala = next(f for f in collection["features"] if f["id"] == "46102")
    assert oglala["properties"]["status_from"] == "46113"
