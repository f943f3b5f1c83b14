"""The FilterSets of states and jurisdictions: one each, serving the HTML list and the API list alike.

They filter snapshot rows (readmodel/snapshot.py) for the day asked, so a filter and the field it filters on always
agree (e.g. `disputed=true` keeps exactly the rows whose `disputed` is true on `as_of`). Each bad value is an
error naming the parameter; repeated and comma-separated values mean the same (`state=TX&state=CA`,
`state=TX,CA`).
"""

import django_filters
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.api.filters import STATE_HINT, DayFilter, ListFilter, RowFilterSet, Rows, StrictBooleanFilter
from jurisdictions.models import Jurisdiction, Kind, Source, State, Status

FIPS_HINT = _("use five-digit county FIPS codes such as 48201, or several: 48201,17031.")
MAX_QUERY_LENGTH = 100


class _FipsCodes:
    def __contains__(self, code):
        return len(code) == 5 and code.isdigit()


class JurisdictionFilter(RowFilterSet):
    """Filters of the jurisdiction list (page and API). By default the 3,143 counted units of 2008-2013."""

    as_of = DayFilter(
        method="_noop",
        help_text="Status, status_since and activated_on as they stood on this date (YYYY-MM-DD). Default: today.",
    )
    state = ListFilter(
        method="_state",
        valid=(),
        normalize=str.upper,
        hint=STATE_HINT,
        help_text="One or more state postal codes: state=TX,CA or state=TX&state=CA.",
    )
    status = ListFilter(
        method="_status",
        valid=Status.values,
        normalize=str.lower,
        help_text=f"One or more statuses on `as_of`: {', '.join(Status.values)}.",
    )
    activated_after = DayFilter(method="_activated_after", help_text="First activated on or after this date.")
    activated_before = DayFilter(method="_activated_before", help_text="First activated on or before this date.")
    q = django_filters.CharFilter(
        method="_q",
        max_length=MAX_QUERY_LENGTH,
        help_text="Search by a county's name ('St. Louis', 'saint louis', 'condado de Harris'), a city, town or "
        "community in it ('chicago'), a ZIP code ('60614') or a FIPS code, in English or Spanish; best match first. "
        "Each result then carries `matched`: `by` (name, alias, place, zip, fips, period, today, later, state, "
        "partial) and `text`, why it is there.",
    )
    fips = ListFilter(
        method="_fips", valid=_FipsCodes(), hint=FIPS_HINT, help_text="One or more FIPS codes: fips=48201,17031."
    )
    kind = ListFilter(
        method="_kind",
        valid=Kind.values,
        normalize=str.lower,
        help_text=f"One or more kinds of unit: {', '.join(Kind.values)}.",
    )
    disputed = StrictBooleanFilter(
        method="_disputed",
        help_text="true: only units with a disputed date in their history up to `as_of`; false: only the others.",
    )
    include = ListFilter(
        method="_noop",
        valid={"successors"},
        normalize=str.lower,
        help_text="include=successors adds the 7 units on today's map that replaced a 2008-2013 unit "
        "(they borrow its status and are not counted in totals). GeoJSON includes them by default.",
    )
    on_map = StrictBooleanFilter(
        method="_noop",
        help_text="true: only the 3,142 units on today's map; false: only the 8 historical units without a shape.",
    )

    class Meta:
        model = Jurisdiction
        fields = []

    state_filters = ("state",)

    def __init__(self, *args, everything=False, **kwargs):
        super().__init__(*args, **kwargs)
        # GeoJSON is for maps: it starts from every unit (today's map units and the historical ones) by default.
        self.everything = everything

    def is_valid(self):
        if not super().is_valid():
            return False
        after, before = self.form.cleaned_data.get("activated_after"), self.form.cleaned_data.get("activated_before")
        if after and before and after > before:
            self.form.add_error("activated_after", gettext("activated_after must be on or before activated_before."))
            return False
        return True

    def filter_queryset(self, rows):
        """Which units first (the snapshot's scope for the day, rows made only as they are read), then the filters."""
        data = self.form.cleaned_data
        on_map = data.get("on_map")
        if on_map is not None:
            scope = "on_map" if on_map else "off_map"
        elif self.everything or "successors" in (data.get("include") or []):
            scope = "all"
        else:
            scope = "counted"
        if self.snapshot is not None:
            rows = self.snapshot.scoped_rows(self.day, scope)
        return super().filter_queryset(rows)

    def _state(self, rows, name, value):
        wanted = set(value)
        return rows.where_unit(lambda unit: unit.state_id in wanted)

    def _status(self, rows, name, value):
        return rows.with_status(value)

    def _activated_after(self, rows, name, value):
        return rows.narrowed(lambda row: row.standing.activated_on is not None and row.standing.activated_on >= value)

    def _activated_before(self, rows, name, value):
        return rows.narrowed(lambda row: row.standing.activated_on is not None and row.standing.activated_on <= value)

    # What the name matcher made of `q` (jurisdictions/search.py: did-you-mean names, notes), once filtered.
    search_result = None

    def _q(self, rows, name, value):
        """The matching rows, best match first (the snapshot's name matcher)."""
        self.search_result = self.snapshot.matcher.search(value)
        rank = {fips: position for position, fips in enumerate(self.search_result.fips)}
        matched = rows.where_unit(lambda unit: unit.fips in rank)
        return Rows(sorted(matched, key=lambda row: rank[row.unit.fips]), model=Jurisdiction)

    def _fips(self, rows, name, value):
        wanted = set(value)
        return rows.where_unit(lambda unit: unit.fips in wanted)

    def _kind(self, rows, name, value):
        wanted = set(value)
        return rows.where_unit(lambda unit: unit.kind in wanted)

    def _disputed(self, rows, name, value):
        return rows.narrowed(lambda row: row.standing.disputed is value)


class StateFilter(RowFilterSet):
    """Filters of the state list (page and API)."""

    as_of = DayFilter(method="_noop", help_text="Counts and agreement statuses on this date.")
    state = ListFilter(method="_state", valid=(), normalize=str.upper, hint=STATE_HINT, help_text="state=TX,CA.")

    class Meta:
        model = State
        fields = []

    state_filters = ("state",)

    def _state(self, rows, name, value):
        return rows.having(lambda row: row.state.postal, value)


class SourceFilter(RowFilterSet):
    """Filters of the source list."""

    key = django_filters.CharFilter(method="_key", help_text="The short stable id used by the data files.")

    class Meta:
        model = Source
        fields = []

    def _key(self, rows, name, value):
        return rows.narrowed(lambda source: source.key == value)
