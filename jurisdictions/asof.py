"""The as-of rule, once: what was true on day D for a jurisdiction, an agreement and the program itself.

Everything that shows a status on a date calls these functions: model methods, the read-model snapshot
(readmodel/snapshot.py), serializers, pages, the map, stats and exports. They work on plain sequences of dated rows
(model instances or anything with the same attributes), so they need no query and no Django state.

The rules (DESIGN.md, "As-of semantics"):
- A jurisdiction's status on D is the latest of its dated changes on or before D (ties: the last saved), or
  "not activated" when there is none. A map unit created after 2008 reads the history of the historical unit it
  borrows from (`status_from`): the caller passes that unit's timeline.
- `activated_on` is the first activation on or before D; `disputed`, `alternative_date` and `earlier_reports` come
  from the changes on or before D only (a date not yet reached cannot be disputed yet).
- A change is disputed when the sources give it another date: a competing date an editor recorded beside it
  (`alternative_date`), or an earlier report, a date another source gave before an import or an edit replaced it
  (`change.earlier_reports`, set by the read model from the edit history). A date re-read from the same source
  is a correction, not a report: the edit history keeps it, the answer does not call it disputed.
- An agreement's status on D is the latest of its dated changes on or before D, or None before any record.
- The program's own state on D is given by the latest nationwide program event on or before D (discontinued
  2014-11-20 and replaced by PEP; reinstated 2017-01-25; and whatever later sourced events say): it is shown
  beside a county's status, never folded into it.
"""

import datetime
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

# Status codes (jurisdictions.models.Status values), repeated here as plain strings so the rule needs no model.
ACTIVATED = "activated"
NOT_ACTIVATED = "not_activated"
DISPUTED = "disputed"

# Nationwide event kinds that change the program's own state (agreements.models.EventKind values).
PROGRAM_TERMINATED = "program_terminated"
PROGRAM_REINSTATED = "program_reinstated"


def _sort_key(change):
    return (change.effective_on, change.pk or 0)


def ordered(changes) -> list:
    """Dated changes oldest first; same-day changes in the order they were saved (primary key)."""
    return sorted(changes, key=_sort_key)


def latest_on(timeline, day: datetime.date):
    """The last change of an oldest-first `timeline` that took effect on or before `day`, else None."""
    found = None
    for change in timeline:
        if change.effective_on > day:
            break
        found = change
    return found


class UnitStatus(NamedTuple):
    """A jurisdiction's standing on one day."""

    status: str  # Status value
    since: datetime.date | None  # when that status took effect; None when never changed
    activated_on: datetime.date | None  # first activation on or before the day
    disputed: bool  # a change on or before the day has a date the sources dispute
    alternative_date: datetime.date | None  # the competing date of the latest disputed change
    change: object | None  # the change in force (for its source), None when there is none
    # Dates other sources gave for the changes up to the day before they were replaced (EarlierReport: effective_on,
    # source, replaced_at), oldest change first.
    earlier_reports: tuple = ()

    @property
    def other_dates(self) -> tuple[datetime.date, ...]:
        """Every other date the sources give for a change up to the day: the competing date, the earlier reports."""
        dates = [self.alternative_date] if self.alternative_date else []
        dates += [report.effective_on for report in self.earlier_reports if report.effective_on not in dates]
        return tuple(dates)


def unit_status_on(timeline, day: datetime.date) -> UnitStatus:
    """A jurisdiction's status on `day` from its oldest-first `timeline` (see the module docstring)."""
    status, since, activated, alternative, current = NOT_ACTIVATED, None, None, None, None
    reports: tuple = ()
    for change in timeline:
        if change.effective_on > day:
            break
        current = change
        status, since = change.status, change.effective_on
        if activated is None and status == ACTIVATED:
            activated = since
        if change.confidence == DISPUTED:
            alternative = change.alternative_date
        replaced = getattr(change, "earlier_reports", ())
        if replaced:
            reports += tuple(replaced)
    disputed = alternative is not None or bool(reports)
    return UnitStatus(status, since, activated, disputed, alternative, current, reports)


def agreement_status_on(timeline, day: datetime.date) -> str | None:
    """An agreement's status on `day` (AgreementStatus value), or None before any dated record."""
    change = latest_on(timeline, day)
    return change.status if change else None


# --- the program's own state ------------------------------------------------------------------------------------


class ProgramStatus(NamedTuple):
    """The program's nationwide state on one day, and the event that set it (None: as rolled out)."""

    code: str  # "operating", "discontinued" or "reinstated"
    since: datetime.date | None
    event: object | None  # the nationwide event in force (has .pk, .summary, .sources)

    @property
    def label(self) -> str:
        # In the language of the page (the API's is always English: common/middleware.py LocaleMiddleware).
        return str(PROGRAM_LABELS[self.code])

    @property
    def is_discontinued(self) -> bool:
        return self.code == DISCONTINUED


OPERATING, DISCONTINUED, REINSTATED = "operating", "discontinued", "reinstated"
PROGRAM_LABELS = {
    OPERATING: _("Secure Communities in operation"),
    DISCONTINUED: _(
        "Secure Communities discontinued nationwide and replaced by the Priority Enforcement Program "
        "(PEP); fingerprints taken at booking were still shared with ICE"
    ),
    REINSTATED: _("Secure Communities reinstated nationwide"),
}
_PROGRAM_CODES = {PROGRAM_TERMINATED: DISCONTINUED, PROGRAM_REINSTATED: REINSTATED}


def program_events(events) -> list:
    """The nationwide events that change the program's state, oldest first (from any iterable of events)."""
    chosen = [event for event in events if event.state_id is None and event.kind in _PROGRAM_CODES]
    return sorted(chosen, key=lambda event: (event.occurred_on, event.pk or 0))


def program_status_on(eras, day: datetime.date) -> ProgramStatus:
    """The program's state on `day`, from `program_events(...)` (oldest first)."""
    found = None
    for event in eras:
        if event.occurred_on > day:
            break
        found = event
    if found is None:
        return ProgramStatus(OPERATING, None, None)
    return ProgramStatus(_PROGRAM_CODES[found.kind], found.occurred_on, found)
