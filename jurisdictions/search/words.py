"""How names are read: folding, kind words, agency forms, aliases, and the units that came after 2013."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from jurisdictions.search.records import _Later

# --- folding -----------------------------------------------------------------------------------------------------

# Kind words a reader may leave out; longest first so "city and borough" wins over "borough". (Legacy `rank`.)
KIND_WORDS = [
    "city and borough",
    "census area",
    "municipality",
    "borough",
    "county",
    "parish",
]
_SAINT = re.compile(r"\b(st|ste|saint|sainte)\b")
_FORT = re.compile(r"\bft\b")
# Apostrophes (straight, curly, modifier letter, backtick) join letters: "O'Brien" is "obrien", "Prince George's"
# is "prince georges", which is how people type them in a search box.
_APOSTROPHES = re.compile("['\u2018\u2019\u02bc`\u00b4]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents removed, apostrophes dropped, other punctuation as spaces, St./Ste. as "saint".

    "Ste. Genevieve" -> "saint genevieve"; "Doña Ana" -> "dona ana"; "O'Brien" -> "obrien"; "Miami-Dade" ->
    "miami dade"; "Ft. Bend" -> "fort bend". Always a str of words separated by single spaces.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.lower()
    text = _APOSTROPHES.sub("", text).replace("&", " and ")
    text = _NON_WORD.sub(" ", text).strip()
    text = _SAINT.sub("saint", text)
    # "Ft." is "fort" (Fort Bend); "Mt." is left alone, since "mt" is also Montana's postal code.
    return _FORT.sub("fort", text)


def compact(key: str) -> str:
    """A folded key without its spaces: "la salle" and "lasalle", "de kalb" and "dekalb" meet here."""
    return key.replace(" ", "")


def strip_kind(folded: str) -> str:
    for word in KIND_WORDS:
        if folded.endswith(" " + word):
            return folded[: -len(word) - 1]
    return folded


# --- reference tables --------------------------------------------------------------------------------------------

# Census: Valdez-Cordova Census Area (02261) was split into Chugach (02063) and Copper River (02066) on
# 1 January 2019. The activation data (2008-2013) record Valdez-Cordova.
_ALASKA_2019 = (
    "{name} ({fips}) was created in 2019, when Valdez-Cordova Census Area (02261) was split into Chugach "
    "(02063) and Copper River (02066) Census Areas; the 2008-2013 data record Valdez-Cordova Census Area (02261)."
)
_CT_COUNTIES = (
    ("09001", "Fairfield"),
    ("09003", "Hartford"),
    ("09005", "Litchfield"),
    ("09007", "Middlesex"),
    ("09009", "New Haven"),
    ("09011", "New London"),
    ("09013", "Tolland"),
    ("09015", "Windham"),
)
# Which counties each planning region takes its towns from, most towns first: counted from the CT Data
# Collaborative's town-to-planning-region crosswalk (169 towns, 2020 county and 2022 planning region codes).
_CT_REGIONS = (
    ("09110", "Capitol Planning Region", ("09003", "09013")),
    ("09120", "Greater Bridgeport Planning Region", ("09001",)),
    ("09130", "Lower Connecticut River Valley Planning Region", ("09007", "09011")),
    ("09140", "Naugatuck Valley Planning Region", ("09009", "09005", "09003", "09001")),
    ("09150", "Northeastern Connecticut Planning Region", ("09015", "09013", "09011")),
    ("09160", "Northwest Hills Planning Region", ("09005", "09003")),
    ("09170", "South Central Connecticut Planning Region", ("09009",)),
    ("09180", "Southeastern Connecticut Planning Region", ("09011", "09015")),
    ("09190", "Western Connecticut Planning Region", ("09001", "09005")),
)


def _ct_note(fips: str, name: str, covers: tuple[str, ...]) -> str:
    county_names = dict(_CT_COUNTIES)
    towns_of = " and ".join(f"{county_names[code]} County ({code})" for code in covers)
    every = ", ".join(f"{county} ({code})" for code, county in _CT_COUNTIES)
    return (
        f"Connecticut's planning regions (2022) do not map one-to-one onto its eight counties: {name} ({fips}) "
        f"takes its towns from {towns_of}. The 2008-2013 data record the eight counties: {every}."
    )


def _alaska_2019(fips: str, name: str) -> _Later:
    return _Later(fips, name, "census_area", "AK", ("02261",), _ALASKA_2019.format(name=name, fips=fips))


LATER_UNITS: tuple[_Later, ...] = (
    _alaska_2019("02063", "Chugach Census Area"),
    _alaska_2019("02066", "Copper River Census Area"),
    *(
        _Later(fips, name, "planning_region", "CT", covers, _ct_note(fips, name, covers))
        for fips, name, covers in _CT_REGIONS
    ),
)

_NYC = ("36005", "36047", "36061", "36081", "36085")
# Names people use that no Census name contains. Keys are folded. Only places that are the same area as the unit
# (New York City's boroughs are its counties; Orleans Parish is New Orleans); a city inside a larger county is
# not an alias of it.
ALIASES: dict[str, tuple[str, ...]] = {
    "nyc": _NYC,
    "new york city": _NYC,
    "city of new york": _NYC,
    "ciudad de nueva york": _NYC,
    "the five boroughs": _NYC,
    "brooklyn": ("36047",),
    "manhattan": ("36061",),
    "staten island": ("36085",),
    "the bronx": ("36005",),
    "dc": ("11001",),
    "d c": ("11001",),
    "washington dc": ("11001",),
    "washington d c": ("11001",),
    "washington district of columbia": ("11001",),
    "la county": ("06037",),
    "l a county": ("06037",),
    "pg county": ("24033",),
    "new orleans": ("22071",),
    "mat su": ("02170",),
    "matsu": ("02170",),
}

# AP style abbreviations, as newsroom spreadsheets write states ("Harris County, Tex."), folded.
_AP_STATES = {
    "ala": "AL",
    "ariz": "AZ",
    "ark": "AR",
    "calif": "CA",
    "cal": "CA",
    "colo": "CO",
    "conn": "CT",
    "del": "DE",
    "fla": "FL",
    "ill": "IL",
    "ind": "IN",
    "kan": "KS",
    "kans": "KS",
    "mass": "MA",
    "mich": "MI",
    "minn": "MN",
    "miss": "MS",
    "mont": "MT",
    "neb": "NE",
    "nebr": "NE",
    "nev": "NV",
    "n h": "NH",
    "n j": "NJ",
    "n m": "NM",
    "n y": "NY",
    "n c": "NC",
    "n d": "ND",
    "okla": "OK",
    "ore": "OR",
    "oreg": "OR",
    "penn": "PA",
    "r i": "RI",
    "s c": "SC",
    "s d": "SD",
    "tenn": "TN",
    "tex": "TX",
    "wash": "WA",
    "w va": "WV",
    "wis": "WI",
    "wisc": "WI",
    "wyo": "WY",
    "d c": "DC",
}

# Words at the end (or start) of a name that say what kind of unit it is. Longest first within each list.
_KIND_SUFFIXES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("city", "and", "borough"), "city_and_borough"),
    (("planning", "region"), "planning_region"),
    (("independent", "city"), "city"),
    (("census", "area"), "census_area"),
    (("municipality",), "municipality"),
    (("borough",), "borough"),
    (("boro",), "borough"),
    (("county",), "county"),
    (("co",), "county"),
    (("cnty",), "county"),
    (("cty",), "county"),
    (("parish",), "parish"),
    (("city",), "city"),
)
_KIND_PREFIXES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("city", "and", "borough", "of"), "city_and_borough"),
    (("independent", "city", "of"), "city"),
    (("municipality", "of"), "municipality"),
    (("city", "of"), "city"),
    (("county", "of"), "county"),
    (("parish", "of"), "parish"),
    # Spanish: "condado de Harris", "parroquia Orleans", "municipio de Anchorage", "ciudad de Richmond".
    (("condado", "de"), "county"),
    (("condado",), "county"),
    (("parroquia", "de"), "parish"),
    (("parroquia",), "parish"),
    (("municipio", "de"), "municipality"),
    (("municipio",), "municipality"),
    (("area", "censal", "de"), "census_area"),
    (("ciudad", "independiente", "de"), "city"),
    (("ciudad", "de"), "city"),
)
# Agency forms, as ICE and the states name participating agencies. Apostrophes are already dropped by `fold`.
SHERIFF, POLICE, JAIL, STATE_AGENCY = "sheriff", "police", "jail", "state"


def _phrases(value: str, *texts: str) -> list[tuple[tuple[str, ...], str]]:
    return [(tuple(text.split()), value) for text in texts]


_AGENCY_SUFFIXES = tuple(
    sorted(
        _phrases(SHERIFF, "sheriffs office", "sheriff office", "sheriffs department", "sheriff department")
        + _phrases(SHERIFF, "sheriffs dept", "sheriff dept", "sheriffs ofc", "sheriffs", "sheriff", "so")
        + _phrases(POLICE, "police department", "police dept", "department of police", "police", "pd")
        + _phrases(JAIL, "jail", "detention center", "detention facility", "adult detention center")
        + _phrases(JAIL, "correctional center", "correctional facility", "corrections center")
        + _phrases(STATE_AGENCY, "department of corrections", "department of correction", "dept of corrections")
        + _phrases(STATE_AGENCY, "dept of correction", "doc", "division of corrections", "dps")
        + _phrases(STATE_AGENCY, "department of correctional services", "department of criminal justice")
        + _phrases(STATE_AGENCY, "department of public safety", "state police", "highway patrol", "state patrol")
        + _phrases(STATE_AGENCY, "bureau of investigation"),
        # Longest first: "sheriffs office" before "so", "department of corrections" before "doc".
        key=lambda entry: -len(entry[0]),
    )
)
# The kind a place's own name ends with: stripped to give its short name ("harris county" -> "harris").
_OWN_KIND_WORDS = {
    "county": ("county",),
    "parish": ("parish",),
    "borough": ("borough",),
    "city_and_borough": ("city", "and", "borough"),
    "census_area": ("census", "area"),
    "municipality": ("municipality",),
    "city": ("city",),
}


def _kind_fits(said: str | None, kind: str) -> bool:
    """Whether a unit of `kind` fits the kind word the query used. Only city and county-like must not mix:
    "Richmond city" is not Richmond County, but "Orleans County" for a parish is a slip worth forgiving."""
    if said is None or kind == "district":
        return True
    if said == "city":
        return kind in ("city", "city_and_borough")
    return kind != "city"


class _Reading(NamedTuple):
    key: str  # folded words
    said: str | None  # the kind the words name ("county", "city", ...), or None
    agency: str | None  # SHERIFF, POLICE, JAIL, STATE_AGENCY or None


def _by_word(entries, at: int) -> dict[str, list[tuple[tuple[str, ...], str, bool]]]:
    """Phrases indexed by their last (at=-1) or first (at=0) word, in the order they are tried."""
    index: dict[str, list] = {}
    for words, value, is_agency in entries:
        index.setdefault(words[at], []).append((words, value, is_agency))
    return index


# Agency forms before kind words ("harris co so": "so" first), longer phrases before shorter ones.
_SUFFIXES_BY_LAST = _by_word(
    [(words, value, True) for words, value in _AGENCY_SUFFIXES]
    + [(words, value, False) for words, value in _KIND_SUFFIXES],
    -1,
)
_PREFIXES_BY_FIRST = _by_word([(words, value, False) for words, value in _KIND_PREFIXES], 0)


def _peel(tokens: list[str]) -> tuple[list[str], str, bool] | None:
    """(the words left, what was peeled, whether it was an agency form) for one agency form or kind word at the
    end, or a kind prefix ("City of ..."); None when there is none. Never peels every word."""
    if len(tokens) < 2:
        return None
    for words, value, is_agency in _SUFFIXES_BY_LAST.get(tokens[-1], ()):
        if len(tokens) > len(words) and tuple(tokens[-len(words) :]) == words:
            return tokens[: -len(words)], value, is_agency
    for words, value, is_agency in _PREFIXES_BY_FIRST.get(tokens[0], ()):
        if len(tokens) > len(words) and tuple(tokens[: len(words)]) == words:
            return tokens[len(words) :], value, is_agency
    return None


def _readings(tokens: list[str]) -> list[_Reading]:
    """The ways to read a name's words, least stripped first: each agency form or kind word peeled off in turn."""
    readings = [_Reading(" ".join(tokens), None, None)]
    said = agency = None
    while (peeled := _peel(tokens)) is not None:
        tokens, value, is_agency = peeled
        if is_agency:
            agency = agency or value
        else:
            said = said or value
        # A police department belongs to a city unless its name says county ("Fairfax County Police").
        implied = "city" if agency == POLICE and said is None else said
        readings.append(_Reading(" ".join(tokens), implied, agency))
    return readings
