"""The Matcher's pieces: the results being gathered, the one-string name scan, and the sentences it writes."""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from jurisdictions.search.records import PERIOD, PLACE, TODAY, Place, StateRef, Why
from jurisdictions.search.words import _OWN_KIND_WORDS

if TYPE_CHECKING:
    from jurisdictions.search.matcher import Matcher

_SEP = "\x00"

# Where the ZIP code table comes from, as the page says it (fixtures/lookup/manifest.json has the details).
ZIP_SOURCE = "zipcodes 3.0.0, June 2026"


class _Found:
    """Units found so far, in order, each with the first reason it was found for."""

    __slots__ = ("_found", "_matcher")

    def __init__(self, matcher: Matcher):
        self._matcher = matcher
        self._found: dict[int, Why] = {}

    def __len__(self) -> int:
        return len(self._found)

    def add(self, index: int, why: Why) -> None:
        self._found.setdefault(index, why)

    def add_town(self, town) -> None:
        by_fips = self._matcher._by_fips
        for code in town.counties:
            if code in by_fips:
                self.add(by_fips[code], Why(PLACE, town.name, town.state))

    def add_related(self) -> None:
        """After each unit found, the 2008-2013 unit today's unit was recorded under (Oglala Lakota County ->
        Shannon County), the units that took its place (46113 -> 46102), or the ones it was made from."""
        matcher = self._matcher
        by_fips, places = matcher._by_fips, matcher.places
        found: dict[int, Why] = {}
        for index, why in self._found.items():
            found.setdefault(index, why)
            place = places[index]
            if place.status_from in by_fips:
                found.setdefault(by_fips[place.status_from], Why(PERIOD, place.name, place.state_postal, place.fips))
            today = [code for code in matcher._successors.get(place.fips, ())] + list(place.replaced_by)
            for code in dict.fromkeys(today):
                if code in by_fips:
                    found.setdefault(by_fips[code], Why(TODAY, place.name, place.state_postal, place.fips))
        self._found = found

    def places(self) -> tuple[Place, ...]:
        return tuple(self._matcher.places[index] for index in self._found)

    def whys(self) -> tuple[Why, ...]:
        return tuple(self._found.values())


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


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


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
