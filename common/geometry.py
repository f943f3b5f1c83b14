"""County, state and nation geometry for maps, read from TopoJSON shipped in ``fixtures/geo/``.

The files are ``counties-albers-10m.json`` and ``counties-10m.json`` from the npm package us-atlas 3.0.1
(ISC licence), built from the US Census Bureau's 2017 cartographic boundary files. The Albers file is
projected into a 975x610 frame with Alaska and Hawaii as insets and covers the 3,142 counties of the 50 states
and DC; the other is unprojected WGS84 and also has the 89 county-equivalents of the five inhabited
territories, which Albers USA cannot place. See ``fixtures/geo/README.md``.

Everything here is cached for the life of the process (the files never change while it runs); the
returned dicts and lists are shared, so callers must not modify them.
"""

import json
from functools import cache, lru_cache
from pathlib import Path

GEO_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "geo"
ALBERS_FILE = "counties-albers-10m.json"
WGS84_FILE = "counties-10m.json"

# The frame the Albers file was projected into (d3.geoAlbersUsa().scale(1300).translate([487.5, 305])).
FRAME_WIDTH = 975
FRAME_HEIGHT = 610

# SVG coordinates are kept as integer tenths of a pixel so that rounding, duplicate removal and
# relative offsets are exact; floats would leave "0.30000000000000004" behind.
_SVG_SCALE = 10
_GEOJSON_DIGITS = 5


# --- TopoJSON decoding -------------------------------------------------------------------------------------


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Return every arc of a topology as absolute (x, y) points.

    A quantized topology stores each arc as a first position followed by deltas, all in integer grid units;
    ``transform`` maps the grid back to real coordinates.
    """
    transform = topology.get("transform")
    if transform is None:
        return [[(float(p[0]), float(p[1])) for p in arc] for arc in topology["arcs"]]
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for position in arc:
            x += position[0]
            y += position[1]
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def stitch_ring(arc_refs: list[int], arcs: list[list]) -> list:
    """Join the arcs a ring refers to into one closed list of points.

    ``~i`` (that is ``-i - 1``) refers to arc ``i`` walked backwards. Consecutive arcs share their joining
    point, so it is kept once.
    """
    points: list = []
    for ref in arc_refs:
        arc = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        points.extend(arc[1:] if points else arc)
    if points and points[0] != points[-1]:
        points.append(points[0])
    return points


def geometry_polygons(geometry: dict, arcs: list[list]) -> list[list[list]]:
    """Return a Polygon or MultiPolygon geometry as a list of polygons, each a list of rings.

    Other geometry types (points, lines, null) have no area to draw and give an empty list.
    """
    kind = geometry.get("type")
    if kind == "Polygon":
        return [[stitch_ring(ring, arcs) for ring in geometry["arcs"]]]
    if kind == "MultiPolygon":
        return [[stitch_ring(ring, arcs) for ring in polygon] for polygon in geometry["arcs"]]
    return []


def iter_geometries(topology_object: dict):
    """Yield the geometries of a topology object, looking inside (nested) GeometryCollections."""
    if topology_object.get("type") == "GeometryCollection":
        for member in topology_object.get("geometries", []):
            yield from iter_geometries(member)
    else:
        yield topology_object


@cache
def _load(filename: str) -> dict:
    with open(GEO_DIR / filename, encoding="utf-8") as f:
        return json.load(f)


@cache
def _svg_arcs(filename: str) -> list[list[tuple[int, int]]]:
    # Rounding each arc once, before stitching, keeps shared borders identical in neighbouring counties.
    return [[(round(x * _SVG_SCALE), round(y * _SVG_SCALE)) for x, y in arc] for arc in decode_arcs(_load(filename))]


@cache
def _geojson_arcs(filename: str) -> list[list[tuple[float, float]]]:
    return [
        [(round(x, _GEOJSON_DIGITS), round(y, _GEOJSON_DIGITS)) for x, y in arc] for arc in decode_arcs(_load(filename))
    ]


# --- SVG paths ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _number(tenths: int) -> str:
    # Shortest form SVG accepts: "3", "1.5", ".3", "-.3".
    whole, frac = divmod(abs(tenths), _SVG_SCALE)
    sign = "-" if tenths < 0 else ""
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{frac}"


def _append_numbers(out: list[str], numbers) -> None:
    # A minus sign already separates two numbers; anything else needs a space.
    for n in numbers:
        text = _number(n)
        if out and text[0] != "-" and out[-1][-1] not in "MmLlZz":
            out.append(" ")
        out.append(text)


def _clean_ring(ring: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop points that rounding made equal to their predecessor, and the closing point (``z`` draws it)."""
    cleaned = [ring[0]] if ring else []
    for point in ring[1:]:
        if point != cleaned[-1]:
            cleaned.append(point)
    if len(cleaned) > 1 and cleaned[-1] == cleaned[0]:
        cleaned.pop()
    return cleaned


