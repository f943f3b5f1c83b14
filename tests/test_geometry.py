import re

from common import geometry

# A number in a path as the formatter writes it: optional sign, then "12", "12.5" or ".5".
NUMBER = re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)")


def _polygons(geojson: dict) -> list:
    return [geojson["coordinates"]] if geojson["type"] == "Polygon" else geojson["coordinates"]


def _absolute_points(d: str) -> list[tuple[float, float]]:
    """Replay a path made of M/m/l/z commands into absolute points, to check where it really draws."""
    points = []
    x = y = start_x = start_y = 0.0
    for command, args in re.findall(r"([MmLlZz])([^MmLlZz]*)", d):
        numbers = [float(n) for n in NUMBER.findall(args)]
        pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
        if command == "M":
            (x, y), pairs = pairs[0], pairs[1:]
            start_x, start_y = x, y
            points.append((x, y))
        elif command == "m":
            (dx, dy), pairs = pairs[0], pairs[1:]
            x, y = start_x + dx, start_y + dy
            start_x, start_y = x, y
            points.append((x, y))
        for dx, dy in pairs:
            x, y = x + dx, y + dy
            points.append((x, y))
        if command in "Zz":
            x, y = start_x, start_y
    return points


def test_every_county_has_a_path():
    paths = geometry.county_svg_paths()
    assert len(paths) == 3142
    assert all(re.fullmatch(r"\d{5}", fips) for fips in paths)
    assert all(d.startswith("M") and d.endswith("z") for d in paths.values())
    assert set(paths) == set(geometry.county_names())


def test_county_paths_are_small_enough_to_inline():
    total = sum(len(d) for d in geometry.county_svg_paths().values())
    assert 100_000 < total < 600_000


def test_paths_use_one_decimal_precision():
    for d in list(geometry.county_svg_paths().values()) + list(geometry.state_svg_paths().values()):
        assert re.fullmatch(r"[-\d. MmlZz]+", d)
        for number in NUMBER.findall(d):
            # No trailing zeros, no "-0", at most one decimal.
            assert re.fullmatch(r"-?(?:[1-9]\d*|0)?(?:\.[1-9])?", number), number
            assert number not in ("", "-", "-0")


def test_paths_drop_repeated_points():
    for d in geometry.county_svg_paths().values():
        for command, args in re.findall(r"([Mml])([^Mmlz]*)", d):
            if command == "l":
                numbers = NUMBER.findall(args)
                pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
                assert ("0", "0") not in pairs, d


def test_county_paths_stay_in_the_albers_frame():
    # The western Aleutians poke out left of the frame in us-atlas itself; nothing else should.
    points = [p for d in geometry.county_svg_paths().values() for p in _absolute_points(d)]
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    assert -60 < min(xs) and max(xs) < geometry.FRAME_WIDTH
    assert 0 < min(ys) and max(ys) < geometry.FRAME_HEIGHT
    cook = _absolute_points(geometry.county_svg_paths()["17031"])
    # Chicago sits a little right of and above the middle of the 975x610 map.
    assert all(600 < x < 660 and 200 < y < 260 for x, y in cook)


def test_state_and_nation_outlines_are_there():
    states = geometry.state_svg_paths()
    assert len(states) == 51
    assert all(re.fullmatch(r"\d{2}", fips) for fips in states)
    assert {fips[:2] for fips in geometry.county_svg_paths()} == set(states)
    nation = geometry.nation_svg_path()
    assert nation.startswith("M") and nation.count("z") >= 3  # at least the lower 48, Alaska and Hawaii


def test_known_counties_are_present():
    names = geometry.county_names()
    assert names["48201"] == "Harris"
    assert names["02158"] == "Kusilvak"  # renamed from Wade Hampton (02270) in 2015
    assert names["46102"] == "Oglala Lakota"  # renamed from Shannon (46113) in 2015
    assert names["17031"] == "Cook"
    assert names["35013"] == "Doña Ana"
    for gone in ("46113", "02270"):
        assert gone not in names
        assert gone not in geometry.county_svg_paths()
        assert geometry.county_geojson_geometry(gone) is None


