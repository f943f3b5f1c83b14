"""The importer's reading of a row: the one unit a state, a name and a FIPS code mean, or an error saying why not.

A part of the Matcher (jurisdictions/search/matcher.py), which it extends; it uses the Matcher's name matching and
returns English errors for editors (the import preview is in the admin's language, English).
"""

from __future__ import annotations

from jurisdictions.search.pieces import _ambiguous_error, _and, _clean_fips, _state_agency_error
from jurisdictions.search.records import Resolution, StateRef
from jurisdictions.search.words import POLICE, STATE_AGENCY, _readings


class Resolving:
    """`Matcher.resolve`: a row of an import to one unit."""

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
        towns = self._towns(readings, state.postal)
        if towns:
            # A city or town is not a unit of the tracker: name the counties it lies in, never pick one.
            where = "; ".join(
                f"{town.name}, {town.state} lies in {_and([unit.label for unit in self._town_units([town])])}"
                for town in towns[:3]
            )
            what = "a city police department" if last.agency == POLICE else "a city, town or community"
            return Resolution(
                error=f"“{name_text}” is {what}, not a county or county-equivalent ({where}): the tracker records "
                "counties and independent cities. Give the county instead, or its FIPS code.",
                suggestions=self._town_units(towns),
            )
        suggestions = self.closest(name_text, state.postal)
        if last.agency == POLICE:
            return Resolution(
                error=f"“{name_text}” is a city police department, and no independent city in {state.name} is called "
                f"that: the tracker records counties and independent cities. Give the county instead.",
                suggestions=suggestions,
            )
        return Resolution(error=f"No jurisdiction in {state.name} is called “{name_text}”.", suggestions=suggestions)

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
