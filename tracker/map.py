"""County maps: SVG markup for a set of counties coloured by status on a date, and the numbers beside them.

The map draws today's 3,142 counties (``on_current_map``); the headline counts the 3,143 units of the 2008-2013
data (``in_dataset``). A successor unit (e.g. Kusilvak Census Area) is drawn with the status of the historical unit it
borrows from and is not counted; a retired unit (e.g. Wade Hampton) is counted but has no shape.

The server draws each county's status on the day (the as-of rule, jurisdictions/asof.py). So the browser can
recolour the map for another date without asking, each path carries its first activation date (``data-a``) and,
when its history is more than one activation (a scheduled date, a correction), its dated statuses (``data-t``,
"YYYY-MM-DD:class;..."); ``tests/test_home.py`` checks the browser's colouring against the server's.

Everything comes from the read-model snapshot (readmodel/snapshot.py); the per-county markup that depends only on
geometry, names and activation dates is kept (a few versions), and statuses on the day are filled in per request.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common import geometry
from common.dates import local_date, us_today
from jurisdictions import asof

# Short class names keep 3,142 paths small: a = activated, s = scheduled, n = not activated (yet); the fills mean
# the status, the same on every map (a state's map, jurisdictions/views.py, outlines its highlighted unit instead).
ACTIVATED_CLASS = "a"
SCHEDULED_CLASS = "s"
NOT_ACTIVATED_CLASS = "n"
# The rollout view colours a county by the half-year it was activated in: class "q0" (the first half-year with an
# activation) to "q9", beside its status class, under a figure of class "story"; map.css holds the palette.
# Half-years, not years: 2011 alone holds about 1,100 activations and 2012 over 1,000.
PERIOD_CLASS = "q"
STATUS_CLASSES = {asof.ACTIVATED: ACTIVATED_CLASS, "scheduled": SCHEDULED_CLASS}
NATIONAL_VIEW_BOX = f"0 0 {geometry.FRAME_WIDTH} {geometry.FRAME_HEIGHT}"


@dataclass(frozen=True)
class Unit:
    """One row of what the map and the headline need to know about a jurisdiction."""

    fips: str
    name: str
    state_fips: str
    state_postal: str
    state_name: str
    counted: bool
    on_map: bool
    activated_on: datetime.date | None
    borrows_from: str  # name of the historical unit whose data this one shows, or ""
    # Every dated status of a unit whose history is more than one activation (scheduled first, or deactivated),
    # "YYYY-MM-DD:s;YYYY-MM-DD:a": the browser draws the same status the server would on any day; "" otherwise.
    steps: str = ""


@dataclass
class StateRow:
    fips: str
    postal: str
    name: str
    activated: int = 0
    total: int = 0


@dataclass
class CountyMap:
    """What ``templates/tracker/_map.html`` renders (see the contract at the top of that file)."""

    day: datetime.date
    view_box: str
    paths: SafeString
    outlines: str
    count: int
    title: str
    units: list[Unit] = field(repr=False, default_factory=list)
    activated_fips: set[str] = field(repr=False, default_factory=set)
    periods: list["Period"] = field(default_factory=list)  # set in the rollout view (by_period=True) only


def _units(snapshot) -> list[Unit]:
    """Every unit on the map or in the counts, with its first activation date up to today (no query)."""
    today = us_today()
    units = sorted(snapshot.units.values(), key=lambda unit: unit.fips)
    return [
        Unit(
            unit.fips,
            unit.name,
            unit.state.fips,
            unit.state_id,
            unit.state.name,
            unit.in_dataset,
            unit.on_current_map,
            snapshot.standing(unit.fips, today).activated_on,
            unit.status_from.name if unit.status_from_id else "",
            _steps(snapshot.timelines[unit.fips]),
        )
        for unit in units
    ]


def _steps(timeline) -> str:
    """A timeline's dated statuses for the browser, unless it is the plain case (one activation, or none)."""
    if all(change.status == asof.ACTIVATED for change in timeline) and len(timeline) <= 1:
        return ""
    steps = [(change.effective_on, STATUS_CLASSES.get(change.status, NOT_ACTIVATED_CLASS)) for change in timeline]
    return ";".join(f"{day}:{css_class}" for day, css_class in steps)


