"""Pictures to share, drawn on the server with Pillow from the project's own county shapes (common/geometry.py).

- The card a shared county or state link shows (`og:image`, 1200x630 PNG): the state's counties coloured by status
  on the day, the county picked out, and the status in words.
- The rollout: the national county map for one day as a PNG, and as an animated GIF, one frame per half-year of
  the rollout. Both carry their credit and licence (CC BY 4.0) in the picture.

Everything comes from the read-model snapshot (no query). A finished picture is kept per data version, release and
language (cachetools' LRUCache bounded in bytes), so a repeat costs a lookup; the key is made of the snapshot
(data version) and values the code computed, never request text. Fonts are DejaVu Sans from the system (Debian's
fonts-dejavu-core) when present, else Pillow's own font: nothing is downloaded.
"""

import datetime
import io
import threading
from functools import cache

import cachetools
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.text import capfirst
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from common import geometry
from common.dates import local_date, us_today
from common.fonts import font
from jurisdictions.models import Status
from tracker import map as county_maps

WIDTH, HEIGHT = 1200, 630
# Drawn at twice the size and scaled down: Pillow's polygons have no anti-aliasing of their own.
SUPERSAMPLE = 2
# The site's own colours (tracker/static/css/site.css and map.css).
INK = (26, 26, 26)
MUTED = (85, 85, 85)
BACKGROUND = (255, 255, 255)
PANEL = (244, 246, 248)
EDGE = (255, 255, 255)
STATE_EDGE = (51, 51, 51)
# The site's one colour vocabulary (tracker/static/css/map.css): fills mean the status on every map; the page's own
# unit is outlined, never filled in a colour of its own.
FILLS = {
    Status.ACTIVATED: (0x21, 0x66, 0xAC),  # --activated in site.css
    Status.SCHEDULED: (0x92, 0xC5, 0xDE),  # --scheduled
    Status.NOT_ACTIVATED: (0xFB, 0xDC, 0xA4),  # --not-activated
}
LICENCE = "CC BY 4.0"
# The rollout GIF's frames: shown for this long, the last one longer.
FRAME_MS = 900
LAST_FRAME_MS = 3000
# Finished pictures kept per process (a card is 30-80 KB, the GIF a few hundred).
KEPT_BYTES = 24 * 1024 * 1024

_kept: cachetools.LRUCache = cachetools.LRUCache(maxsize=KEPT_BYTES, getsizeof=len)
_kept_lock = threading.Lock()


def kept(snapshot, key: tuple, draw) -> bytes:
    """The picture `key` of this snapshot (data version) in the active language, drawn once and kept."""
    # A token made once per snapshot (one per data version and process, or per release): a new version, or a
    # version number that a rolled-back write used before, never finds another snapshot's pictures.
    full = (snapshot.memo("pictures", object), get_language(), *key)
    with _kept_lock:
        found = _kept.get(full)
    if found is None:
        found = draw()
        if len(found) <= KEPT_BYTES // 4:
            with _kept_lock:
                _kept[full] = found
    return found


def forget() -> None:
    """Drop every kept picture (tests)."""
    with _kept_lock:
        _kept.clear()


# --- drawing ---------------------------------------------------------------------------------------------------


