"""API filters for states and jurisdictions: each one a QuerySet method, each bad value a 400 naming it."""

import datetime

import django_filters

from jurisdictions.models import Jurisdiction, Kind, State, Status
from tracker.api import STATE_HINT, DayFilter, ListFilter, StrictBooleanFilter, valid_postals

# The `with_status` annotations, as filters and ?ordering= name them.
STATUS_FIELDS = frozenset({"status", "status_since", "activated_on"})

FIPS_HINT = "use five-digit county FIPS codes such as 48201, or several: 48201,17031."


def _is_fips(code: str) -> bool:
    return len(code) == 5 and code.isdigit()


class _FipsCodes:
    def __contains__(self, code):
        return _is_fips(code)


class JurisdictionFilter(django_filters.FilterSet):
    """Filters of ``/api/v1/jurisdictions/``. By default the 3,143 counted units of 2008-2013."""

    as_of = DayFilter(
        param="as_of",
        method="_noop",
        help_text="Status, status_since and activated_on as they stood on this date (YYYY-MM-DD). Default: today.",
    )
    state = ListFilter(
        method="_state",
        valid=valid_postals,
        normalize=str.upper,
        hint=STATE_HINT,
        help_text="One or more state postal codes: state=TX,CA or state=TX&state=CA.",
    )
    status = ListFilter(
        method="_status",
        valid=Status.values,
        normalize=str.lower,
        hint=f"use {', '.join(Status.values)}.",
        help_text=f"One or more statuses on `as_of`: {', '.join(Status.values)}.",
    )
    activated_after = DayFilter(
        param="activated_after", method="_activated_after", help_text="First activated on or after this date."
    )
    activated_before = DayFilter(
        param="activated_before", method="_activated_before", help_text="First activated on or before this date."
    )
    q = django_filters.CharFilter(
        method="_q",
        help_text="Name or FIPS search, as tolerant as the site's ('St. Louis', 'saint louis').",
    )
    fips = ListFilter(
        method="_fips", valid=_FipsCodes(), hint=FIPS_HINT, help_text="One or more FIPS codes: fips=48201,17031."
    )
    kind = ListFilter(
        method="_kind",
        valid=Kind.values,
        normalize=str.lower,
        hint=f"use {', '.join(Kind.values)}.",
        help_text=f"One or more kinds of unit: {', '.join(Kind.values)}.",
    )
    disputed = StrictBooleanFilter(
        method="_disputed", help_text="true: only units whose activation date is disputed; false: only the others."
    )
    include = ListFilter(
        method="_noop",
        valid={"successors"},
        normalize=str.lower,
        hint="the only value is 'successors'.",
        help_text="include=successors adds the 7 units on today's map that replaced a 2008-2013 unit "
        "(they borrow its status and are not counted in totals).",
    )
    on_map = StrictBooleanFilter(
        method="_noop",
        help_text="true: the 3,142 units on today's map (the GeoJSON default) instead of the 3,143 counted.",
    )

    class Meta:
        model = Jurisdiction
        fields = []

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        # Which units: counted ones unless successors or today's map are asked for; GeoJSON is for maps.
        renderer = getattr(self.request, "accepted_renderer", None)
        if data.get("on_map") or (data.get("on_map") is None and renderer and renderer.format == "geojson"):
            queryset = queryset.on_map()
        elif data.get("on_map") is False:
            queryset = queryset.exclude(on_current_map=True)
        elif "successors" not in (data.get("include") or []):
            queryset = queryset.counted()
        if self._needs_status_in_sql(data):
            queryset = queryset.with_status(data.get("as_of") or datetime.date.today())
        return super().filter_queryset(queryset)

    def _needs_status_in_sql(self, data) -> bool:
        """True when a filter or the ordering reads the status on `as_of`, so SQL has to compute it.

        Otherwise the rows are found without it and ``jurisdictions.api.load_rows`` reads the status from the
        history it loads anyway: compiling the three correlated subqueries was most of a computed page's time.
        """
        if data.get("status") or data.get("activated_after") or data.get("activated_before"):
            return True
        ordering = self.request.query_params.get("ordering", "") if self.request else ""
        return any(field.strip().lstrip("-") in STATUS_FIELDS for field in ordering.split(","))

    def _noop(self, queryset, name, value):
        return queryset

    def _state(self, queryset, name, value):
        return queryset.in_state(*value)

    def _status(self, queryset, name, value):
        return queryset.filter(status__in=value)

    def _activated_after(self, queryset, name, value):
        return queryset.filter(activated_on__gte=value)

    def _activated_before(self, queryset, name, value):
        return queryset.filter(activated_on__lte=value)

    def _q(self, queryset, name, value):
        return queryset.matching(value)

    def _fips(self, queryset, name, value):
        return queryset.filter(fips__in=value)

    def _kind(self, queryset, name, value):
        return queryset.filter(kind__in=value)

    def _disputed(self, queryset, name, value):
        disputed = Jurisdiction.objects.disputed().values("fips")
        return queryset.filter(fips__in=disputed) if value else queryset.exclude(fips__in=disputed)


class StateFilter(django_filters.FilterSet):
    """Filters of ``/api/v1/states/``."""

    as_of = DayFilter(param="as_of", method="_noop", help_text="Counts and agreement statuses on this date.")
    state = ListFilter(
        method="_state", valid=valid_postals, normalize=str.upper, hint=STATE_HINT, help_text="state=TX,CA."
    )

    class Meta:
        model = State
        fields = []

    def _noop(self, queryset, name, value):
        return queryset

    def _state(self, queryset, name, value):
        return queryset.filter(postal__in=value)
