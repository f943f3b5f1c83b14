"""Markup for every unit of a state, made in Python: the state's small map (on its page and on each of its
counties' pages) and the table of its units (on its page).

Texas has 254 counties and every page of the state draws them all, for whatever day was asked. Rendered by
template loops these were most of a page's time (the map 60 ms: two translated, date-formatted labels per county;
the table an include per row); here the words that depend on the day are made once per status and each unit's
markup is joined from escaped parts, about 1 ms for Texas. The templates that show them say what they hold
(`templates/jurisdictions/_state_map.html`, `state_detail.html`).
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
    link = _detail_link()
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


def _detail_link() -> str:
    """The detail route with `{}` for the FIPS code (and the page's language prefix, if any)."""
    return reverse("jurisdictions:jurisdiction_detail", args=["00000"]).replace("00000", "{}", 1)


def unit_table_rows(rows, as_of=None):
    """The `<tr>` of each row of a state's units table (safe markup): name linked to its page (keeping `as_of`),
    FIPS, status on the day, date of first activation ("—" for none)."""
    statuses = {
        status: f'<span class="status status-{status}">{escape(label)}</span>' for status, label in Status.choices
    }
    link = _detail_link()
    query = f"?as_of={as_of.isoformat()}" if as_of else ""
    markup = []
    for row in rows:
        unit, standing = row.unit, row.standing
        activated = standing.activated_on
        when = f'<time datetime="{activated.isoformat()}">{activated.isoformat()}</time>' if activated else "—"
        markup.append(
            f'<tr><th scope="row"><a href="{link.format(unit.fips)}{query}">{escape(unit.name)}</a>'
            f'<span class="narrow-only"> {unit.fips}</span></th><td class="col-fips">{unit.fips}</td>'
            f"<td>{statuses[standing.status]}</td><td>{when}</td></tr>"
        )
    return mark_safe("\n".join(markup))
