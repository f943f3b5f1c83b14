"""The epoch index (readmodel/epochs.py) gives, on every epoch boundary, the answer of the as-of rule
(jurisdictions/asof.py) applied unit by unit: over the shipped data and over generated datasets (hypothesis)."""

import datetime
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common import reading
from jurisdictions import asof
from jurisdictions.models import Status
from readmodel import epochs

D = datetime.date
ONE = datetime.timedelta(days=1)


def _boundaries(dates) -> list[datetime.date]:
    """Each date, the day before and the day after, and days outside every date."""
    days = {D(1990, 1, 1), D(2100, 1, 1)}
    for day in dates:
        days.update((day - ONE, day, day + ONE))
    return sorted(days)


def _expected_counts(units, timelines, counted, day) -> dict:
    """Counted units per state and status, and each state's latest first activation, unit by unit."""
    found: dict = {}
    for unit in units:
        if unit.fips not in counted:
            continue
        standing = asof.unit_status_on(timelines[unit.fips], day)
        by_status, latest = found.setdefault(unit.state_id, (dict.fromkeys(Status.values, 0), [None]))
        by_status[standing.status] += 1
        if standing.activated_on and (latest[0] is None or standing.activated_on > latest[0]):
            latest[0] = standing.activated_on
    return {postal: (by_status, latest[0]) for postal, (by_status, latest) in found.items()}


def test_every_epoch_boundary_of_the_shipped_data_answers_as_the_rule_does_unit_by_unit(dataset):
    snapshot = reading.current()
    eras = [event.occurred_on for event in snapshot.program_events]
    agreement_days = [change.effective_on for agreement in snapshot.agreements for change in agreement.timeline]
    days = _boundaries([*snapshot.epochs.dates, *eras, *agreement_days])
    assert len(snapshot.epochs.dates) > 100  # the shipped rollout changes on a few hundred dates
    counted = {unit.fips for unit in snapshot.counted}
    # A unit's own answer can change only on its own dates: each unit on each of its boundaries and the eras'.
    for fips, timeline in snapshot.timelines.items():
        for day in _boundaries([*(change.effective_on for change in timeline), *eras]):
            row = snapshot.row(fips, day)
            assert row.standing == asof.unit_status_on(timeline, day), (fips, day)
            assert row.timeline == tuple(c for c in timeline if c.effective_on <= day), (fips, day)
    # Answers over every unit (counts, the map's colouring, a status filter): on every boundary of any unit.
    for day in days:
        expected = {fips: asof.unit_status_on(timeline, day) for fips, timeline in snapshot.timelines.items()}
        counts = snapshot.state_counts(day)
        reference = _expected_counts(snapshot.ordered_units, snapshot.timelines, counted, day)
        for postal, row in counts.items():
            by_status, latest = reference.get(postal, (dict.fromkeys(Status.values, 0), None))
            assert (row.by_status, row.last_activation) == (by_status, latest), (postal, day)
        activated = {fips for fips, standing in expected.items() if standing.status == Status.ACTIVATED}
        assert snapshot.activated_fips(day) == activated, day
        scheduled = snapshot.scoped_rows(day, "all").with_status([Status.SCHEDULED])
        assert [row.fips for row in scheduled] == [
            unit.fips for unit in snapshot.ordered_units if expected[unit.fips].status == Status.SCHEDULED
        ], day
        assert snapshot.program_status(day) == asof.program_status_on(snapshot.program_events, day), day
        for agreement in snapshot.agreements:
            assert snapshot.agreement_status(agreement, day) == asof.agreement_status_on(agreement.timeline, day)


def test_the_era_boundaries_of_the_shipped_data_are_the_program_events(dataset):
    snapshot = reading.current()
    assert snapshot.program_status(D(2014, 11, 19)).code == asof.OPERATING
    assert snapshot.program_status(D(2014, 11, 20)).code == asof.DISCONTINUED
    assert snapshot.program_status(D(2017, 1, 24)).code == asof.DISCONTINUED
    assert snapshot.program_status(D(2017, 1, 25)).code == asof.REINSTATED


# --- generated datasets -----------------------------------------------------------------------------------------

