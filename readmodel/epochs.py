"""The epoch index: what every answer for a day needs, precomputed once per data version.

The rollout changes on a few hundred distinct dates (epochs), not every day. Between two change dates nothing any
answer shows can differ, so the snapshot (readmodel/snapshot.py) computes, in one pass at build time:

- the sorted change dates; a day maps to its epoch by binary search (`epoch`): epoch e is "the first e dates have
  passed", epoch 0 is before any change;
- per unit, the epochs at which its standing changes and its standing from each (the as-of rule of
  jurisdictions/asof.py applied at each of its own change dates, nowhere else), so a row for a day is one bisect
  into a tuple of two or three entries;
- per epoch, the counted units per state and status and each state's latest activation (flat integer arrays), so
  a day's counts are a lookup;
- every unit's status code at every CHECKPOINT-th epoch (one byte a unit) plus the units each epoch changes, so a
  status filter or the map's colouring for any day replays at most CHECKPOINT - 1 epochs of changes;
- per agreement and for the program's nationwide eras, their change dates and what each starts.

Nothing here is kept per day asked: memory is fixed by the data, whatever days readers ask for.
"""

import datetime
from array import array
from bisect import bisect_right

from jurisdictions import asof

# Epochs between two full copies of every unit's status code (one byte a unit); at most this many minus one
# epochs of changes are replayed for a status filter or the map's colouring.
CHECKPOINT = 16
# The standing of a unit with no change on or before the day (the as-of rule's answer for an empty history).
NEVER = asof.unit_status_on((), datetime.date.min)


class UnitEpochs:
    """The epoch index of units: `units` in list order, `timelines` {fips: oldest-first changes}, `counted` the
    FIPS codes counted in totals, `states` the state postal codes in name order, `statuses` every status code."""

    def __init__(self, units, timelines: dict, *, counted: set, states: list, statuses: list):
        self.dates: tuple = tuple(sorted({change.effective_on for unit in units for change in timelines[unit.fips]}))
        epoch_of = {day: index + 1 for index, day in enumerate(self.dates)}
        self.positions: dict[str, int] = {unit.fips: position for position, unit in enumerate(units)}
        self.statuses = list(statuses)
        code_of = {status: code for code, status in enumerate(self.statuses)}
        self.states = list(states)
        state_index = {postal: index for index, postal in enumerate(self.states)}
        # Per unit (by position): the epochs its standing changes at, its standing from each (index 0: before
        # any), and how many of its dated changes have taken effect by then (its timeline up to the day).
        self.steps: list[tuple] = []
        self.standings: list[tuple] = []
        self.lengths: list[tuple] = []
        changed_at: list[list[int]] = [[] for _ in range(len(self.dates) + 1)]
        for position, unit in enumerate(units):
            timeline = timelines[unit.fips]
            steps, standings, lengths = [], [NEVER], [0]
            for count, change in enumerate(timeline, start=1):
                day = change.effective_on
                if count < len(timeline) and timeline[count].effective_on == day:
                    continue  # the last change of a day settles it
                steps.append(epoch_of[day])
                standings.append(asof.unit_status_on(timeline, day))
                lengths.append(count)
                changed_at[epoch_of[day]].append(position)
            self.steps.append(tuple(steps))
            self.standings.append(tuple(standings))
            self.lengths.append(tuple(lengths))
        self.changed_at = [tuple(positions) for positions in changed_at]
        # The sweep over epochs: counts per state and status, latest activation per state, checkpoints of codes.
        width = len(self.statuses)
        tallies = array("i", bytes(4 * len(self.states) * width))
        latest = array("i", bytes(4 * len(self.states)))  # date ordinals, 0 for none
        codes = bytearray(len(units))
        stage = [0] * len(units)
        counted_at = [unit.fips in counted for unit in units]
        state_at = [state_index[unit.state_id] for unit in units]
        not_activated = code_of[NEVER.status]
        for position in range(len(units)):
            codes[position] = not_activated
            if counted_at[position]:
                tallies[state_at[position] * width + not_activated] += 1
        self.tallies: list[array] = []
        self.latest: list[array] = []
        self.checkpoints: list[bytes] = []
        for epoch in range(len(self.dates) + 1):
            for position in self.changed_at[epoch]:
                before = self.standings[position][stage[position]]
                stage[position] += 1
                after = self.standings[position][stage[position]]
                codes[position] = code_of[after.status]
                if counted_at[position]:
                    row = state_at[position] * width
                    tallies[row + code_of[before.status]] -= 1
                    tallies[row + code_of[after.status]] += 1
                    if after.activated_on and after.activated_on.toordinal() > latest[state_at[position]]:
                        latest[state_at[position]] = after.activated_on.toordinal()
            self.tallies.append(array("i", tallies))
            self.latest.append(array("i", latest))
            if epoch % CHECKPOINT == 0:
                self.checkpoints.append(bytes(codes))

    def epoch(self, day: datetime.date) -> int:
        """The epoch `day` falls in: how many change dates are on or before it."""
        return bisect_right(self.dates, day)

    def stage(self, position: int, epoch: int) -> int:
        """Which of a unit's standings holds in `epoch` (0: before its first change)."""
        return bisect_right(self.steps[position], epoch)

    def codes(self, epoch: int) -> bytes:
        """Every unit's status code (an index into `statuses`) in `epoch`, one byte a unit, by position."""
        base = epoch - epoch % CHECKPOINT
        found = self.checkpoints[base // CHECKPOINT]
        if base == epoch:
            return found
        codes = bytearray(found)
        code_of = {status: code for code, status in enumerate(self.statuses)}
        for step in range(base + 1, epoch + 1):
            for position in self.changed_at[step]:
                codes[position] = code_of[self.standings[position][self.stage(position, step)].status]
        return bytes(codes)

    def counts(self, epoch: int) -> list[tuple[str, dict, datetime.date | None]]:
        """Per state (name order): (postal, {status: counted units}, latest first activation or None)."""
        tallies, latest, width = self.tallies[epoch], self.latest[epoch], len(self.statuses)
        return [
            (
                postal,
                {status: tallies[index * width + code] for code, status in enumerate(self.statuses)},
                datetime.date.fromordinal(latest[index]) if latest[index] else None,
            )
            for index, postal in enumerate(self.states)
        ]


class DatedValues:
    """A value that changes on dates (an agreement's status, the program's era): the dates, oldest first, and
    the value from each; `before` until the first."""

    __slots__ = ("dates", "values", "before")

    def __init__(self, dated: list[tuple[datetime.date, object]], before=None):
        self.dates = tuple(day for day, _ in dated)
        self.values = tuple(value for _, value in dated)
        self.before = before

    def on(self, day: datetime.date):
        index = bisect_right(self.dates, day)
        return self.values[index - 1] if index else self.before


def agreement_epochs(timeline) -> DatedValues:
    """An agreement's status by date, from its oldest-first timeline, through the as-of rule at each change date."""
    days = sorted({change.effective_on for change in timeline})
    return DatedValues([(day, asof.agreement_status_on(timeline, day)) for day in days])


def program_eras(program_events) -> DatedValues:
    """The program's nationwide state by date (asof.program_status_on at each event's date)."""
    days = sorted({event.occurred_on for event in program_events})
    return DatedValues(
        [(day, asof.program_status_on(program_events, day)) for day in days],
        before=asof.program_status_on(program_events, datetime.date.min),
    )