def polygons_to_svg_path(polygons: list[list[list[tuple[int, int]]]]) -> str:
    """Format rings in integer tenths of a pixel as a compact SVG path ``d`` using relative commands."""
    rings = [_clean_ring(ring) for polygon in polygons for ring in polygon]
    visible = [ring for ring in rings if len(ring) >= 3]
    # Lexington, VA (51678) rounds to a single point; keeping it beats an empty d, which browsers reject.
    rings = visible or [ring for ring in rings if ring]
    out: list[str] = []
    start = None
    for ring in rings:
        x0, y0 = ring[0]
        if start is None:
            out.append("M")
            _append_numbers(out, (x0, y0))
        else:
            # After "z" the current point is the previous ring's start, so "m" is relative to that.
            out.append("m")
            _append_numbers(out, (x0 - start[0], y0 - start[1]))
        start = ring[0]
        if len(ring) > 1:
            out.append("l")
            px, py = x0, y0
            for x, y in ring[1:]:
                _append_numbers(out, (x - px, y - py))
                px, py = x, y
        out.append("z")
    return "".join(out)


def _svg_paths(object_name: str) -> dict[str, str]:
    topology = _load(ALBERS_FILE)
    arcs = _svg_arcs(ALBERS_FILE)
    return {
        geometry["id"]: polygons_to_svg_path(geometry_polygons(geometry, arcs))
        for geometry in iter_geometries(topology["objects"][object_name])
        if "id" in geometry
    }


@cache
def county_svg_paths() -> dict[str, str]:
    """Map each 5-digit county FIPS code to an SVG path ``d`` in the 975x610 Albers USA frame."""
    return _svg_paths("counties")


@cache
def state_svg_paths() -> dict[str, str]:
    """Map each 2-digit state FIPS code to the state's outline as an SVG path ``d`` in the same frame."""
    return _svg_paths("states")


@cache
def nation_svg_path() -> str:
    """The outline of the 50 states and DC as one SVG path ``d`` in the same frame."""
    arcs = _svg_arcs(ALBERS_FILE)
    polygons = [
        polygon
        for geometry in iter_geometries(_load(ALBERS_FILE)["objects"]["nation"])
        for polygon in geometry_polygons(geometry, arcs)
    ]
    return polygons_to_svg_path(polygons)


@cache
def _frame_arcs() -> list[list[tuple[float, float]]]:
    return decode_arcs(_load(ALBERS_FILE))


@cache
def frame_polygons(object_name: str) -> dict[str, list[list[list[tuple[float, float]]]]]:
    """Map each id of ``"counties"`` or ``"states"`` to its polygons (lists of closed rings of (x, y) points) in
    the 975x610 Albers USA frame: the shapes of the SVG paths above, unrounded, for drawing pictures."""
    arcs = _frame_arcs()
    return {
        geometry["id"]: geometry_polygons(geometry, arcs)
        for geometry in iter_geometries(_load(ALBERS_FILE)["objects"][object_name])
        if "id" in geometry
    }