STATES = ["AK", "CA", "TX"]
FIRST = D(2008, 10, 1)
# Dates from a short span, so that many units share change dates and some units change twice on one day.
_days = st.integers(min_value=0, max_value=40).map(lambda n: FIRST + datetime.timedelta(days=n))
_change = st.fixed_dictionaries(
    {
        "effective_on": _days,
        "status": st.sampled_from(Status.values),
        "disputed": st.booleans(),
        "alternative_date": _days,
        "earlier": st.lists(_days, max_size=1),
    }
)
_unit = st.fixed_dictionaries(
    {"state": st.sampled_from(STATES), "counted": st.booleans(), "changes": st.lists(_change, max_size=4)}
)


def _dataset(drawn):
    units, timelines, counted, pk = [], {}, set(), 0
    for number, spec in enumerate(drawn):
        fips = f"99{number:03d}"
        units.append(SimpleNamespace(fips=fips, state_id=spec["state"]))
        if spec["counted"]:
            counted.add(fips)
        changes = []
        for change in spec["changes"]:
            pk += 1
            changes.append(
                SimpleNamespace(
                    pk=pk,
                    effective_on=change["effective_on"],
                    status=change["status"],
                    confidence=asof.DISPUTED if change["disputed"] else "confirmed",
                    alternative_date=change["alternative_date"] if change["disputed"] else None,
                    earlier_reports=tuple(SimpleNamespace(effective_on=day) for day in change["earlier"]),
                )
            )
        timelines[fips] = tuple(asof.ordered(changes))
    return units, timelines, counted


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_unit, min_size=1, max_size=40))
def test_every_epoch_boundary_of_a_generated_dataset_answers_as_the_rule_does(drawn):
    units, timelines, counted = _dataset(drawn)
    index = epochs.UnitEpochs(units, timelines, counted=counted, states=STATES, statuses=Status.values)
    for day in _boundaries(index.dates):
        epoch = index.epoch(day)
        codes = index.codes(epoch)
        for position, unit in enumerate(units):
            expected = asof.unit_status_on(timelines[unit.fips], day)
            stage = index.stage(position, epoch)
            assert index.standings[position][stage] == expected
            assert index.lengths[position][stage] == sum(1 for c in timelines[unit.fips] if c.effective_on <= day)
            assert index.statuses[codes[position]] == expected.status
        reference = _expected_counts(units, timelines, counted, day)
        for postal, by_status, latest in index.counts(epoch):
            assert (by_status, latest) == reference.get(postal, (dict.fromkeys(Status.values, 0), None))


_event = st.fixed_dictionaries(
    {"occurred_on": _days, "kind": st.sampled_from([asof.PROGRAM_TERMINATED, asof.PROGRAM_REINSTATED, "other"])}
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_event, max_size=6), st.lists(st.tuples(_days, st.sampled_from(["in_force", "rescinded"])), max_size=5))
def test_generated_eras_and_agreements_answer_as_the_rule_does_on_every_boundary(events, changes):
    made = [SimpleNamespace(pk=n + 1, state_id=None, **event) for n, event in enumerate(events)]
    program = asof.program_events(made)
    eras = epochs.program_eras(program)
    timeline = asof.ordered(
        SimpleNamespace(pk=n + 1, effective_on=day, status=status) for n, (day, status) in enumerate(changes)
    )
    agreement = epochs.agreement_epochs(timeline)
    for day in _boundaries([*(event["occurred_on"] for event in events), *(day for day, _ in changes)]):
        assert eras.on(day) == asof.program_status_on(program, day)
        assert agreement.on(day) == asof.agreement_status_on(timeline, day)


@pytest.mark.parametrize("epoch_count", [0, 1, epochs.CHECKPOINT - 1, epochs.CHECKPOINT, 3 * epochs.CHECKPOINT + 5])
def test_status_codes_replayed_from_a_checkpoint_match_the_rule(epoch_count):
    units = [SimpleNamespace(fips="99001", state_id="TX")]
    changes = [
        SimpleNamespace(
            pk=n + 1,
            effective_on=FIRST + datetime.timedelta(days=n),
            status=Status.values[n % 3],
            confidence="confirmed",
            alternative_date=None,
        )
        for n in range(epoch_count)
    ]
    timelines = {"99001": tuple(changes)}
    index = epochs.UnitEpochs(units, timelines, counted={"99001"}, states=["TX"], statuses=Status.values)
    assert len(index.checkpoints) == epoch_count // epochs.CHECKPOINT + 1
    for day in _boundaries(index.dates):
        expected = asof.unit_status_on(changes, day).status
        assert index.statuses[index.codes(index.epoch(day))[0]] == expected