class Canvas:
    """A picture drawn at `scale` times its size; coordinates are given at the final size."""

    def __init__(self, width: int = WIDTH, height: int = HEIGHT, scale: int = SUPERSAMPLE):
        self.width, self.height, self.scale = width, height, scale
        self.image = Image.new("RGB", (width * scale, height * scale), BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)

    def rectangle(self, box, fill) -> None:
        s = self.scale
        self.draw.rectangle([v * s for v in box], fill=fill)

    def text(self, xy, text: str, size: int, *, fill=INK, bold: bool = False, anchor: str = "la") -> None:
        s = self.scale
        self.draw.text((xy[0] * s, xy[1] * s), text, font=font(size * s, bold), fill=fill, anchor=anchor)

    def text_width(self, text: str, size: int, bold: bool = False) -> float:
        return self.draw.textlength(text, font=font(size * self.scale, bold)) / self.scale

    def wrapped(self, xy, text: str, size: int, width: float, *, bold=False, fill=INK, lines=3, leading=1.2) -> float:
        """Text broken into lines of at most `width` (words kept whole; the last line cut with an ellipsis);
        returns the y under it."""
        x, y = xy
        for line in wrap(self, text, size, width, bold=bold, lines=lines):
            self.text((x, y), line, size, fill=fill, bold=bold)
            y += size * leading
        return y

    def shapes(self, drawn: list, bounds, box, *, edge=EDGE, edge_width: float = 0.6) -> None:
        """Fill `drawn` [(polygons, fill, outline or None)] from the Albers frame's `bounds` into `box` (x, y, w, h),
        scaled to fit and centred."""
        x0, y0, x1, y1 = bounds
        bx, by, bw, bh = box
        k = min(bw / max(x1 - x0, 1e-9), bh / max(y1 - y0, 1e-9))
        ox = bx + (bw - (x1 - x0) * k) / 2
        oy = by + (bh - (y1 - y0) * k) / 2
        s = self.scale
        line = max(1, round(edge_width * s))
        for polygons, fill, outline in drawn:
            for polygon in polygons:
                # Only the outer ring: a county inside another (an independent city) is drawn after it, on top.
                ring = [((ox + (x - x0) * k) * s, (oy + (y - y0) * k) * s) for x, y in polygon[0]]
                if len(ring) >= 3:
                    width = line if outline is None else 4 * s
                    self.draw.polygon(ring, fill=fill, outline=outline or edge, width=width)

    def swatch(self, xy, fill, label: str, size: int = 22, border: int = 2) -> None:
        x, y = xy
        self.rectangle((x, y, x + size, y + size), fill=INK if border > 2 else STATE_EDGE)
        self.rectangle((x + border, y + border, x + size - border, y + size - border), fill=fill)
        self.text((x + size + 10, y + size / 2), label, size - 2, fill=INK, anchor="lm")

    def png(self) -> bytes:
        out = io.BytesIO()
        self.final().save(out, format="PNG", optimize=True)
        return out.getvalue()

    def final(self) -> Image.Image:
        if self.scale == 1:
            return self.image
        return self.image.resize((self.width, self.height), Image.Resampling.LANCZOS)


def wrap(canvas: Canvas, text: str, size: int, width: float, *, bold=False, lines=3) -> list[str]:
    words, found, current = text.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and canvas.text_width(candidate, size, bold) > width:
            found.append(current)
            current = word
        else:
            current = candidate
    if current:
        found.append(current)
    if len(found) > lines:
        found = found[:lines]
        found[-1] = found[-1].rstrip(",.;") + "…"
    return found


@cache
def _draw_order() -> list[str]:
    """County FIPS codes, largest first: a county inside another's hole is drawn after it (on top)."""
    polygons = geometry.frame_polygons("counties")

    def area(fips):
        total = 0.0
        for polygon in polygons[fips]:
            ring = polygon[0]
            total += abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))) / 2
        return total

    return sorted(polygons, key=lambda fips: (-area(fips), fips))


def _state_fills(snapshot, postal: str, day: datetime.date, current=frozenset()) -> dict[str, tuple]:
    statuses = snapshot.statuses(day, postal)
    return {
        unit.fips: FILLS[Status(statuses[unit.fips])]
        for unit in snapshot.ordered_units
        if unit.state_id == postal and unit.on_current_map
    }