def test_geojson_rings_are_closed_and_in_wgs84_range():
    geometries = geometry.county_geojson_geometries()
    # The unprojected file also has the territories, which Albers USA cannot draw.
    assert set(geometry.county_svg_paths()) < set(geometries)
    assert {fips[:2] for fips in set(geometries) - set(geometry.county_svg_paths())} == {
        "60",
        "66",
        "69",
        "72",
        "78",
    }
    for fips, geojson in geometries.items():
        assert geojson["type"] in ("Polygon", "MultiPolygon"), fips
        for polygon in _polygons(geojson):
            for ring in polygon:
                assert len(ring) >= 4, fips
                assert ring[0] == ring[-1], fips
                for lon, lat in ring:
                    assert -180 <= lon <= 180 and -90 <= lat <= 90, fips
                    assert round(lon, 5) == lon and round(lat, 5) == lat, fips

    cook = geometry.county_geojson_geometry("17031")
    ring = _polygons(cook)[0][0][:-1]
    lon = sum(p[0] for p in ring) / len(ring)
    lat = sum(p[1] for p in ring) / len(ring)
    assert abs(lon - -87.8) < 1 and abs(lat - 41.8) < 1


def test_geojson_is_cached():
    assert geometry.county_geojson_geometries() is geometry.county_geojson_geometries()
    assert geometry.county_geojson_geometry("48201") is geometry.county_geojson_geometries()["48201"]
    assert geometry.county_geojson_geometry("99999") is None


def test_state_view_box_frames_its_counties():
    for state in ("17", "02", "15", "11", "48"):
        x, y, w, h = map(float, geometry.state_view_box(state).split())
        assert w > 0 and h > 0
        points = [
            p for fips, d in geometry.county_svg_paths().items() if fips.startswith(state) for p in _absolute_points(d)
        ]
        # Path points are rounded to 0.1 px, the box to 0.1 px as well; allow for both.
        assert all(x - 0.1 <= px <= x + w + 0.1 and y - 0.1 <= py <= y + h + 0.1 for px, py in points)
        # ...and it is tight: the counties reach close to every edge, within the margin.
        margin = max(w, h) * 0.05
        assert min(px for px, _ in points) < x + margin and max(px for px, _ in points) > x + w - margin
        assert min(py for _, py in points) < y + margin and max(py for _, py in points) > y + h - margin

    illinois = [float(v) for v in geometry.state_view_box("17").split()]
    texas = [float(v) for v in geometry.state_view_box("48").split()]
    assert texas[2] > illinois[2] * 2  # Texas is far wider than Illinois


def test_arcs_are_delta_decoded_and_reversed():
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 2], "translate": [10, 100]},
        "arcs": [
            [[0, 0], [4, 0], [0, 3]],  # grid (0,0) (4,0) (4,3)
            [[4, 3], [-4, 0], [0, -3]],  # grid (4,3) (0,3) (0,0)
            [[10, 10], [2, 0], [0, 2], [-2, -2]],  # a closed triangle on its own
        ],
        "objects": {
            "shapes": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "id": "square"},
                    {"type": "MultiPolygon", "arcs": [[[~1, ~0]], [[2]]], "id": "two"},
                    {"type": "LineString", "arcs": [0], "id": "line"},
                ],
            }
        },
    }
    arcs = geometry.decode_arcs(topology)
    assert arcs[0] == [(10.0, 100.0), (12.0, 100.0), (12.0, 106.0)]
    assert arcs[2] == [(15.0, 120.0), (16.0, 120.0), (16.0, 124.0), (15.0, 120.0)]

    shapes = {g["id"]: g for g in geometry.iter_geometries(topology["objects"]["shapes"])}
    assert geometry.geometry_polygons(shapes["square"], arcs) == [
        [[(10.0, 100.0), (12.0, 100.0), (12.0, 106.0), (10.0, 106.0), (10.0, 100.0)]]
    ]
    # ~1 is arc 1 backwards, ~0 arc 0 backwards: the same square walked the other way round.
    assert geometry.geometry_polygons(shapes["two"], arcs) == [
        [[(10.0, 100.0), (10.0, 106.0), (12.0, 106.0), (12.0, 100.0), (10.0, 100.0)]],
        [[(15.0, 120.0), (16.0, 120.0), (16.0, 124.0), (15.0, 120.0)]],
    ]
    assert geometry.geometry_polygons(shapes["line"], arcs) == []
    # A ring left open by its arcs is closed, as GeoJSON requires.
    assert geometry.stitch_ring([0], arcs) == arcs[0] + [arcs[0][0]]

    # The same shapes as SVG, in tenths of a pixel: relative moves, minimal numbers, no closing point.
    tenths = [[(round(x * 10), round(y * 10)) for x, y in arc] for arc in arcs]
    assert geometry.polygons_to_svg_path(geometry.geometry_polygons(shapes["two"], tenths)) == (
        "M10 100l0 6 2 0 0-6zm5 20l1 0 0 4z"
    )


def test_numbers_are_written_as_short_as_possible():
    d = geometry.polygons_to_svg_path([[[(0, 0), (15, 0), (18, -3), (18, -23), (0, 0)]]])
    assert d == "M0 0l1.5 0 .3-.3 0-2z"