@lru_cache(maxsize=8)
def _static_markup(units: tuple[tuple[str, str, str, str, str], ...], language: str) -> dict[str, tuple[str, str]]:
    """Per county: the link with its accessible name, and the path's date and geometry.

    Keyed by every (fips, label, activation date, borrowed-from note) and the language (the names and the links
    are in it), so an edit rebuilds it; statuses on a date are not in it, only the class that a request adds
    between the two halves.
    """
    paths = geometry.county_svg_paths()
    markup = {}
    for fips, label, activated_on, note, steps in units:
        if fips not in paths:
            continue
        url = reverse("jurisdictions:jurisdiction_detail", args=[fips])
        name = escape(f"{label} \u2014 {status_phrase(activated_on)}{note}")
        head = f'<a href="{url}" aria-label="{name}"'
        tail = f' data-a="{activated_on}"' if activated_on else ""
        if steps:
            tail += f' data-t="{steps}"'
        markup[fips] = (head, f'{tail} d="{paths[fips]}"/></a>')
    return markup


def status_phrase(activated_on: str | datetime.date | None) -> str:
    """What a county's accessible name says about its status: the date it was activated, if ever, in words.

    The name does not depend on the map's date, so recolouring never rewrites 3,142 names; the tooltip adds
    the status on the date shown.
    """
    if not activated_on:
        return _("not activated")
    if isinstance(activated_on, str):
        activated_on = datetime.date.fromisoformat(activated_on)
    return _("activated %(date)s") % {"date": local_date(activated_on, "long")}