def _state_map(canvas: Canvas, snapshot, state, day, box, current=frozenset()) -> bool:
    """The state's counties in `box`; False when the state has no shapes (nothing drawn)."""
    try:
        bounds = geometry.state_bounds(state.fips)
    except KeyError:
        return False
    fills = _state_fills(snapshot, state.postal, day, current)
    polygons = geometry.frame_polygons("counties")
    order = [fips for fips in _draw_order() if fips in fills]
    drawn = [(polygons[fips], fills[fips], None) for fips in order if fips not in current]
    drawn += [(polygons[fips], fills[fips], INK) for fips in order if fips in current]
    canvas.shapes(drawn, bounds, box)
    return True


def _footer(canvas: Canvas, credit: str) -> None:
    canvas.rectangle((0, HEIGHT - 44, WIDTH, HEIGHT), fill=PANEL)
    canvas.text((40, HEIGHT - 22), credit, 18, fill=MUTED, anchor="lm")


def _site_credit() -> str:
    return _("Secure Communities tracker") + f" · {LICENCE}"


def _program_note(snapshot, day) -> str:
    # The program's own nationwide state when it is not running as rolled out, in the home page's short words.
    from tracker.views import ERA_MARKS

    program = snapshot.program_status(day)
    return "" if program.code == "operating" else capfirst(str(ERA_MARKS.get(program.code, program.label)))


# --- the cards (og:image) --------------------------------------------------------------------------------------

MAP_BOX = (30, 30, 600, 526)
TEXT_X = 670
TEXT_WIDTH = WIDTH - TEXT_X - 40


def _day_line(as_of, day) -> str:
    if as_of:
        return _("Status on %(day)s") % {"day": local_date(day)}
    return _("Status today (%(day)s)") % {"day": local_date(day)}


def jurisdiction_card(snapshot, row, day: datetime.date, as_of) -> bytes:
    """The 1200x630 PNG for a county's page: its state's map with the county (or the area it is drawn under)
    picked out, its name, and its status on `day`."""
    unit = row.unit
    current = frozenset({unit.fips} | {other.fips for other in snapshot.successors(unit)})
    standing = row.standing
    key = ("jurisdiction", unit.fips, day, bool(as_of))
    return kept(snapshot, key, lambda: _jurisdiction_card(snapshot, unit, standing, day, as_of, current))


def _jurisdiction_card(snapshot, unit, standing, day, as_of, current) -> bytes:
    canvas = Canvas()
    _state_map(canvas, snapshot, unit.state, day, MAP_BOX, current)
    x = TEXT_X
    canvas.text((x, 40), _("Secure Communities tracker"), 24, fill=MUTED)
    y = canvas.wrapped((x, 84), unit.name, 50, TEXT_WIDTH, bold=True, lines=3)
    y = canvas.wrapped((x, y + 4), unit.state.name + f" · FIPS {unit.fips}", 28, TEXT_WIDTH, fill=MUTED, lines=2)
    status = Status(standing.status)
    label = str(status.label)
    pill = canvas.text_width(label, 34, bold=True) + 36
    canvas.rectangle((x, y + 24, x + pill, y + 84), fill=FILLS[status] if status != Status.NOT_ACTIVATED else INK)
    canvas.text((x + 18, y + 54), label, 34, fill=BACKGROUND, bold=True, anchor="lm")
    y += 104
    if standing.activated_on:
        said = _("Activated on %(date)s") % {"date": local_date(standing.activated_on)}
    else:
        ever = unit.standing_on().activated_on
        said = (
            _("Not yet activated (activated on %(date)s)") % {"date": local_date(ever)}
            if ever
            else _("No activation is recorded")
        )
    y = canvas.wrapped((x, y), said, 28, TEXT_WIDTH, lines=2)
    y = canvas.wrapped((x, y + 8), _day_line(as_of, day), 24, TEXT_WIDTH, fill=MUTED, lines=2)
    note = _program_note(snapshot, day)
    if note:
        canvas.wrapped((x, y + 8), note, 22, TEXT_WIDTH, fill=MUTED, lines=3)
    legend_y = _legend(canvas, x, HEIGHT - 44 - 4 * LEGEND_STEP)
    label = _("This jurisdiction") if unit.on_current_map else _("Its area today")
    canvas.swatch((x, legend_y), BACKGROUND, label, border=5)
    _footer(canvas, _site_credit())
    return canvas.png()


