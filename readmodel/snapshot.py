"""The read model: one snapshot of everything public, built once per data version and process.

Pages, the map, the API, stats and exports all answer from it (ARCHITECTURE.md, "One read model"); the database
is read only to build it (a fixed dozen queries, whatever the size of the data) and, on every request, for the
data version (common/reading.py). Everything in it is read-only once built: model instances whose related
rows are already attached (prefetched), so templates and serializers that follow a relation run no query.

Status on a date comes from the one as-of rule (jurisdictions/asof.py), applied once per data version at each
change date: the epoch index (readmodel/epochs.py) maps any day to its epoch by binary search, so a day's counts
are a lookup, a page of N rows makes N rows, and the full CSV joins lines encoded once per unit and standing.
"""

import datetime
import gc
import time
from typing import NamedTuple

from agreements.models import Agreement, Event
from common.dates import us_today
from common.reading import Version
from jurisdictions import asof, search
from jurisdictions.models import Jurisdiction, Source, State, Status
from readmodel import epochs
from readmodel.dayrows import DayRows, Encoded
from readmodel.rowdata import TABLES, read_rows


class UnitRow(NamedTuple):
    """A jurisdiction as an answer for one day shows it."""

    unit: Jurisdiction
    standing: asof.UnitStatus
    timeline: tuple  # its dated changes up to the day (own, or borrowed via status_from), oldest first
    stage: int = 0  # which of the unit's standings this is (0: before its first change): keys its encoded forms

    @property
    def fips(self) -> str:
        return self.unit.fips


class StateCounts(NamedTuple):
    """Counted units of one state on one day, per status; `last_activation` is the latest first activation."""

    state: State
    by_status: dict
    total: int
    last_activation: datetime.date | None

    @property
    def activated(self) -> int:
        return self.by_status[Status.ACTIVATED]

    @property
    def fully_activated_on(self) -> datetime.date | None:
        """The day the state's last counted unit was activated, if all were by the day; else None."""
        return self.last_activation if self.total and self.activated == self.total else None


