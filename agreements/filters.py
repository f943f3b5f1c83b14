"""The FilterSets of agreements and events, over snapshot rows: each bad value is an error naming it."""

from agreements.models import Agreement, AgreementStatus, Event, EventKind
from common.api.filters import STATE_HINT, STATE_HINT_WITH_US, DayFilter, ListFilter, RowFilterSet


class AgreementFilter(RowFilterSet):
    """Filters of the agreement list: state, and standing on `as_of`."""

    as_of = DayFilter(method="_noop", help_text="Status as it stood on this date. Default: today.")
    state = ListFilter(method="_state", valid=(), normalize=str.upper, hint=STATE_HINT, help_text="state=IL,NY.")
    status = ListFilter(
        method="_status",
        valid=AgreementStatus.values,
        normalize=str.lower,
        help_text=f"Standing on `as_of`: {', '.join(AgreementStatus.values)}.",
    )
    state_filters = ("state",)

    class Meta:
        model = Agreement
        fields = []

    def _state(self, rows, name, value):
        return rows.having(lambda agreement: agreement.state_id, value)

    def _status(self, rows, name, value):
        return rows.having(lambda agreement: self.snapshot.agreement_status(agreement, self.day), value)


class EventFilter(RowFilterSet):
    """Filters of the event list."""

    as_of = DayFilter(method="_before", help_text="Only events on or before this date.")
    state = ListFilter(
        method="_state",
        valid=(),
        normalize=str.upper,
        hint=STATE_HINT_WITH_US,
        help_text="state=IL,NY; US for nationwide events.",
    )
    kind = ListFilter(
        method="_kind",
        valid=EventKind.values,
        normalize=str.lower,
        help_text=f"One or more kinds: {', '.join(EventKind.values)}.",
    )
    occurred_after = DayFilter(method="_after", help_text="On or after this date.")
    occurred_before = DayFilter(method="_before", help_text="On or before this date.")
    state_filters = ("state",)
    extra_state_codes = ("US",)

    class Meta:
        model = Event
        fields = []

    def _state(self, rows, name, value):
        wanted = {None if postal == "US" else postal for postal in value}
        return rows.narrowed(lambda event: event.state_id in wanted)

    def _kind(self, rows, name, value):
        return rows.having(lambda event: event.kind, value)

    def _after(self, rows, name, value):
        return rows.narrowed(lambda event: event.occurred_on >= value)

    def _before(self, rows, name, value):
        return rows.narrowed(lambda event: event.occurred_on <= value)
