"""The source's unit codes as they are: which are of another vintage than 2008-2013, and when each code changed.

The activation data list one row per code of the replication package (fixtures/SOURCES.md). Most codes are the
counties and county-equivalents of the program's years, but not all: three Alaska codes had been retired in
2007-2008, before the program began, for five units that existed throughout it, and two Virginia codes name
independent cities that had become towns in 1995 and 2001. The tracker keeps the source's rows and dates as they
are; this table says, for every code whose unit changed, the year the Census Bureau's county change list gives,
so the pages can say which codes are of which vintage. The later codes that the tracker does not hold (Alaska
2019, Connecticut 2022) are in `jurisdictions/search/words.py` (LATER_UNITS), with the year here.
"""

import datetime
from typing import NamedTuple

from jurisdictions.search import LATER_UNITS

# The source of every year below: the U.S. Census Bureau's list of substantial changes to counties and county
# equivalent entities (cited on /about/ as the source of the historical units).
CENSUS_CHANGES_URL = "https://www.census.gov/programs-surveys/geography/technical-documentation/county-changes.html"
CENSUS_CHANGES_TITLE = "Substantial Changes to Counties and County Equivalent Entities"

# The program's span: first activation to full activation (DESIGN.md).
PROGRAM_BEGAN = datetime.date(2008, 10, 27)
PROGRAM_ROLLED_OUT = datetime.date(2013, 1, 22)

# FIPS code -> the year its unit changed, from the Census change list: retired, split, renamed or created.
CODE_YEARS: dict[str, int] = {
    # Retired before the program; the source still lists them.
    "51780": 1995,  # South Boston city became a town in Halifax County (51083)
    "51560": 2001,  # Clifton Forge city became a town in Alleghany County (51005)
    "02232": 2007,  # Skagway-Hoonah-Angoon split into Skagway (02230) and Hoonah-Angoon (02105)
    "02201": 2008,  # Prince of Wales-Outer Ketchikan: mostly Prince of Wales-Hyder (02198)
    "02280": 2008,  # Wrangell-Petersburg split into Wrangell (02275) and Petersburg (02195)
    # Created then: the units of the program's years that the source records under the older codes above.
    "02230": 2007,
    "02105": 2007,
    "02198": 2008,
    "02275": 2008,
    "02195": 2008,
    # Changed after the program: units of its years, under their codes of then.
    "51515": 2013,  # Bedford city merged into Bedford County (51019)
    "02270": 2015,  # Wade Hampton renamed Kusilvak (02158)
    "46113": 2015,  # Shannon renamed Oglala Lakota (46102)
    "02158": 2015,
    "46102": 2015,
}

# Later codes the tracker does not hold: the year the Census created them.
LATER_CODE_YEARS = {"02063": 2019, "02066": 2019, **{f"091{n}0": 2022 for n in range(1, 10)}}


def code_year(fips: str) -> int | None:
    return CODE_YEARS.get(fips)


def older_than_program(fips: str) -> bool:
    """A code whose unit changed before the program began (its code of then is another one)."""
    year = CODE_YEARS.get(fips)
    return year is not None and year <= PROGRAM_BEGAN.year


class UnitSet(NamedTuple):
    """What the pages say about the source's codes: computed from the snapshot and the table above."""

    total: int  # counted codes (the source's rows)
    retired: list  # counted units whose code was retired before the program, oldest change first
    split_codes: list  # of those, the Alaska codes the source gives for the newer units below
    newer_units: list  # units of the program's years recorded under the older codes (not counted)
    phantom: list  # (unit, year): retired codes with no newer unit of their own, cities that had become towns
    period_total: int  # the counties and county-equivalents of the program's years, by the same reckoning

    @property
    def fewer(self) -> int:
        """Units of the program's years that the source's older codes leave out (five units, three codes)."""
        return len(self.newer_units) - len(self.split_codes)

    @property
    def split_states(self) -> str:
        return ", ".join(sorted({unit.state.name for unit in self.split_codes}))

    @property
    def phantom_states(self) -> str:
        return ", ".join(sorted({unit.state.name for unit, _ in self.phantom}))

    @property
    def split_years(self) -> str:
        years = sorted({CODE_YEARS[unit.fips] for unit in self.split_codes})
        return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]) if years else ""


def unit_set(snapshot) -> UnitSet:
    """The source's codes, told apart by vintage (see the module docstring), from the snapshot's units."""

    def memo():
        counted = snapshot.counted
        retired = sorted(
            (unit for unit in counted if older_than_program(unit.fips)),
            key=lambda unit: (CODE_YEARS[unit.fips], unit.fips),
        )
        newer = sorted(
            (
                unit
                for unit in snapshot.units.values()
                if not unit.in_dataset and unit.status_from_id and older_than_program(unit.fips)
            ),
            key=lambda unit: unit.fips,
        )
        lenders = {unit.status_from_id for unit in newer}
        split_codes = [unit for unit in retired if unit.fips in lenders]
        phantom = [(unit, CODE_YEARS[unit.fips]) for unit in retired if unit.fips not in lenders]
        return UnitSet(
            total=len(counted),
            retired=retired,
            split_codes=split_codes,
            newer_units=newer,
            phantom=phantom,
            period_total=len(counted) - len(retired) + len(newer),
        )

    return snapshot.memo("unit_set", memo)


class LaterCode(NamedTuple):
    """A code created after the program, which people may type: the units of 2008-2013 that hold its area."""

    fips: str
    name: str
    state: str
    year: int
    covers: tuple  # FIPS of the units of the program's years that hold (part of) its area
    note: str  # English explanation (search notes)


_LATER = {unit.fips: unit for unit in LATER_UNITS}


def later_code(fips: str) -> LaterCode | None:
    unit = _LATER.get(fips)
    if unit is None:
        return None
    return LaterCode(unit.fips, unit.name, unit.state, LATER_CODE_YEARS[fips], unit.covers, unit.note)