class Snapshot:
    """Everything public at one data version. Build with `build(version)`; never modify what it holds."""

    def __init__(self, version: Version, *, states, sources, units, changes, agreements, events):
        self.version = version
        self.states: dict[str, State] = {state.postal: state for state in sorted(states, key=lambda s: s.name)}
        self.sources: dict[int, Source] = {source.pk: source for source in sources}
        self.units: dict[str, Jurisdiction] = {unit.fips: unit for unit in units}
        # The order of every list: state name, unit name, FIPS.
        self.ordered_units = sorted(units, key=lambda u: (self.states[u.state_id].name, u.name, u.fips))
        self.units_by_state: dict[str, list[Jurisdiction]] = {}
        for unit in self.ordered_units:
            self.units_by_state.setdefault(unit.state_id, []).append(unit)
        own: dict[str, list] = {}
        for change in changes:
            change.source = self.sources[change.source_id]
            own.setdefault(change.jurisdiction_id, []).append(change)
        self.timelines: dict[str, tuple] = {}
        for unit in units:
            unit.state = self.states[unit.state_id]
            history_unit = unit.status_from_id or unit.fips
            self.timelines[unit.fips] = tuple(asof.ordered(own.get(history_unit, ())))
            unit.attach_timeline(self.timelines[unit.fips])
            if unit.status_from_id:
                unit.status_from = self.units[unit.status_from_id]
        self.agreements: list[Agreement] = sorted(
            agreements, key=lambda a: (self.states[a.state_id].name, a.signed_on or datetime.date.max, a.pk)
        )
        self.agreements_by_id = {agreement.pk: agreement for agreement in self.agreements}
        self.agreements_by_state: dict[str, list[Agreement]] = {}
        for agreement in self.agreements:
            agreement.state = self.states[agreement.state_id]
            self.agreements_by_state.setdefault(agreement.state_id, []).append(agreement)
        self.events: list[Event] = sorted(events, key=lambda e: (e.occurred_on, e.pk))
        self.events_by_id = {event.pk: event for event in self.events}
        self.program_events = asof.program_events(self.events)
        # What identifies this snapshot's lines in the process's shared store of encoded lines (readmodel/dayrows.py).
        self._encoded_owner = object()
        # Each scope's units in list order, and their positions in it (what a day's rows are made from).
        kept_in = {
            "all": lambda unit: True,
            "counted": lambda unit: unit.in_dataset,
            "on_map": lambda unit: unit.on_current_map,
            "off_map": lambda unit: not unit.on_current_map,
        }
        self._scope_positions = {
            name: tuple(position for position, unit in enumerate(self.ordered_units) if keep(unit))
            for name, keep in kept_in.items()
        }
        self.scopes = {
            name: [self.ordered_units[position] for position in positions]
            for name, positions in self._scope_positions.items()
        }
        self.counted = self.scopes["counted"]
        self._memo: dict = {}
        self.build_seconds = 0.0
        # The newest release when this version was read (common.reading.Pinned), and the data version its
        # publication left: set by `build` from the database; a release's own snapshot has none.
        self.latest_release = None
        self.latest_release_version: int | None = None

    def index(self) -> None:
        """Build the epoch index (readmodel/epochs.py): once, after every dated change has its earlier reports."""
        self.epochs = epochs.UnitEpochs(
            self.ordered_units,
            self.timelines,
            counted={unit.fips for unit in self.counted},
            states=list(self.states),
            statuses=Status.values,
        )
        self._agreement_epochs = {
            agreement.pk: epochs.agreement_epochs(agreement.timeline) for agreement in self.agreements
        }
        self.eras = epochs.program_eras(self.program_events)

    # --- one day: an epoch of the index (readmodel/epochs.py), found by binary search -----------------------

    def _row_at(self, position: int, epoch: int) -> UnitRow:
        index = self.epochs
        stage = index.stage(position, epoch)
        unit = self.ordered_units[position]
        timeline = self.timelines[unit.fips]
        length = index.lengths[position][stage]
        return UnitRow(
            unit, index.standings[position][stage], timeline if length == len(timeline) else timeline[:length], stage
        )

    def row(self, fips: str, day: datetime.date) -> UnitRow | None:
        position = self.epochs.positions.get(fips)
        return None if position is None else self._row_at(position, self.epochs.epoch(day))

    def standing(self, fips: str, day: datetime.date) -> asof.UnitStatus:
        """A unit's standing on `day` (one bisect for the day, one into the unit's own few standings)."""
        position = self.epochs.positions[fips]
        return self.epochs.standings[position][self.epochs.stage(position, self.epochs.epoch(day))]

    def scoped_rows(self, day: datetime.date, scope: str) -> DayRows:
        """The rows of a scope on `day`, in list order, made as they are read: "counted" (the 3,143 of 2008-2013),
        "all", "on_map" (the 3,142 on today's map) or "off_map" (the 8 historical units without a shape)."""
        return DayRows(self, self.epochs.epoch(day), self._scope_positions[scope])

    def rows(self, day: datetime.date, units=None) -> list[UnitRow]:
        """Rows for `units` (default: every unit, in list order) on `day`."""
        epoch, positions = self.epochs.epoch(day), self.epochs.positions
        return [self._row_at(positions[unit.fips], epoch) for unit in (self.ordered_units if units is None else units)]

    def statuses(self, day: datetime.date, state: str | None = None) -> dict[str, str]:
        """Every unit's status on `day` (of one state, if given), by FIPS: the maps' and pictures' colouring, read
        from the epoch's status codes (one byte a unit)."""
        codes, names = self.epochs.codes(self.epochs.epoch(day)), self.epochs.statuses
        return {
            unit.fips: names[code]
            for unit, code in zip(self.ordered_units, codes, strict=True)
            if state is None or unit.state_id == state
        }

    def activated_fips(self, day: datetime.date, state: str | None = None) -> set[str]:
        """The FIPS codes of the units activated on `day` (of one state, if given)."""
        return {fips for fips, status in self.statuses(day, state).items() if status == Status.ACTIVATED}

    def encoded(self, kind: tuple) -> Encoded:
        """This version's encoded answers of one kind (a format and the site's address), filled by the caller: e.g.
        each unit's JSON per standing. Its share of the process's one store, bounded in bytes for every snapshot
        together (settings.ENCODED_CACHE_MB)."""
        return Encoded(self._encoded_owner, kind)

    def program_status(self, day: datetime.date) -> asof.ProgramStatus:
        return self.eras.on(day)

    def state_counts(self, day: datetime.date) -> dict[str, StateCounts]:
        """{postal: StateCounts} of the counted units on `day`, every state present (in name order): a lookup."""
        return {
            postal: StateCounts(self.states[postal], by_status, sum(by_status.values()), last)
            for postal, by_status, last in self.epochs.counts(self.epochs.epoch(day))
        }

    def agreement_status(self, agreement: Agreement, day: datetime.date) -> str | None:
        return self._agreement_epochs[agreement.pk].on(day)

    @property
    def rescission(self) -> Event | None:
        """ICE's nationwide rescission of every MOA (2011-08-05 in the shipped data), if recorded."""
        return next((event for event in self.events if event.kind == "moa_rescinded" and not event.state_id), None)

    def first_activations(self) -> dict[str, datetime.date]:
        """{postal: the first activation of a counted unit in the state}, for states with any activation."""

        def compute():
            firsts: dict[str, datetime.date] = {}
            for unit in self.counted:
                for change in self.timelines[unit.fips]:
                    if change.status == Status.ACTIVATED:
                        if unit.state_id not in firsts or change.effective_on < firsts[unit.state_id]:
                            firsts[unit.state_id] = change.effective_on
                        break
            return firsts

        return self.memo("first_activations", compute)

    def agreement_not_yet_sourced(self, postal: str, before: datetime.date) -> datetime.date | None:
        """For a state with no agreement on record whose counties were activated before `before` (ICE's
        rescission of every MOA): its first activation, which an MOA then usually preceded. Else None."""
        first = self.first_activations().get(postal)
        if postal in self.agreements_by_state or first is None or first >= before:
            return None
        return first

    def successors(self, unit: Jurisdiction) -> list[Jurisdiction]:
        return [self.units[fips] for fips in unit.successor_codes]

    # --- lookups and derived values ---------------------------------------------------------------------------

    @property
    def matcher(self) -> search.Matcher:
        """The one name matcher (jurisdictions/search.py) over this version's units, built on first use."""
        return self.memo(
            "matcher",
            lambda: search.Matcher(
                (search.Place.from_record(unit, unit.successor_codes) for unit in self.units.values()),
                ((state.postal, state.fips, state.name) for state in self.states.values()),
            ),
        )

    def memo(self, key: str, compute):
        """A value derived from this version's data (a download's shapes, a page's static parts), computed once.

        Keys are fixed names chosen by the code, never taken from a request, so this holds a bounded few values.
        """
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = compute()
        return found


