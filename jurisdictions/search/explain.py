"""Why a unit is in a search's results, in words, in the language of the page that shows it.

Results are cached across requests and languages, so they hold `Why` records; the words are made here, at the
moment a page, a suggestion or an API answer is written.
"""

from django.utils.translation import gettext as _

from jurisdictions.search.records import (
    ALIAS,
    FIPS,
    LATER,
    NAME,
    PARTIAL,
    PERIOD,
    PLACE,
    STATE,
    TODAY,
    ZIP,
    Why,
)


def explain(why: Why | None, unit_name: str) -> str:
    """One sentence: "Chicago, IL is a place in Cook County.", "ZIP code 60614 (Chicago, IL) is filed under Cook
    County.", "Today's unit for Shannon County (46113)." ..."""
    by = why.by if why else PARTIAL
    values = {
        "unit": unit_name,
        "place": why.name if why else "",
        "name": why.name if why else "",
        "state": why.state if why else "",
        "code": why.code if why else "",
    }
    if by == NAME:
        return _("Its name matches.")
    if by == ALIAS:
        return _("Another name for it.")
    if by == PLACE:
        return _("%(place)s, %(state)s is a place in %(unit)s.") % values
    if by == ZIP and why.rank:
        return _("ZIP code %(code)s (%(place)s, %(state)s) also reaches into %(unit)s.") % values
    if by == ZIP:
        return _("ZIP code %(code)s (%(place)s, %(state)s) is filed under %(unit)s.") % values
    if by == FIPS:
        return _("FIPS code %(code)s.") % values
    if by == PERIOD:
        return _("The 2008–2013 data record %(name)s (%(code)s) under this unit.") % values
    if by == TODAY:
        return _("Today's unit for %(name)s (%(code)s).") % values
    if by == LATER:
        return _("Holds part of %(name)s (%(code)s), a later unit.") % values
    if by == STATE:
        return _("A unit of the state you named.")
    return _("Part of its name matches.")


def matched(why: Why | None, unit_name: str) -> dict:
    """The `matched` object of an API or suggestion result: `by` (name, alias, place, zip, fips, period, today,
    later, state, partial) and `text`."""
    return {"by": why.by if why else PARTIAL, "text": explain(why, unit_name)}
