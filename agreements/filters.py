"""API filters for agreements and events: each one a QuerySet method, each bad value a 400 naming it."""

import datetime

import django_filters

from agreements.models import Agreement, AgreementStatus, Event, EventKind
from tracker.api import STATE_HINT, DayFilter, ListFilter, valid_postals


class AgreementFilter(django_filters.FilterSet):
    """Filters of ``/api/v1/agreements/``."""

    as_of = DayFilter(param="as_of", method="_noop", help_text="Status as it stood on this date. Default: today.")
    state = ListFilter(
        method="_state", valid=valid_postals, normalize=str.upper, hint=STATE_HINT, help_text="state=IL,NY."
    )
    status = ListFilter(
        method="_status",
        valid=AgreementStatus.values,
        normalize=str.lower,
        hint=f"use {', '.join(AgreementStatus.values)}.",
        help_text=f"Standing on `as_of`: {', '.join(AgreementStatus.values)}.",
    )

    class Meta:
        model = Agreement
        fields = []

    def filter_queryset(self, queryset):
        queryset = queryset.with_status(self.form.cleaned_data.get("as_of") or datetime.date.today())
        return super().filter_queryset(queryset)

    def _noop(self, queryset, name, value):
        return queryset

    def _state(self, queryset, name, value):
        return queryset.filter(state__in=value)

    def _status(self, queryset, name, value):
        return queryset.filter(status__in=value)


class EventFilter(django_filters.FilterSet):
    """Filters of ``/api/v1/events/``."""

    as_of = DayFilter(param="as_of", method="_as_of", help_text="Only events on or before this date.")
    state = ListFilter(
        method="_state",
        valid=lambda: valid_postals() | {"US"},
        normalize=str.upper,
        hint=STATE_HINT + " US means nationwide events.",
        help_text="state=IL,NY; US for nationwide events.",
    )
    kind = ListFilter(
        method="_kind",
        valid=EventKind.values,
        normalize=str.lower,
        hint=f"use {', '.join(EventKind.values)}.",
        help_text=f"One or more kinds: {', '.join(EventKind.values)}.",
    )
    occurred_after = DayFilter(param="occurred_after", method="_after", help_text="On or after this date.")
    occurred_before = DayFilter(param="occurred_before", method="_before", help_text="On or before this date.")

    class Meta:
        model = Event
        fields = []

    def _as_of(self, queryset, name, value):
        return queryset.on_or_before(value)

    def _state(self, queryset, name, value):
        states = [postal for postal in value if postal != "US"]
        national = queryset.program_wide() if "US" in value else queryset.none()
        return queryset.filter(state__in=states) | national

    def _kind(self, queryset, name, value):
        return queryset.filter(kind__in=value)

    def _after(self, queryset, name, value):
        return queryset.filter(occurred_on__gte=value)

    def _before(self, queryset, name, value):
        return queryset.on_or_before(value)