def state_card(snapshot, state, day: datetime.date, as_of) -> bytes:
    """The 1200x630 PNG for a state's page: its counties coloured by status on `day`, and the count."""
    key = ("state", state.postal, day, bool(as_of))
    return kept(snapshot, key, lambda: _state_card(snapshot, state, day, as_of))


def _state_card(snapshot, state, day, as_of) -> bytes:
    canvas = Canvas()
    _state_map(canvas, snapshot, state, day, MAP_BOX)
    counts = snapshot.state_counts(day)[state.postal]
    x = TEXT_X
    canvas.text((x, 40), _("Secure Communities tracker"), 24, fill=MUTED)
    y = canvas.wrapped((x, 84), state.name, 56, TEXT_WIDTH, bold=True, lines=2)
    canvas.text((x, y + 20), f"{counts.activated} / {counts.total}", 64, bold=True, fill=FILLS[Status.ACTIVATED])
    y += 104
    said = ngettext(
        "%(activated)s of %(total)s jurisdiction activated as of %(on)s",
        "%(activated)s of %(total)s jurisdictions activated as of %(on)s",
        counts.total,
    ) % {"activated": counts.activated, "total": counts.total, "on": local_date(day)}
    y = canvas.wrapped((x, y), said, 28, TEXT_WIDTH, lines=3)
    y = canvas.wrapped((x, y + 8), _day_line(as_of, day), 24, TEXT_WIDTH, fill=MUTED, lines=2)
    note = _program_note(snapshot, day)
    if note:
        canvas.wrapped((x, y + 8), note, 22, TEXT_WIDTH, fill=MUTED, lines=3)
    _legend(canvas, x, HEIGHT - 44 - 3 * LEGEND_STEP)
    _footer(canvas, _site_credit())
    return canvas.png()


LEGEND_STEP = 34


def _legend(canvas: Canvas, x: float, y: float) -> float:
    """The status colours, as every map of the site names them; returns the y below them."""
    for status in (Status.ACTIVATED, Status.SCHEDULED, Status.NOT_ACTIVATED):
        canvas.swatch((x, y), FILLS[status], str(status.label))
        y += LEGEND_STEP
    return y


# --- the rollout (downloads) -----------------------------------------------------------------------------------

ROLLOUT_MAP_BOX = (20, 96, 800, 480)


def rollout_credit() -> str:
    """The credit drawn into the rollout pictures (and said beside them on /downloads/)."""
    return _("Map: Secure Communities tracker, %(licence)s. Data: Alsan & Yang (2018), Asad & Baer-Bositis (2025).") % {
        "licence": LICENCE
    }


def _national_fills(snapshot, day) -> dict[str, tuple]:
    statuses = snapshot.statuses(day)
    return {unit.fips: FILLS[Status(statuses[unit.fips])] for unit in snapshot.ordered_units if unit.on_current_map}


