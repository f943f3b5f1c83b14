"""The Matcher: every place a typed name, agency form or FIPS code means (see the package docstring)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext_lazy
from rapidfuzz import fuzz, process

from jurisdictions.search import gazetteer as lookup
from jurisdictions.search import spanish
from jurisdictions.search.codes import CodeSearch
from jurisdictions.search.pieces import (
    _SEP,
    _Found,
    _Haystack,
    _police_note,
    _short_name,
    _state_agency_error,
)
from jurisdictions.search.records import (
    ALIAS,
    LATER,
    NAME,
    PARTIAL,
    PLACE,
    STATE,
    Place,
    Result,
    StateRef,
    Why,
    _Later,
)
from jurisdictions.search.resolve import Resolving
from jurisdictions.search.words import (
    _AP_STATES,
    ALIASES,
    LATER_UNITS,
    POLICE,
    STATE_AGENCY,
    _kind_fits,
    _Reading,
    _readings,
    compact,
    fold,
)

# --- the matcher -------------------------------------------------------------------------------------------------

_TIER_EXACT, _TIER_STATE, _TIER_PREFIX, _TIER_WORD, _TIER_INSIDE = 0, 1, 2, 3, 4
_PARENS = re.compile(r"\(([^()]*)\)")
_ZIP_PLUS_4 = re.compile(r"(\d{5})\s*-\s*\d{4}")
_SHIPPED = object()
# Kind words a place name may come with: none, "city" ("kansas city police", "city of chicago") or "municipio".
_PLACE_KINDS = (None, "city", "municipality")


def _pick_note(english: str, spanish: str) -> str:
    return spanish if spanish and get_language() == "es" else english


_pick_note_lazy = lazy(_pick_note, str)


def _note_in_language(place: Place):
    """A unit's change note in the language of the page that shows it (results are cached across languages)."""
    return _pick_note_lazy(place.change_note, place.change_note_es)


