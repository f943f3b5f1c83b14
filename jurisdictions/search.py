"""The one name normalizer and matcher: the list page, the API's `q`, the lookup suggestions and the importer.

People type county names the way they say them, and published lists spell them the way their clerks did:
"st louis", "Saint Louis", "ST. LOUIS CO.", "prince georges", "obrien", "lasalle", "Du Page", "harris tx",
"Harris Co. Sheriff's Office", "nyc", "brooklyn", "dc", "46102". `Matcher` reads all of them.

It is pure: it imports no Django model and works over plain records (`Place`, and the states as
(postal, fips, name)), so the read side can build one per data version from its snapshot, the importer from the
database, and the tests from the fixture files.

    matcher = Matcher(places, states)               # ~3,150 places: tens of ms; read-only afterwards
    result = matcher.search("harris tx", limit=10)  # Result: places (best first), states, did_you_mean, notes
    resolution = matcher.resolve("VA", "Richmond", "")  # Resolution: one place, or an error naming the candidates

A Matcher is never changed after it is built (its only moving part is an `functools.lru_cache`, which is
thread-safe), so one instance can serve every thread of a process.

How a query is read (`Matcher.search`):
1. Folded (`fold`): lower case, accents removed, apostrophes dropped ("O'Brien" -> "obrien"), other punctuation
   as spaces, "St."/"Ste."/"Saint" as "saint", "Ft." as "fort". A parenthesis that is not a state is dropped
   ("Kings County (Brooklyn)").
2. A trailing state name, postal code or AP abbreviation is taken as the state ("harris tx",
   "st louis missouri", "Harris County, Tex."), unless nothing would be left, or nothing in that state matches
   (then the words are read as part of the name: "harris co" is Harris County, not Harris in Colorado).
3. Agency forms and kind words are peeled off the end, one at a time, each step a "reading":
   "harris co sheriffs office" -> "harris co" -> "harris" (kind: county). "... Police Department" says an
   independent city; "<state> Department of Corrections" (and the like) is a state agency and matches no place.
4. The first reading with an exact match wins. Exact means: the Census name ("harris county"), the name without
   its kind word ("harris", if the kind fits what the query said: "Richmond city" is not "Richmond County"), the
   same with the spaces inside names removed ("lasalle" = "la salle"), or a well-known alias ("nyc", "brooklyn",
   "dc", "la county").
5. Then names starting with the query, names with a word starting with it, and names containing it (3+ letters).
   A query that said more than a bare name (a state, a kind word or an agency form) and matched exactly returns
   only its exact matches: "la county" is Los Angeles County, not every "La..." name.
6. Ranking: exact names first, then (for a query that is just a state) that state's own units, then the rest.
   Nothing found: `did_you_mean` holds the closest names (rapidfuzz, a few ms).

FIPS codes: five digits find the unit and the units that took its place or that it took its place from (46102
and 46113); the later codes the tracker does not hold, Alaska's 02063/02066 (2019) and Connecticut's planning
regions 09110-09190 (2022), find the period's units with a note saying why. Fewer digits match code prefixes.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz, process

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
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
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


def search_key(name: str) -> str:
    """The folded name without a trailing kind word. (Kept for callers of the old per-row matching.)"""
    return strip_kind(fold(name))


def rank(query: str, name: str, state_name: str = "", postal: str = "") -> int | None:
    """How well `name` matches `query`: lower is better, None is no match. Legacy, one row at a time.

    0: exact name; 1: name starts with the query; 2: a word of the name starts with it; 3: query names the
    state too ("cook il", "cook county illinois"); 4: contained anywhere. Superseded by `Matcher.search`, which
    also reads spacing inside names, aliases, agency forms and FIPS codes; kept until every caller uses it.
    """
    wanted = search_key(query)
    if not wanted:
        return None
    key = search_key(name)
    if wanted == key or compact(wanted) == compact(key):
        return 0
    if key.startswith(wanted) or compact(key).startswith(compact(wanted)):
        return 1
    if (" " + key).find(" " + wanted) >= 0:
        return 2
    for state_word in {fold(state_name), postal.lower()} - {""}:
        for candidate in (f"{key} {state_word}", f"{fold(name)} {state_word}"):
            if candidate.startswith(fold(query)) or candidate == fold(query):
                return 3
    if wanted in key:
        return 4
    return None


# --- records -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """One county or county-equivalent, as the matcher needs it.

    kind: county, parish, borough, city_and_borough, census_area, city (independent city), municipality, district
    (jurisdictions.models.Kind values). status_from: the unit whose history a unit on today's map reads (46102 ->
    "46113"), or "". replaced_by: the units that took a retired unit's place. change_note: what changed, in words.
    """

    fips: str
    name: str
    kind: str
    state_postal: str
    state_name: str
    state_fips: str
    on_current_map: bool = True
    in_dataset: bool = True
    status_from: str = ""
    replaced_by: tuple[str, ...] = ()
    change_note: str = ""

    @property
    def label(self) -> str:
        """ "Harris County, TX (48201)": how errors and suggestions name it."""
        return f"{self.name}, {self.state_postal} ({self.fips})"

    @classmethod
    def from_record(cls, unit, replaced_by: Iterable[str] = ()) -> Place:
        """A Place from any object shaped like a Jurisdiction row: fips, name, kind, state (postal, name, fips),
        on_current_map, in_dataset, status_from_id, change_note. Duck-typed, so this module imports no model;
        `replaced_by` is passed in because following that relation may cost a query."""
        return cls(
            fips=unit.fips,
            name=unit.name,
            kind=str(unit.kind),
            state_postal=unit.state.postal,
            state_name=unit.state.name,
            state_fips=unit.state.fips,
            on_current_map=unit.on_current_map,
            in_dataset=unit.in_dataset,
            status_from=unit.status_from_id or "",
            replaced_by=tuple(replaced_by),
            change_note=unit.change_note,
        )


class StateRef(NamedTuple):
    postal: str
    fips: str
    name: str


@dataclass(frozen=True, slots=True)
class Result:
    """What a query finds. Every field is a tuple (immutable: results are cached and shared between threads).

    places: best first; the first `exact` of them match the query exactly (the rest start with it, or contain it,
    or, for a query that is just a state, are that state's units). states: the states the query names or starts
    ("texas", "tx", "new" -> NH, NJ, NM, NY). did_you_mean: closest names, only when `places` is empty. notes:
    sentences to show beside the results (a later FIPS code explained, a renamed unit, a state agency, ...).
    """

    places: tuple[Place, ...] = ()
    states: tuple[StateRef, ...] = ()
    did_you_mean: tuple[Place, ...] = ()
    notes: tuple[str, ...] = ()
    exact: int = 0

    @property
    def fips(self) -> list[str]:
        return [place.fips for place in self.places]


@dataclass(frozen=True, slots=True)
class Resolution:
    """What one import row means: `place` (as the row names it: 46102 stays 46102; follow `status_from` for the
    unit whose history to write), or `error` (a sentence for the editor) with `suggestions`: the candidates of an
    ambiguous name, the period's units of a later code, or the closest names."""

    place: Place | None = None
    error: str = ""
    suggestions: tuple[Place, ...] = ()


@dataclass(frozen=True, slots=True)
class _Later:
    """A unit on a map later than the tracker's (a code it does not hold) and the period units that cover it."""

    fips: str
    name: str
    kind: str
    state: str
    covers: tuple[str, ...]
    note: str


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


# --- the matcher -------------------------------------------------------------------------------------------------

_TIER_EXACT, _TIER_STATE, _TIER_PREFIX, _TIER_WORD, _TIER_INSIDE = 0, 1, 2, 3, 4
_SEP = "\x00"
_PARENS = re.compile(r"\(([^()]*)\)")


class Matcher:
    """Finds places by any name people type. Build once per data version; then read-only and thread-safe.

    places: every unit (Place records; FIPS codes unique). states: (postal, fips, name) for the 50 states and DC.
    Raises ValueError for a repeated FIPS code.
    """

    def __init__(self, places: Iterable[Place], states: Iterable[tuple[str, str, str]]):
        self.places: tuple[Place, ...] = tuple(sorted(places, key=lambda place: place.fips))
        self.states: tuple[StateRef, ...] = tuple(StateRef(*state) for state in states)
        self._by_fips = {place.fips: index for index, place in enumerate(self.places)}
        if len(self._by_fips) != len(self.places):
            raise ValueError("Matcher: a FIPS code appears twice among the places.")
        self._state_by_postal = {state.postal: state for state in self.states}
        # State words, folded: postal codes, names, FIPS codes and AP abbreviations.
        self._state_keys: dict[str, StateRef] = {}
        for state in self.states:
            for key in (state.postal.lower(), fold(state.name), compact(fold(state.name)), state.fips):
                self._state_keys[key] = state
        for key, postal in _AP_STATES.items():
            if postal in self._state_by_postal:
                self._state_keys.setdefault(key, self._state_by_postal[postal])
        self._state_word_counts = sorted({len(key.split()) for key in self._state_keys}, reverse=True)

        self._full: list[str] = []  # folded Census name, per place index
        self._short: list[str] = []  # without its kind word
        self._full_index: dict[str, list[int]] = {}
        self._short_index: dict[str, list[int]] = {}
        self._by_state: dict[str, list[int]] = {}
        for index, place in enumerate(self.places):
            full = fold(place.name)
            short = _short_name(full, place.kind)
            self._full.append(full)
            self._short.append(short)
            for key in {full, compact(full)}:
                self._full_index.setdefault(key, []).append(index)
            for key in {short, compact(short)}:
                self._short_index.setdefault(key, []).append(index)
            self._by_state.setdefault(place.state_postal, []).append(index)
        for indexes in self._by_state.values():
            indexes.sort(key=lambda index: (self._full[index], index))
        # Prefix, word-prefix and substring search in one C-level scan: the folded names, nationally (key None)
        # and per state (an import row's closest names are looked for in its state only).
        groups: dict[str | None, list[int]] = {None: list(range(len(self.places))), **self._by_state}
        squeezed = [compact(full) for full in self._full]
        self._haystacks = {
            group: (
                _Haystack([(index, self._full[index]) for index in indexes]),
                _Haystack([(index, self._short[index]) for index in indexes]),
                _Haystack([(index, squeezed[index]) for index in indexes]),
            )
            for group, indexes in groups.items()
        }

        self._aliases = {
            key: tuple(self._by_fips[code] for code in codes if code in self._by_fips) for key, codes in ALIASES.items()
        }
        self._later_by_fips = {unit.fips: unit for unit in LATER_UNITS}
        self._later_by_name: dict[str, list[_Later]] = {}
        for unit in LATER_UNITS:
            full = fold(unit.name)
            for key in {full, compact(full), _short_name(full, unit.kind)}:
                self._later_by_name.setdefault(key, []).append(unit)
        # Fuzzy choices, as rapidfuzz wants them (index -> text), nationally (key None) and per state: the short
        # names (a misspelt "haris" is compared with "harris", not with its kind word too) and the full ones (for
        # names whose kind word is part of the name: "jaames city county" is nearest "james city county").
        self._fuzzy_choices = {
            group: ({index: self._short[index] for index in indexes}, {index: self._full[index] for index in indexes})
            for group, indexes in groups.items()
        }
        self._search_cached = functools.lru_cache(maxsize=4096)(self._search)

    # --- public -------------------------------------------------------------------------------------------------

    def place(self, fips: str) -> Place | None:
        """The place with this FIPS code, or None."""
        index = self._by_fips.get(fips)
        return None if index is None else self.places[index]

    def state(self, text: str) -> StateRef | None:
        """The state a text names: postal code ("tx"), name ("Texas"), FIPS code ("48") or AP abbreviation."""
        key = fold(text or "")
        return self._state_keys.get(key) or self._state_keys.get(compact(key))

    def search(self, query: str, *, limit: int | None = None) -> Result:
        """Everything `query` finds (see the module docstring for how it is read). `limit` caps `places`.

        Never raises for any text; an empty or punctuation-only query finds nothing. Queries longer than 100
        characters are cut there. Results are cached per Matcher (the same query costs a dictionary lookup).
        """
        result = self._search_cached((query or "")[:100])
        if limit is not None and len(result.places) > limit:
            return Result(
                result.places[:limit], result.states, result.did_you_mean, result.notes, min(result.exact, limit)
            )
        return result

    def resolve(self, state_text: str = "", name_text: str = "", fips_text: str = "") -> Resolution:
        """The one place an import row means, or an error saying why not.

        state_text: postal code, name or FIPS code of the state ("" if the file has none: then a trailing state in
        the name is read, "Harris County, TX"). name_text: any form `search` reads, plus agency forms. fips_text:
        a FIPS code (a dropped leading zero and a spreadsheet's ".0" are forgiven); when given, the name (if any)
        must mean the same unit. Errors: an unknown state; a FIPS code that is not a unit (a later code gets a hint
        naming the period's units); a FIPS code of another state or another name; no state; a state agency; a name
        that fits several units (all named: "Richmond" in Virginia is Richmond County and Richmond city); no match
        (with the closest names as suggestions).
        """
        state_text, name_text, fips_text = (state_text or "").strip(), (name_text or "").strip(), fips_text or ""
        state = None
        if state_text:
            state = self.state(state_text)
            if state is None:
                return Resolution(
                    error=f"“{state_text}” is not a state (give a postal code like TX, a name or a FIPS code)."
                )
        if fips_text.strip():
            return self._resolve_fips(state, name_text, _clean_fips(fips_text))
        if not name_text:
            return Resolution(error="The row has neither a jurisdiction name nor a FIPS code.")
        tokens = self._tokens(name_text)
        named, rest = self._trailing_state(tokens)
        if state is None:
            if named is None:
                return Resolution(
                    error=f"“{name_text}” has no state: add the state (or the FIPS code) so the name can be matched."
                )
            state = named
        # "Harris County, TX" in a TX row names Harris County; but "Washington DC" is a name as it stands.
        if named == state and (
            self._exact(_readings(rest), state.postal) or not self._exact(_readings(tokens), state.postal)
        ):
            tokens = rest
        readings = _readings(tokens)
        last = readings[-1]
        if last.agency == STATE_AGENCY and (self.state(last.key) or last.key in ("", "state")):
            return Resolution(error=_state_agency_error(name_text))
        found = self._exact(readings, state.postal)
        if len(found) == 1:
            return Resolution(place=self.places[found[0]])
        if found:
            return Resolution(error=_ambiguous_error(name_text, state, [self.places[i] for i in found]),
                              suggestions=tuple(self.places[i] for i in found))  # fmt: skip
        later = self._later_named(readings, state.postal)
        if later:
            return Resolution(error=" ".join(unit.note for unit in later), suggestions=self._covers(later))
        suggestions = self.closest(name_text, state.postal)
        if last.agency == POLICE:
            return Resolution(
                error=f"“{name_text}” is a city police department, and no independent city in {state.name} is called "
                f"that: the tracker records counties and independent cities. Give the county instead.",
                suggestions=suggestions,
            )
        return Resolution(error=f"No jurisdiction in {state.name} is called “{name_text}”.", suggestions=suggestions)

    def closest(self, text: str, postal: str | None = None, *, limit: int = 3) -> tuple[Place, ...]:
        """Up to `limit` places most like `text` (within a state if `postal`): names starting with or containing
        it first, then similar spellings (rapidfuzz). A few ms at most, so an import can afford one per row."""
        tokens = self._tokens(text)
        if postal is None:
            _, tokens = self._trailing_state(tokens)
        readings = _readings(tokens)
        picks = [index for _, index in self._loose(readings[0].key, postal)]
        if readings[-1].key != readings[0].key:
            picks += [index for _, index in self._loose(readings[-1].key, postal)]
        picks += self._fuzzy(readings, postal, limit)
        unique = list(dict.fromkeys(picks))
        return tuple(self.places[index] for index in unique[:limit])

    # --- search -------------------------------------------------------------------------------------------------

    def _search(self, query: str) -> Result:
        text = query.strip()
        if not text:
            return Result()
        digits = re.sub(r"[\s-]", "", text)
        if digits.isdigit():
            return self._search_fips(digits)
        tokens = self._tokens(text)
        if not tokens:
            return Result()
        whole_state = self.state(" ".join(tokens))
        states = self._states_for(tokens, whole_state)
        named, rest = self._trailing_state(tokens)
        attempts = [(named.postal, rest)] if named else []
        attempts.append((None, tokens))
        for postal, words in attempts:
            readings = _readings(words)
            last = readings[-1]
            if last.agency == STATE_AGENCY and (self.state(last.key) or last.key in ("", "state")):
                agency_state = self.state(last.key) or (named if named else None)
                return Result(states=(agency_state,) if agency_state else (), notes=(_state_agency_error(query),))
            exact = self._exact(readings, postal)
            later = self._later_named(readings, postal)
            qualified = postal is not None or len(readings) > 1
            ranked: list[tuple[tuple, int]] = [(self._sort_key(_TIER_EXACT, index), index) for index in exact]
            if later and not exact:
                ranked += [(self._sort_key(_TIER_EXACT, self._by_fips[code]), self._by_fips[code])
                           for code in self._cover_codes(later)]  # fmt: skip
            if whole_state is not None and postal is None:
                # The state's own units, in name order (the order of `_by_state`).
                own = self._by_state.get(whole_state.postal, ())
                ranked += [((_TIER_STATE, position), index) for position, index in enumerate(own)]
            if not (qualified and ranked):
                ranked += [(self._sort_key(tier, index), index) for tier, index in self._loose(readings[0].key, postal)]
            if not ranked:
                continue
            order = list(dict.fromkeys(index for _, index in sorted(ranked)))
            places = tuple(self.places[index] for index in order)
            notes = [unit.note for unit in later] + self._unit_notes(places[: len(exact)])
            if (
                last.agency == POLICE
                and last.said == "city"
                and not any(p.kind == "city" for p in places[: len(exact)])
            ):
                notes.append(_police_note(query))
            exact_count = len(set(exact)) or (len(set(self._cover_codes(later))) if later else 0)
            return Result(places, states, (), tuple(dict.fromkeys(notes)), exact_count)
        # Nothing: the closest names; for a query naming a state, that name in other states first.
        notes: list[str] = []
        suggestions: list[int] = []
        if named:
            readings = _readings(rest)
            elsewhere = self._exact(readings, None)
            suggestions += elsewhere
            notes.append(f"Nothing called “{' '.join(rest)}” in {named.name}.")
            suggestions += self._fuzzy(readings, named.postal, 5)
        readings = _readings(tokens)
        if readings[-1].agency == POLICE:
            notes.append(_police_note(query))
        suggestions += self._fuzzy(readings, None, 5)
        did_you_mean = tuple(self.places[index] for index in list(dict.fromkeys(suggestions))[:5])
        return Result(states=states, did_you_mean=did_you_mean, notes=tuple(notes))

    def _search_fips(self, digits: str) -> Result:
        if len(digits) == 4 and "0" + digits in self._by_fips:
            # Spreadsheets drop the leading zero of Alabama's 01001.
            digits = "0" + digits
        if len(digits) == 5:
            later = self._later_by_fips.get(digits)
            if later is not None:
                covers = self._covers([later])
                return Result(covers, notes=(later.note,), exact=len(covers))
            index = self._by_fips.get(digits)
            if index is None:
                return Result(notes=(f"No county or county-equivalent has the FIPS code {digits}.",))
            place = self.places[index]
            related = [place.status_from] if place.status_from else []
            related += [other.fips for other in self.places if other.status_from == place.fips]
            related += list(place.replaced_by)
            found = [place] + [
                self.places[self._by_fips[code]] for code in dict.fromkeys(related) if code in self._by_fips
            ]
            return Result(tuple(found), notes=tuple(self._unit_notes(found[:1])), exact=1)
        if len(digits) > 5:
            return Result()
        states = tuple(state for state in self.states if state.fips == digits)
        places = tuple(place for place in self.places if place.fips.startswith(digits))
        return Result(places, states)

    # --- matching -----------------------------------------------------------------------------------------------

    def _exact(self, readings: list[_Reading], postal: str | None) -> list[int]:
        """Exact matches of the first reading that has any, best first (Census name, then short name)."""
        for reading in readings:
            if not reading.key:
                continue
            found: dict[int, int] = {}
            for index in self._aliases.get(reading.key, ()):
                found.setdefault(index, 0)
            for key in (reading.key, compact(reading.key)):
                for index in self._full_index.get(key, ()):
                    found.setdefault(index, 0)
            for key in (reading.key, compact(reading.key)):
                for index in self._short_index.get(key, ()):
                    if _kind_fits(reading.said, self.places[index].kind):
                        found.setdefault(index, 1)
            if postal is not None:
                found = {index: sub for index, sub in found.items() if self.places[index].state_postal == postal}
            if found:
                return sorted(found, key=lambda index: (found[index], self._sort_key(_TIER_EXACT, index)))
        return []

    def _loose(self, key: str, postal: str | None) -> list[tuple[int, int]]:
        """(tier, index) of names that start with `key`, have a word starting with it, or contain it (3+ chars).

        Only the start of a Census name counts ("harris cou" -> "harris county"); words and fragments are looked
        for in the name without its kind word, or "co" would find every "... County" in the country."""
        if not key or (postal is not None and postal not in self._haystacks):
            return []
        full_names, short_names, squeezed_names = self._haystacks[postal]
        found: dict[int, int] = {}
        for index, before in short_names.hits(key):
            tier = _TIER_PREFIX if before == _SEP else _TIER_WORD if before == " " else _TIER_INSIDE
            if tier == _TIER_INSIDE and len(key) < 3:
                continue
            if tier < found.get(index, 99):
                found[index] = tier
        # Spacing inside names: "lasal" starts "la salle county", "dupage" starts "du page county".
        for haystack, needle in ((full_names, _SEP + key), (squeezed_names, _SEP + compact(key))):
            for index, _ in haystack.hits(needle):
                found[index] = _TIER_PREFIX
        return [(tier, index) for index, tier in found.items()]

    def _fuzzy(self, readings: list[_Reading], postal: str | None, limit: int) -> list[int]:
        """Indexes of the names most like the query, best first: its shortest reading against the short names and
        its whole words against the full names, by rapidfuzz's edit-distance ratio (72 or more).

        Plain ratio rather than WRatio: WRatio also scores partial overlaps, so "zzzz nowhere" came out close to
        "erie"; ratio keeps the misspellings people make ("mecklenberg", "pottawatamie", "st lous")."""
        if postal is not None and postal not in self._fuzzy_choices:
            return []
        short_names, full_names = self._fuzzy_choices[postal]
        best: dict[int, float] = {}
        for key, choices in ((readings[-1].key, short_names), (readings[0].key, full_names)):
            if not key:
                continue
            for _, score, index in process.extract(key, choices, scorer=fuzz.ratio, limit=limit, score_cutoff=72):
                best[index] = max(score, best.get(index, 0))
        ranked = sorted(best, key=lambda index: (-best[index], self._sort_key(_TIER_EXACT, index)))
        return ranked[:limit]

    def _sort_key(self, tier: int, index: int) -> tuple:
        place = self.places[index]
        # Counties before independent cities of the same name; today's units before retired ones.
        return (tier, place.kind == "city", not place.in_dataset, self._full[index], place.state_name, place.fips)

    # --- pieces -------------------------------------------------------------------------------------------------

    def _tokens(self, text: str) -> list[str]:
        """Folded words; a parenthesis is dropped unless it names a state ("Kings County (Brooklyn)", "Harris (TX)")."""

        def keep_state(match: re.Match) -> str:
            return f" {match.group(1)} " if self.state(match.group(1)) else " "

        return fold(_PARENS.sub(keep_state, text)).split()

    def _trailing_state(self, tokens: list[str]) -> tuple[StateRef | None, list[str]]:
        """(state, the other words) when the words end with a state and something is left; else (None, words)."""
        for count in self._state_word_counts:
            if len(tokens) > count:
                state = self._state_keys.get(" ".join(tokens[-count:]))
                if state is not None and not tokens[-count].isdigit():
                    return state, tokens[:-count]
        return None, tokens

    def _states_for(self, tokens: list[str], whole: StateRef | None) -> tuple[StateRef, ...]:
        """The state the whole query names, then states whose name starts with it ("new" -> four states)."""
        wanted = " ".join(tokens)
        states = [whole] if whole else []
        if len(wanted) > 1:
            states += [state for state in self.states if state not in states and fold(state.name).startswith(wanted)]
        return tuple(states)

    def _later_named(self, readings: list[_Reading], postal: str | None) -> list[_Later]:
        for reading in readings:
            for key in (reading.key, compact(reading.key)):
                units = [unit for unit in self._later_by_name.get(key, ()) if postal in (None, unit.state)]
                if units:
                    return units
        return []

    def _cover_codes(self, later: list[_Later]) -> list[str]:
        return [code for unit in later for code in unit.covers if code in self._by_fips]

    def _covers(self, later: list[_Later]) -> tuple[Place, ...]:
        return tuple(self.places[self._by_fips[code]] for code in dict.fromkeys(self._cover_codes(later)))

    def _unit_notes(self, places: Iterable[Place]) -> list[str]:
        """What changed, for exact matches that are retired units or today's units that replaced one."""
        return [
            f"{place.name}, {place.state_postal} ({place.fips}): {place.change_note}"
            for place in places
            if place.change_note and not (place.in_dataset and place.on_current_map)
        ]

    def _resolve_fips(self, state: StateRef | None, name_text: str, code: str) -> Resolution:
        later = self._later_by_fips.get(code)
        if later is not None:
            return Resolution(
                error=f"FIPS {code} is {later.name}, which the tracker does not hold. {later.note}",
                suggestions=self._covers([later]),
            )
        index = self._by_fips.get(code)
        if index is None:
            return Resolution(
                error=f"FIPS “{code}” is not a jurisdiction in the tracker.",
                suggestions=self.closest(name_text, state.postal if state else None) if name_text else (),
            )
        place = self.places[index]
        if state is not None and place.state_postal != state.postal:
            return Resolution(error=f"FIPS {code} is {place.name}, {place.state_name}, not in {state.name}.")
        if name_text:
            tokens = self._tokens(name_text)
            named, rest = self._trailing_state(tokens)
            if named is not None and named.postal == place.state_postal:
                tokens = rest
            meant = {self.places[i].fips for i in self._exact(_readings(tokens), place.state_postal)}
            # A renamed unit under either name: "Shannon County" with 46102, "Oglala Lakota" with 46113.
            same = {place.fips, place.status_from} | {other.fips for other in self.places if other.status_from == code}
            if not meant & (same - {""}):
                return Resolution(
                    error=f"FIPS {code} is {place.name}, {place.state_postal}, but the row names “{name_text}”."
                )
        return Resolution(place=place)


# --- helpers -----------------------------------------------------------------------------------------------------


def _short_name(full: str, kind: str) -> str:
    """A folded Census name without its own kind word: "harris county" -> "harris", "carson city" -> "carson"."""
    words = full.split()
    own = _OWN_KIND_WORDS.get(kind) or (("planning", "region") if kind == "planning_region" else ())
    if own and len(words) > len(own) and tuple(words[-len(own) :]) == own:
        return " ".join(words[: -len(own)])
    return full


class _Haystack:
    """Names in one string, so that finding a fragment in all of them is one C-level `str.find` loop rather than
    a Python loop over 3,150 names (or a regular expression compiled per query, which cost more than the scan)."""

    __slots__ = ("indexes", "starts", "text")

    def __init__(self, keys: list[tuple[int, str]]):
        self.indexes = [index for index, _ in keys]
        self.starts: list[int] = []
        position = 0
        for _, key in keys:
            self.starts.append(position)
            position += len(key) + 1
        self.text = "".join(_SEP + key for _, key in keys) + _SEP

    def hits(self, needle: str):
        """(place index, the character before the hit) for every occurrence of `needle`."""
        text, starts, indexes = self.text, self.starts, self.indexes
        at = text.find(needle)
        while at != -1:
            yield indexes[bisect.bisect_right(starts, at) - 1], text[at - 1]
            at = text.find(needle, at + 1)


def _clean_fips(text: str) -> str:
    code = text.strip()
    if re.fullmatch(r"\d+\.0+", code):
        code = code.split(".")[0]  # a spreadsheet that read the code as a number
    if code.isdigit() and len(code) == 4:
        code = "0" + code  # ... and dropped Alabama's leading zero
    return code


def _state_agency_error(text: str) -> str:
    return (
        f"“{text}” is a state agency, not a county or county-equivalent: Secure Communities was switched on "
        "county by county, so the tracker has no place for it. Leave the row out, or give the county it is about."
    )


def _police_note(text: str) -> str:
    return (
        f"“{text}” reads as a city police department; the tracker records counties and independent cities, so "
        "look for the county the city lies in."
    )


def _ambiguous_error(text: str, state: StateRef, places: list[Place]) -> str:
    named = [f"{place.name} ({place.fips})" for place in places]
    names = " and ".join(named) if len(named) == 2 else ", ".join(named)
    return (
        f"“{text}” fits more than one jurisdiction in {state.name}: {names}. Write the full name "
        f"(e.g. “{places[-1].name}”) or give the FIPS code."
    )