def state_bounds(state_fips: str) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of all counties of one state in the Albers frame; KeyError for an unknown state."""
    return _state_bounds()[state_fips]


@cache
def county_names() -> dict[str, str]:
    """Map each county FIPS code in the Albers file to its name, e.g. ``"17031": "Cook"``."""
    return {
        geometry["id"]: geometry.get("properties", {}).get("name", "")
        for geometry in iter_geometries(_load(ALBERS_FILE)["objects"]["counties"])
        if "id" in geometry
    }


@cache
def _state_bounds() -> dict[str, tuple[float, float, float, float]]:
    # Built from the counties rather than the states object so that the frame is guaranteed to hold every
    # county path drawn in it.
    topology = _load(ALBERS_FILE)
    arcs = decode_arcs(topology)
    bounds: dict[str, tuple[float, float, float, float]] = {}
    for geometry in iter_geometries(topology["objects"]["counties"]):
        state = geometry.get("id", "")[:2]
        refs = [ref for polygon in _arc_refs(geometry) for ring in polygon for ref in ring]
        xs = [x for ref in refs for x, _ in arcs[ref if ref >= 0 else ~ref]]
        ys = [y for ref in refs for _, y in arcs[ref if ref >= 0 else ~ref]]
        if not xs:
            continue
        box = (min(xs), min(ys), max(xs), max(ys))
        if state in bounds:
            old = bounds[state]
            box = (min(old[0], box[0]), min(old[1], box[1]), max(old[2], box[2]), max(old[3], box[3]))
        bounds[state] = box
    return bounds


def _arc_refs(geometry: dict) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def state_view_box(state_fips: str, margin: float = 0.03) -> str:
    """An SVG ``viewBox`` ("x y w h") framing all counties of one state in the Albers frame.

    ``margin`` is a fraction of the larger side added on every side, so strokes at the edge are not cut.
    Raises KeyError for a state code that has no counties in the file.
    """
    x0, y0, x1, y1 = _state_bounds()[state_fips]
    pad = max(x1 - x0, y1 - y0) * margin
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    return " ".join(f"{v:.1f}" for v in (x0, y0, x1 - x0, y1 - y0))


# --- GeoJSON -----------------------------------------------------------------------------------------------


def _geojson_ring(ring: list[tuple[float, float]]) -> list[list[float]]:
    positions = [list(point) for i, point in enumerate(ring) if i == 0 or point != ring[i - 1]]
    if positions and positions[0] != positions[-1]:
        positions.append(list(positions[0]))
    return positions


def _is_degenerate(ring: list) -> bool:
    # Fewer than three distinct points encloses nothing; GeoJSON also demands four positions per ring.
    return len(ring) < 4


def _geojson_geometry(polygons: list[list[list[tuple[float, float]]]]) -> dict | None:
    polygons = [[_geojson_ring(ring) for ring in polygon] for polygon in polygons if polygon]
    # Simplification collapsed a few holes and islands (Broomfield, Denver, Haines...) to a point or a
    # line; those are dropped. Falls Church, VA (51610) is nothing but such a line, and it is kept, padded
    # to four positions as topojson-client does, so that every county still has a geometry.
    coordinates = [
        [polygon[0]] + [hole for hole in polygon[1:] if not _is_degenerate(hole)]
        for polygon in polygons
        if not _is_degenerate(polygon[0])
    ]
    if not coordinates:
        coordinates = [
            [ring + [list(ring[0]) for _ in range(4 - len(ring))] for ring in polygon[:1]] for polygon in polygons
        ]
    if not coordinates:
        return None
    if len(coordinates) == 1:
        return {"type": "Polygon", "coordinates": coordinates[0]}
    return {"type": "MultiPolygon", "coordinates": coordinates}


@cache
def county_geojson_geometries() -> dict[str, dict]:
    """Map county FIPS codes to GeoJSON geometries in WGS84 longitude/latitude, 5 decimal places.

    Includes the territories (PR, GU, MP, AS, VI) as well as the 50 states and DC. Rings are closed but keep
    the file's winding (outer rings clockwise, as d3 expects): the browser's point-in-polygon and the lookup
    builder read them so. The GeoJSON download uses `county_geojson_for_analysts` (RFC 7946 winding).
    """
    topology = _load(WGS84_FILE)
    arcs = _geojson_arcs(WGS84_FILE)
    geometries = {}
    for geometry in iter_geometries(topology["objects"]["counties"]):
        if "id" not in geometry:
            continue
        converted = _geojson_geometry(geometry_polygons(geometry, arcs))
        if converted is not None:
            geometries[geometry["id"]] = converted
    return geometries


def county_geojson_geometry(fips: str) -> dict | None:
    """The GeoJSON geometry of one county (see ``county_geojson_geometries``), or None if unknown."""
    return county_geojson_geometries().get(fips)


# --- GeoJSON for analysts: RFC 7946 winding, no zero-area unit, a point inside each unit -----------------------


def signed_area(ring: list) -> float:
    """The signed area of a closed ring (shoelace formula), positive when it runs counter-clockwise."""
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)) / 2


def _wound(ring: list, counter_clockwise: bool) -> list:
    return ring if (signed_area(ring) > 0) == counter_clockwise else ring[::-1]


def _crossings(rings: list, y: float) -> list[float]:
    """Where the horizontal line at `y` crosses the rings' edges, left to right."""
    found = []
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if (y1 > y) != (y2 > y):
                found.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    return sorted(found)