class Matcher(Resolving, CodeSearch):
    """Finds places by any name people type. Build once per data version; then read-only and thread-safe.

    places: every unit (Place records; FIPS codes unique). states: (postal, fips, name) for the 50 states and DC.
    gazetteer: the cities, towns and ZIP codes to read (default: the shipped tables, fixtures/lookup/; None: none).
    Raises ValueError for a repeated FIPS code.
    """

    def __init__(
        self,
        places: Iterable[Place],
        states: Iterable[tuple[str, str, str]],
        *,
        gazetteer: lookup.Gazetteer | None = _SHIPPED,  # type: ignore[assignment]
    ):
        self.gazetteer = lookup.shipped() if gazetteer is _SHIPPED else gazetteer or lookup.EMPTY
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
        for key, postal in (_AP_STATES | spanish.STATES).items():
            if postal in self._state_by_postal:
                self._state_keys.setdefault(key, self._state_by_postal[postal])
        # What a state's name may start with, in English or Spanish ("new" -> four states, "carolina" -> two).
        self._state_names = [
            (state, [fold(state.name)] + [key for key, postal in spanish.STATES.items() if postal == state.postal])
            for state in self.states
        ]
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
        # Today's units that read a 2008-2013 unit's history (46113 -> 46102), by that unit's code.
        self._successors: dict[str, list[str]] = {}
        for place in self.places:
            if place.status_from:
                self._successors.setdefault(place.status_from, []).append(place.fips)
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
        return result if limit is None else result.limited(limit)

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
            plus_4 = _ZIP_PLUS_4.fullmatch(text)
            return self._search_codes(plus_4.group(1) if plus_4 else digits)
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
            hits, at = self._exact_hits(readings, postal)
            towns = self._towns(readings, postal, at if hits else None)
            found = _Found(self)
            # Big places before counties of their name, smaller ones after: "houston" is Harris County first.
            named_units = {index for index, _ in hits}
            for town in towns:
                # ... unless the place is a unit found by its name ("st louis": the counties, then the city).
                codes = {self._by_fips.get(code) for code in town.counties}
                if town.population >= lookup.BIG_PLACE and not codes <= named_units:
                    found.add_town(town)
            for index, by in sorted(hits, key=lambda hit: self._sort_key(_TIER_EXACT, hit[0])):
                found.add(index, Why(by))
            for town in towns:
                if town.population < lookup.BIG_PLACE:
                    found.add_town(town)
            found.add_related()
            later = [] if found else self._later_named(readings, postal)
            for unit in later:
                for code in self._cover_codes([unit]):
                    found.add(self._by_fips[code], Why(LATER, unit.name, unit.state, unit.fips))
            exact_count = len(found)
            qualified = postal is not None or len(readings) > 1
            if whole_state is not None and postal is None:
                # The state's own units, in name order (the order of `_by_state`).
                for index in self._by_state.get(whole_state.postal, ()):
                    found.add(index, Why(STATE, state=whole_state.postal))
            if not (qualified and found):
                loose = sorted(
                    (self._sort_key(tier, index), index) for tier, index in self._loose(readings[0].key, postal)
                )
                for _, index in loose:
                    found.add(index, Why(PARTIAL))
            if not found:
                continue
            places = found.places()
            notes = [unit.note for unit in later] + self._unit_notes(places[:exact_count])
            if (
                last.agency == POLICE
                and last.said == "city"
                and not towns
                and not any(p.kind == "city" for p in places[:exact_count])
            ):
                notes.append(_police_note(query))
            return Result(places, states, (), tuple(dict.fromkeys(notes)), exact_count, found.whys())
        # Nothing: the closest names; for a query naming a state, that name in other states first.
        notes: list[str] = []
        suggestions = _Found(self)
        if named:
            readings = _readings(rest)
            for index in self._exact(readings, None):
                suggestions.add(index, Why(NAME))
            # Lazy: results are cached across requests and languages; each page says it in its own language.
            notes.append(
                format_lazy(
                    gettext_lazy("Nothing called “{words}” in {state}."), words=" ".join(rest), state=named.name
                )
            )
            for index in self._fuzzy(readings, named.postal, 5):
                suggestions.add(index, Why(NAME))
        readings = _readings(tokens)
        if readings[-1].agency == POLICE:
            notes.append(_police_note(query))
        self._closest_with_towns(readings, suggestions)
        did_you_mean = suggestions.places()[:5]
        return Result(
            states=states, did_you_mean=did_you_mean, notes=tuple(notes), did_you_mean_why=suggestions.whys()[:5]
        )

    # --- matching -----------------------------------------------------------------------------------------------

    def _exact(self, readings: list[_Reading], postal: str | None) -> list[int]:
        """Exact matches of the first reading that has any, best first (Census name, then short name)."""
        return [index for index, _ in self._exact_hits(readings, postal)[0]]

    def _exact_hits(self, readings: list[_Reading], postal: str | None) -> tuple[list[tuple[int, str]], int]:
        """([(index, NAME or ALIAS)], position of the reading) for the first reading with exact matches, best
        first (another name or the Census name, then the name without its kind word); ([], -1) for none.

        A kind word that some match has ("parroquia orleans": a parish) keeps those alone; one that none has is a
        slip worth forgiving ("Orleans County" for the parish)."""
        for position, reading in enumerate(readings):
            if not reading.key:
                continue
            found: dict[int, tuple[int, str]] = {}
            for key, by in self._keys(reading.key):
                for index in self._aliases.get(key, ()):
                    found.setdefault(index, (0, ALIAS))
                for index in self._full_index.get(key, ()):
                    found.setdefault(index, (0, by))
            short: dict[int, tuple[int, str]] = {}
            for key, by in self._keys(reading.key):
                for index in self._short_index.get(key, ()):
                    if index not in found and _kind_fits(reading.said, self.places[index].kind):
                        short.setdefault(index, (1, by))
            if reading.said and any(self.places[index].kind == reading.said for index in short):
                short = {index: hit for index, hit in short.items() if self.places[index].kind == reading.said}
            found |= short
            if postal is not None:
                found = {index: hit for index, hit in found.items() if self.places[index].state_postal == postal}
            if found:
                ordered = sorted(found, key=lambda index: (found[index][0], self._sort_key(_TIER_EXACT, index)))
                return [(index, found[index][1]) for index in ordered], position
        return [], -1

    def _keys(self, key: str) -> list[tuple[str, str]]:
        """(key, NAME) for a folded name and its spaceless form, then (key, ALIAS) for its English forms."""
        keys = [(key, NAME), (compact(key), NAME)]
        keys += [(other, ALIAS) for english in spanish.NAMES.get(key, ()) for other in (english, compact(english))]
        return keys

    def _towns(self, readings: list[_Reading], postal: str | None, units_at: int | None = None) -> list:
        """The places (cities, towns, communities) the first fitting reading names, largest first.

        A reading fits when it said no kind, or "city" / "municipio", and no agency but a police department. When
        units matched at reading `units_at`, later readings are not tried, nor that one if it said "city"
        ("richmond city", "city of richmond": the independent city, not every Richmond)."""
        if not len(self.gazetteer):
            return []
        last = len(readings) - 1 if units_at is None else units_at
        for position, reading in enumerate(readings[: last + 1]):
            if not reading.key or reading.said not in _PLACE_KINDS or reading.agency not in (None, POLICE):
                continue
            if position == units_at and reading.said == "city":
                continue
            towns = {}
            for key, _ in self._keys(reading.key):
                for town in self.gazetteer.named(key, postal):
                    towns.setdefault(town, None)
            if towns:
                return sorted(towns, key=lambda town: -town.population)
        return []

    def _town_units(self, towns) -> tuple[Place, ...]:
        found = _Found(self)
        for town in towns:
            found.add_town(town)
        found.add_related()
        return found.places()

    def _closest_with_towns(self, readings: list[_Reading], found: _Found) -> None:
        """Add the names most like the query to `found`: unit names and the larger places' names, best first."""
        scored = [(score, index, Why(NAME)) for index, score in self._fuzzy_scored(readings, None, 5)]
        key = readings[0].key
        choices = self.gazetteer.fuzzy_choices
        if key and choices:
            for _, score, position in process.extract(key, choices, scorer=fuzz.ratio, limit=3, score_cutoff=80):
                town = self.gazetteer.fuzzy_places[position]
                for code in town.counties[:1]:
                    if code in self._by_fips:
                        scored.append((score, self._by_fips[code], Why(PLACE, town.name, town.state)))
        for _, index, why in sorted(scored, key=lambda item: -item[0]):
            found.add(index, why)

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
        return [index for index, _ in self._fuzzy_scored(readings, postal, limit)]

    def _fuzzy_scored(self, readings: list[_Reading], postal: str | None, limit: int) -> list[tuple[int, float]]:
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
        return [(index, best[index]) for index in ranked[:limit]]

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
            states += [
                state
                for state, names in self._state_names
                if state not in states and any(name.startswith(wanted) for name in names)
            ]
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

    def _unit_notes(self, places: Iterable[Place]) -> list:
        """What changed, for exact matches that are retired units or today's units that replaced one."""
        return [
            format_lazy("{}, {} ({}): {}", place.name, place.state_postal, place.fips, _note_in_language(place))
            for place in places
            if place.change_note and not (place.in_dataset and place.on_current_map)
        ]