def _rollout_frame(snapshot, day: datetime.date, scale: int) -> Canvas:
    canvas = Canvas(scale=scale)
    counts = snapshot.state_counts(day).values()
    activated = sum(row.activated for row in counts)
    total = sum(row.total for row in counts)
    states = sum(1 for row in counts if row.activated)
    canvas.text((40, 28), _("Secure Communities, county by county"), 34, bold=True)
    canvas.text((40, 76), local_date(day), 26, fill=MUTED)
    polygons = geometry.frame_polygons("counties")
    fills = _national_fills(snapshot, day)
    drawn = [(polygons[fips], fills[fips], None) for fips in _draw_order() if fips in fills]
    frame = (0, 0, geometry.FRAME_WIDTH, geometry.FRAME_HEIGHT)
    canvas.shapes(drawn, frame, ROLLOUT_MAP_BOX, edge_width=0.3)
    outlines = [(polygons_, None, STATE_EDGE) for polygons_ in geometry.frame_polygons("states").values()]
    _outline(canvas, outlines, frame, ROLLOUT_MAP_BOX)
    x = 840
    canvas.text((x, 130), intcomma(activated), 72, bold=True, fill=FILLS[Status.ACTIVATED])
    y = canvas.wrapped(
        (x, 220),
        _("of %(total)s jurisdictions activated") % {"total": intcomma(total)},
        28,
        WIDTH - x - 30,
        lines=3,
    )
    y = canvas.wrapped(
        (x, y + 10),
        ngettext("in %(states)s state", "in %(states)s states", states) % {"states": states},
        28,
        WIDTH - x - 30,
        lines=2,
    )
    _legend(canvas, x, 450)
    canvas.rectangle((0, HEIGHT - 44, WIDTH, HEIGHT), fill=PANEL)
    canvas.text((30, HEIGHT - 22), rollout_credit(), 16, fill=MUTED, anchor="lm")
    return canvas


def _outline(canvas: Canvas, drawn: list, bounds, box) -> None:
    """State borders over the counties: each ring as a line, not a filled polygon."""
    x0, y0, x1, y1 = bounds
    bx, by, bw, bh = box
    k = min(bw / (x1 - x0), bh / (y1 - y0))
    ox, oy = bx + (bw - (x1 - x0) * k) / 2, by + (bh - (y1 - y0) * k) / 2
    s = canvas.scale
    for polygons, _fill, colour in drawn:
        for polygon in polygons:
            ring = [((ox + (x - x0) * k) * s, (oy + (y - y0) * k) * s) for x, y in polygon[0]]
            if len(ring) >= 2:
                canvas.draw.line(ring, fill=colour, width=max(1, s), joint="curve")


def rollout_png(snapshot, day: datetime.date) -> bytes:
    """The national county map on `day` (1200x630 PNG), with the count and the credit."""
    return kept(snapshot, ("rollout.png", day), lambda: _rollout_frame(snapshot, day, SUPERSAMPLE).png())


def rollout_days(snapshot) -> list[datetime.date]:
    """The GIF's frames: the last day of each half-year of the rollout, the last one the day of the last activation."""
    units = county_maps._units(snapshot)
    found = county_maps.periods(units)
    last = max((unit.activated_on for unit in units if unit.counted and unit.activated_on), default=None)
    return [min(period.end, last) for period in found] if last else []


def rollout_gif(snapshot) -> bytes:
    """The rollout as an animated GIF, one 1200x630 frame per half-year, looping."""
    return kept(snapshot, ("rollout.gif",), lambda: _rollout_gif(snapshot))


@cache
def _palette() -> Image.Image:
    # Every colour the frames use, plus greys for anti-aliased text: one palette for all frames, no dithering.
    colours = [BACKGROUND, INK, MUTED, PANEL, STATE_EDGE, *FILLS.values()]
    colours += [(v, v, v) for v in range(0, 256, 17)]
    flat = [channel for colour in colours for channel in colour]
    image = Image.new("P", (1, 1))
    image.putpalette(flat + flat[:3] * (256 - len(colours)))
    return image


def _rollout_gif(snapshot) -> bytes:
    days = rollout_days(snapshot)
    if not days:
        days = [us_today()]
    frames = [
        _rollout_frame(snapshot, day, 1).final().quantize(palette=_palette(), dither=Image.Dither.NONE) for day in days
    ]
    out = io.BytesIO()
    frames[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=[FRAME_MS] * (len(frames) - 1) + [LAST_FRAME_MS],
        loop=0,
        optimize=False,
        disposal=1,
    )
    return out.getvalue()