def _iso(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def _label(unit: Unit) -> str:
    return f"{unit.name}, {unit.state_name}"


def _note(unit: Unit) -> str:
    return _(" (data recorded for %(name)s)") % {"name": unit.borrows_from} if unit.borrows_from else ""


@dataclass(frozen=True)
class Period:
    """A half-year of the rollout: its legend label, first and last day, and how many counted units it activated."""

    index: int
    label: str
    start: datetime.date
    end: datetime.date
    activated: int


def _half(day: datetime.date) -> tuple[int, int]:
    return day.year, 0 if day.month <= 6 else 1


def periods(units: list[Unit]) -> list[Period]:
    """The half-years from the first activation to the last, each with its count of counted units activated."""
    dates = [unit.activated_on for unit in units if unit.counted and unit.activated_on]
    if not dates:
        return []
    (year, half), last = _half(min(dates)), _half(max(dates))
    per_half = Counter(_half(day) for day in dates)
    found = []
    while (year, half) <= last:
        start = datetime.date(year, 7 if half else 1, 1)
        end = datetime.date(year, 12, 31) if half else datetime.date(year, 6, 30)
        # "2011 H1" (January to June); Spanish "2011 S1" (semestre).
        label = _("%(year)s H%(half)s") % {"year": year, "half": half + 1}
        found.append(Period(len(found), label, start, end, per_half[(year, half)]))
        year, half = (year + 1, 0) if half else (year, 1)
    return found


def period_class(day: datetime.date | None, first: list[Period]) -> str:
    """The class of a county activated on ``day`` in the rollout view; never activated keeps "n"."""
    if day is None or not first:
        return NOT_ACTIVATED_CLASS
    year0, half0 = _half(first[0].start)
    year, half = _half(day)
    return f"{PERIOD_CLASS}{(year - year0) * 2 + half - half0}"


def _geometry(snapshot) -> tuple[list[Unit], list[Unit], dict]:
    """The units of the map and their markup (names, links, geometry): kept per data version, US day and
    language, so a request only adds each county's colour for its day."""
    language = get_language()
    kept = snapshot.memo("map_geometry", dict)
    today = us_today()
    found = kept.get(language)
    if found is None or found[0] != today:
        units = _units(snapshot)
        drawn = [unit for unit in units if unit.on_map]
        markup = _static_markup(
            tuple((unit.fips, _label(unit), _iso(unit.activated_on), _note(unit), unit.steps) for unit in drawn),
            language,
        )
        found = kept[language] = (today, units, drawn, markup)
    return found[1:]


def county_map(snapshot, day: datetime.date, *, by_period: bool = False) -> CountyMap:
    """The national county map, coloured by status on ``day`` (a state's map is jurisdictions/views.py's).

    From the read-model snapshot: no query. ``by_period`` colours each county by the half-year of its activation
    instead (``map.periods`` lists them).
    """
    units, drawn, markup = _geometry(snapshot)
    rollout_periods = periods(units) if by_period else []
    statuses = snapshot.statuses(day)
    activated = {fips for fips, status in statuses.items() if status == asof.ACTIVATED}
    pieces = []
    for unit in drawn:
        if unit.fips not in markup:
            continue
        head, tail = markup[unit.fips]
        classes = STATUS_CLASSES.get(statuses.get(unit.fips), NOT_ACTIVATED_CLASS)
        if by_period:
            # Both: the half-year colours the map while the figure has class "story"; the status on the day is
            # there already, so leaving the rollout view is one class on the figure, not 3,142 writes.
            classes += " " + period_class(unit.activated_on, rollout_periods)
        # A successor: drawn, but its data (and its place in the counts) belong to the historical unit.
        extra = "" if unit.counted else ' data-s="1"'
        pieces.append(f'{head}><path data-fips="{unit.fips}" class="{classes}"{extra}{tail}')
    return CountyMap(
        day=day,
        view_box=NATIONAL_VIEW_BOX,
        paths=mark_safe("".join(pieces)),  # noqa: S308 - built from escaped names and numeric geometry
        outlines=_national_outlines(),
        count=len(pieces),
        title=_("Counties of the United States"),
        units=units,
        activated_fips=activated,
        periods=rollout_periods,
    )


@lru_cache(maxsize=1)
def _national_outlines() -> str:
    return "".join(geometry.state_svg_paths().values())


# --- numbers beside the map ------------------------------------------------------------------------------------


def state_rows(county_map: CountyMap) -> list[StateRow]:
    """Per state: counted units activated on the map's date, out of all counted units."""
    rows: dict[str, StateRow] = {}
    for unit in county_map.units:
        if not unit.counted:
            continue
        row = rows.setdefault(unit.state_fips, StateRow(unit.state_fips, unit.state_postal, unit.state_name))
        row.total += 1
        if unit.fips in county_map.activated_fips:
            row.activated += 1
    return sorted(rows.values(), key=lambda row: row.name)


def client_data(county_map: CountyMap, events: list, program_events: list) -> dict:
    """What map.js needs beyond the paths: counted units without a shape, state names, events, and the program's
    nationwide eras (so that a day after 2014-11-20 says the program was discontinued, as the server does)."""
    states = {unit.state_fips: unit.state_name for unit in county_map.units}
    return {
        # A phone's tap on a county opens its state's map (counties are a pixel or two across at 390 px).
        "postal": {unit.state_fips: unit.state_postal for unit in county_map.units},
        "day": county_map.day.isoformat(),
        "today": us_today().isoformat(),
        "eras": [
            {
                "date": event.occurred_on.isoformat(),
                "label": str(asof.program_status_on([event], event.occurred_on).label),
            }
            for event in program_events
        ],
        # Counted units with no shape on today's map still count in the headline and the state table.
        "unmapped": {
            unit.fips: unit.activated_on.isoformat() if unit.activated_on else None
            for unit in county_map.units
            if unit.counted and not unit.on_map
        },
        "states": states,
        "events": [{"date": event.occurred_on.isoformat(), "label": event_label(event)} for event in events],
    }


def key_days(snapshot, units: list[Unit]) -> list[dict]:
    """The rollout's turning points with the numbers of each day, from the snapshot (nothing written in here):
    the first activation, ICE's rescission of the agreements, and the day the last county was activated."""
    dates = [unit.activated_on for unit in units if unit.counted and unit.activated_on]
    if not dates:
        return []
    days = [("first", min(dates), _("First activation"))]
    if snapshot.rescission:
        days.append(("rescission", snapshot.rescission.occurred_on, _("ICE rescinds every state agreement")))
    days.append(("full", max(dates), _("Last county activated")))
    found = []
    for key, day, label in days:
        counts = snapshot.state_counts(day).values()
        activated = sum(row.activated for row in counts)
        found.append(
            {
                "key": key,
                "day": day,
                "label": label,
                "activated": activated,
                "total": sum(row.total for row in counts),
                "states": sum(1 for row in counts if row.activated),
            }
        )
    return found


def event_label(event) -> str:
    where = event.state.name if event.state_id else _("Nationwide")
    return f"{where}: {event.get_kind_display()}"


@dataclass
class Rollout:
    """The cumulative-activations chart: an SVG step line, axis ticks and event marks in a fixed frame."""

    width: int
    height: int
    line: str
    area: str
    ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    marks: list[dict]
    start: datetime.date
    end: datetime.date
    total: int
    per_year: list[tuple[int, int]]
    left: int = 44
    right: int = 8
    top: int = 40
    bottom: int = 24

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    def x(self, day: datetime.date) -> float:
        """Horizontal position of a date, clamped to the plot."""
        day = min(max(day, self.start), self.end)
        span = (self.end - self.start).days or 1
        return round(self.left + (self.plot_right - self.left) * (day - self.start).days / span, 1)


def rollout(county_map: CountyMap, events: list, *, width: int = 640, height: int = 250) -> Rollout:
    """Cumulative activations of counted units over time, from the same data as the map."""
    dates = sorted(unit.activated_on for unit in county_map.units if unit.counted and unit.activated_on)
    total = sum(1 for unit in county_map.units if unit.counted)
    start = datetime.date(dates[0].year, dates[0].month, 1) if dates else datetime.date(2008, 10, 1)
    last = dates[-1] if dates else datetime.date(2013, 1, 22)
    end = datetime.date(last.year, last.month, 1) + datetime.timedelta(days=62)
    chart = Rollout(width, height, "", "", [], [], [], start, end, total, [])
    plot_h = chart.plot_bottom - chart.top
    x = chart.x

    def y(n: int) -> float:
        return round(chart.plot_bottom - plot_h * n / (total or 1), 1)

    points = [(x(start), y(0))]
    cumulative = 0
    per_year: dict[int, int] = {}
    # A few hundred distinct dates, not one step per unit.
    for day, n in sorted(Counter(dates).items()):
        cumulative += n
        per_year[day.year] = per_year.get(day.year, 0) + n
        px = x(day)
        if points[-1][0] == px:
            points[-1] = (px, y(cumulative))
        else:
            points.append((px, points[-1][1]))
            points.append((px, y(cumulative)))
    points.append((x(end), points[-1][1]))
    chart.line = "M" + " ".join(f"{px},{py}" for px, py in points)
    chart.area = chart.line + f" L{x(end)},{chart.plot_bottom} L{x(start)},{chart.plot_bottom}Z"
    chart.ticks = [(x(datetime.date(year, 1, 1)), str(year)) for year in range(start.year + 1, end.year + 1)]
    step = 1000 if total > 2000 else 500
    chart.y_ticks = [(y(n), f"{n:,}") for n in range(0, total + 1, step)]
    # Numbered as in the list of events under the chart, which holds them all.
    for number, event in enumerate(events, 1):
        if start <= event.occurred_on <= end:
            chart.marks.append({"x": x(event.occurred_on), "n": number, "event": event, "label": event_label(event)})
    chart.per_year = sorted(per_year.items())
    return chart
