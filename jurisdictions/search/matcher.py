"""The Matcher: every place a typed name, agency form or FIPS code means (see the package docstring)."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable

from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext_lazy
from rapidfuzz import fuzz, process

from jurisdictions.search.records import Place, Resolution, Result, StateRef, _Later
from jurisdictions.search.words import (
    _AP_STATES,
    _OWN_KIND_WORDS,
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
_SEP = "\x00"
_PARENS = re.compile(r"\(([^()]*)\)")


def _pick_note(english: str, spanish: str) -> str:
    return spanish if spanish and get_language() == "es" else english


_pick_note_lazy = lazy(_pick_note, str)


def _note_in_language(place: Place):
    """A unit's change note in the language of the page that shows it (results are cached across languages)."""
    return _pick_note_lazy(place.change_note, place.change_note_es)


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
            # Lazy: results are cached across requests and languages; each page says it in its own language.
            notes.append(
                format_lazy(
                    gettext_lazy("Nothing called “{words}” in {state}."), words=" ".join(rest), state=named.name
                )
            )
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
                return Result(
                    notes=(
                        format_lazy(
                            gettext_lazy("No county or county-equivalent has the FIPS code {fips}."), fips=digits
                        ),
                    )
                )
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

    def _unit_notes(self, places: Iterable[Place]) -> list:
        """What changed, for exact matches that are retired units or today's units that replaced one."""
        return [
            format_lazy("{}, {} ({}): {}", place.name, place.state_postal, place.fips, _note_in_language(place))
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
    return format_lazy(
        gettext_lazy(
            "“{text}” reads as a city police department; the tracker records counties and independent cities, so "
            "look for the county the city lies in."
        ),
        text=text,
    )


def _ambiguous_error(text: str, state: StateRef, places: list[Place]) -> str:
    named = [f"{place.name} ({place.fips})" for place in places]
    names = " and ".join(named) if len(named) == 2 else ", ".join(named)
    return (
        f"“{text}” fits more than one jurisdiction in {state.name}: {names}. Write the full name "
        f"(e.g. “{places[-1].name}”) or give the FIPS code."
    )