def _point_inside(rings: list) -> tuple[float, float, float] | None:
    """(width, x, y): the middle of the widest stretch inside a polygon (outer ring and holes, even-odd) along a
    few horizontal lines across it, or None."""
    ys = [point[1] for point in rings[0]]
    low, high = min(ys), max(ys)
    best = None
    for fraction in (0.5, 0.37, 0.63, 0.25, 0.75, 0.13, 0.87):
        # Off any vertex's latitude: 5-decimal coordinates never sit on this line.
        y = low + (high - low) * fraction + 1.234567e-7
        xs = _crossings(rings, y)
        for left, right in zip(xs[0::2], xs[1::2], strict=False):
            if best is None or right - left > best[0]:
                best = (right - left, (left + right) / 2, y)
    return best


def _analysts_geometry(geometry: dict) -> tuple[dict, list[float], bool]:
    """(geometry with RFC 7946 winding, a point inside it, whether it had to become a point: no area)."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    if not any(abs(signed_area(polygon[0])) > 0 for polygon in polygons):
        distinct = {tuple(point) for polygon in polygons for ring in polygon for point in ring}
        x = round(sum(p[0] for p in distinct) / len(distinct), _GEOJSON_DIGITS)
        y = round(sum(p[1] for p in distinct) / len(distinct), _GEOJSON_DIGITS)
        return {"type": "Point", "coordinates": [x, y]}, [x, y], True
    wound = [[_wound(polygon[0], True)] + [_wound(hole, False) for hole in polygon[1:]] for polygon in polygons]
    inside = max(
        (found for found in (_point_inside(polygon) for polygon in wound) if found), key=lambda found: found[0]
    )
    point = [round(inside[1], 7), round(inside[2], 7)]
    shaped = {"type": "Polygon", "coordinates": wound[0]} if len(wound) == 1 else {**geometry, "coordinates": wound}
    return shaped, point, False


@cache
def county_geojson_for_analysts() -> dict[str, tuple[dict, list[float], bool]]:
    """{FIPS: (geometry, representative point, is a point)} for the GeoJSON download (RFC 7946): outer rings
    counter-clockwise and holes clockwise (section 3.1.6); a unit the 1:10,000,000 shapes reduce to a line (Falls
    Church, VA, 51610) becomes a Point on that line, since the package ships no finer shape of that vintage;
    and each unit's representative point: the middle of the widest stretch across its largest polygon, inside
    its own shape and no other's, where a label or a join by location can go."""
    return {fips: _analysts_geometry(shape) for fips, shape in county_geojson_geometries().items()}
