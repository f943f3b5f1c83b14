"""Searches by digits: a FIPS code (whole or a state's prefix), a ZIP code, or both at once.

A part of the Matcher (jurisdictions/search/matcher.py), which it extends.
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from jurisdictions.search.pieces import ZIP_SOURCE, _Found
from jurisdictions.search.records import FIPS, LATER, PARTIAL, ZIP, Result, Why


class CodeSearch:
    """`Matcher.search` for a query of digits."""

    def _search_codes(self, digits: str) -> Result:
        """A FIPS code, a ZIP code, or both ("48201" is Harris County's FIPS code and a Detroit ZIP code)."""
        if len(digits) == 4 and "0" + digits not in self._by_fips and self.gazetteer.zip_code("0" + digits):
            digits = "0" + digits  # a spreadsheet's ZIP code without its leading zero
        by_fips = self._search_fips(digits)
        zip_code = self.gazetteer.zip_code(digits) if len(digits) == 5 else None
        if zip_code is None:
            return by_fips
        found = _Found(self)
        for place, why in zip(by_fips.places, by_fips.why, strict=True):
            found.add(self._by_fips[place.fips], why)
        fips_found = len(found)
        for rank, code in enumerate(zip_code.counties):
            if code in self._by_fips:
                found.add(self._by_fips[code], Why(ZIP, zip_code.city, zip_code.state, zip_code.code, rank))
        found.add_related()
        notes = list(by_fips.notes) if fips_found else []
        notes.append(
            format_lazy(
                gettext_lazy(
                    "ZIP codes are postal delivery routes, not areas, and some cross county lines: {zip} is listed "
                    "under the county the Postal Service files it in, then any other county its centre lies in "
                    "(ZIP code table: {source})."
                ),
                zip=zip_code.code,
                source=ZIP_SOURCE,
            )
        )
        places = found.places()
        return Result(places, by_fips.states, (), tuple(notes), len(places), found.whys())

    def _search_fips(self, digits: str) -> Result:
        if len(digits) == 4 and "0" + digits in self._by_fips:
            # Spreadsheets drop the leading zero of Alabama's 01001.
            digits = "0" + digits
        if len(digits) == 5:
            later = self._later_by_fips.get(digits)
            if later is not None:
                covers = self._covers([later])
                why = Why(LATER, later.name, later.state, later.fips)
                return Result(covers, notes=(later.note,), exact=len(covers), why=(why,) * len(covers))
            index = self._by_fips.get(digits)
            if index is None:
                return Result(
                    notes=(
                        format_lazy(
                            gettext_lazy("No county or county-equivalent has the FIPS code {fips}."), fips=digits
                        ),
                    )
                )
            found = _Found(self)
            found.add(index, Why(FIPS, code=digits))
            found.add_related()
            return Result(
                found.places(), notes=tuple(self._unit_notes([self.places[index]])), exact=1, why=found.whys()
            )
        if len(digits) > 5:
            return Result()
        states = tuple(state for state in self.states if state.fips == digits)
        places = tuple(place for place in self.places if place.fips.startswith(digits))
        return Result(places, states, why=(Why(PARTIAL),) * len(places))