class EarlierReport(NamedTuple):
    """A date a dated change carried before an edit or an import replaced it, with the source that gave it."""

    effective_on: datetime.date
    source: Source
    replaced_at: datetime.datetime

    @property
    def replaced_on(self) -> datetime.date:
        """The US (Eastern) day it was replaced on, as every surface says it."""
        return us_today(self.replaced_at)


class ArchivedDocument(NamedTuple):
    """What a public page says of a source's archived document (the bytes stay in the database)."""

    sha256: str
    media_type: str
    size: int
    retrieved_on: datetime.date


def _instances(model, table: dict) -> list:
    """Model instances from a table of rows, as if read from the database (no query is run)."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    columns = list(fields)
    if table["columns"] == columns:
        return [model.from_db("default", columns, row) for row in table["rows"]]
    # Rows frozen before a field was added or removed: known fields by name, new ones at their default.
    made = []
    for row in table["rows"]:
        given = dict(zip(table["columns"], row, strict=True))
        values = [given[name] if name in given else fields[name].get_default() for name in columns]
        made.append(model.from_db("default", columns, values))
    return made


def _prefetched(instance, name: str, items: list) -> None:
    """Attach `items` as `instance.<name>.all()`, as prefetch_related would: reading them runs no query."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = items
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def from_rows(version: Version, rows: dict) -> Snapshot:
    """A Snapshot labelled `version` from rows in the form of `read_rows()` (Python values: see `decode_rows`).

    The cyclic garbage collector is paused meanwhile: the build allocates tens of thousands of objects that all
    stay alive, and collections triggered on the way would scan the growing heap again and again (measured: a
    third of the build for the shipped data, most of it for ten times more; bench/snapshot_build.py).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _from_rows(version, rows)
    finally:
        if paused:
            gc.enable()


def _from_rows(version: Version, rows: dict) -> Snapshot:
    started = time.perf_counter()
    made = {name: _instances(model, rows[name]) for name, model in TABLES.items()}
    sources = {source.pk: source for source in made["sources"]}

    def cited(links: list) -> dict[int, list]:
        by_owner: dict[int, list] = {}
        for owner, source_id in links:
            by_owner.setdefault(owner, []).append(sources[source_id])
        return {owner: sorted(found, key=lambda s: (s.title, s.url, s.pk)) for owner, found in by_owner.items()}

    agreement_sources, event_sources = cited(rows["agreement_sources"]), cited(rows["event_sources"])
    # A release frozen before documents were kept has none.
    for source_id, sha256, media_type, size, retrieved_on in rows.get("documents", ()):
        retrieved = datetime.date.fromisoformat(retrieved_on)
        sources[source_id].archived_document = ArchivedDocument(sha256, media_type, size, retrieved)
    agreement_changes: dict[int, list] = {}
    for change in sorted(made["agreement_status_changes"], key=lambda c: (c.effective_on, c.pk)):
        agreement_changes.setdefault(change.agreement_id, []).append(change)
    for agreement in made["agreements"]:
        _prefetched(agreement, "status_changes", agreement_changes.get(agreement.pk, []))
        _prefetched(agreement, "sources", agreement_sources.get(agreement.pk, []))
    for event in made["events"]:
        _prefetched(event, "sources", event_sources.get(event.pk, []))
    snapshot = Snapshot(
        version,
        states=made["states"],
        sources=made["sources"],
        units=made["jurisdictions"],
        changes=sorted(made["status_changes"], key=lambda c: (c.effective_on, c.pk)),
        agreements=made["agreements"],
        events=made["events"],
    )
    reports: dict[int, list] = {}
    for change_id, day, source_id, replaced_at in rows["earlier_reports"]:
        reports.setdefault(change_id, []).append(EarlierReport(day, sources[source_id], replaced_at))
    for change in made["status_changes"]:
        # The rule of `replaced_reports` again, for releases frozen before it: a date of the same source is no report.
        change.earlier_reports = tuple(
            report for report in reports.get(change.pk, ()) if report.source.pk != change.source_id
        )
    # Relations that point into the snapshot use its own instances, so nothing follows them into the database.
    successors: dict[str, list[str]] = {}
    for old, new in rows["successors"]:
        successors.setdefault(old, []).append(new)
    for unit in snapshot.units.values():
        unit.successor_codes = successors.get(unit.fips, [])
    for agreement in snapshot.agreements:
        for change in agreement.status_changes.all():
            change.source = snapshot.sources[change.source_id]
            if change.event_id:
                change.event = snapshot.events_by_id[change.event_id]
    for event in snapshot.events:
        if event.state_id:
            event.state = snapshot.states[event.state_id]
    snapshot.index()
    snapshot.build_seconds = time.perf_counter() - started
    return snapshot


def build(version: Version) -> Snapshot:
    """Read every public row (a fixed number of queries) into a new Snapshot labelled `version`. The project adds
    the newest release (tracker/apps.py), which lives a layer above."""
    return from_rows(version, read_rows())
