"""A state's small map on its page and on each of its counties' pages: one SVG path per county on today's map,
coloured by its status on the day, the page's unit outlined.

Texas has 254 counties and every page of the state draws them all, for whatever day was asked. Rendered by a
template loop that was 60 ms a page (two translated, date-formatted labels per county); here the words that
depend on the day are made once per status and each county's markup is joined from escaped parts, about 1 ms.
What the markup holds is the contract of `templates/jurisdictions/_state_map.html`.
"""

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common import geometry
from common.dates import local_date
from jurisdictions.models import Status


def state_map(state, rows, day, as_of=None, current=()) -> dict | None:
    """What the state map partial renders: {"state", "view_box", "markup"} (markup: safe SVG, one
    `<a href aria-label><path d data-fips class><title>` per county), or None for a state without shapes.

    `rows` are snapshot rows of the state's units on `day`; a unit not on today's map has no shape. `as_of` (the
    day the reader asked for, if any) is kept in each link; `current` holds the FIPS codes to outline, drawn last
    so their outline is not hidden under a neighbour's."""
    try:
        view_box = geometry.state_view_box(state.fips)
    except KeyError:
        return None
    paths = geometry.county_svg_paths()
    on_day = local_date(day)
    words = {
        status: escape(_("status on %(on)s: %(status)s") % {"on": on_day, "status": str(label).lower()})
        for status, label in Status.choices
    }
    highlighted = escape(_("highlighted"))
    # Every county link is the detail route with another FIPS code (and the page's language prefix, if any).
    link = reverse("jurisdictions:jurisdiction_detail", args=["00000"]).replace("00000", "{}", 1)
    query = f"?as_of={as_of.isoformat()}" if as_of else ""
    shapes = sorted(
        ((row.unit.fips in current, row.unit.fips, row) for row in rows if row.unit.on_current_map),
        key=lambda shape: shape[:2],
    )
    markup = []
    for is_current, fips, row in shapes:
        d = paths.get(fips)
        if d is None:
            continue
        status = row.standing.status
        named = f"{escape(row.unit.name)} ({fips}) — {words[status]}"
        outline = " current" if is_current else ""
        markup.append(
            f'<a href="{link.format(fips)}{query}" tabindex="-1" aria-label="{named}'
            f'{", " + highlighted if is_current else ""}"><path d="{d}" data-fips="{fips}" '
            f'class="county status-{status}{outline}"><title>{named}</title></path></a>'
        )
    return {"state": state, "view_box": view_box, "markup": mark_safe("".join(markup))}
