"""Filter field types shared by the FilterSets, and the base FilterSet that filters snapshot rows.

Every FilterSet of the site serves both a resource's HTML list and its API list (ARCHITECTURE.md): the form
validates the query string (a bad value is an error naming the parameter), and each filter's method narrows a
plain list of snapshot rows. Repeated and comma-separated values mean the same: `state=TX&state=CA` and
`state=TX,CA`.
"""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from common import params
from common.dates import BadDate, parse_day


class Rows(list):
    """Snapshot rows as django-filter and DRF's filter backend expect a queryset to look: `.model` and `.all()`."""

    def __init__(self, rows=(), *, model=None):
        super().__init__(rows)
        self.model = model

    def all(self):
        return self

    def narrowed(self, keep):
        """The rows for which `keep(row)` is true, as Rows of the same model."""
        return Rows((row for row in self if keep(row)), model=self.model)

    def having(self, value_of, wanted):
        """The rows whose `value_of(row)` is one of `wanted` (a filter's list of values)."""
        wanted = set(wanted)
        return self.narrowed(lambda row: value_of(row) in wanted)


class RowFilterSet(django_filters.FilterSet):
    """A FilterSet whose filters are methods over `Rows` (django-filter's own loop insists on QuerySets).

    `snapshot` is the read model the rows come from and `day` the day they answer for. A filter named in
    `state_filters` accepts exactly the snapshot's state postal codes.
    """

    state_filters: tuple[str, ...] = ()

    def __init__(self, *args, snapshot=None, day=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.snapshot, self.day = snapshot, day
        if snapshot is not None:
            # Each FilterSet instance has its own copy of its filters, so this changes nothing shared.
            for name in self.state_filters:
                self.filters[name].extra["valid"] = frozenset(self.extra_state_codes) | frozenset(snapshot.states)

    extra_state_codes: tuple[str, ...] = ()

    def filter_queryset(self, rows):
        for name, value in self.form.cleaned_data.items():
            rows = self.filters[name].filter(rows, value)
        return rows

    def _noop(self, rows, name, value):
        return rows


MAX_LIST_VALUES = params.MAX_LIST_VALUES


def _literal_error(text: str) -> forms.ValidationError:
    """A form error whose text is shown as is: django-filter applies `message % params`, and a '%' in the
    quoted value (e.g. `fips=%`) would otherwise raise while formatting the error, a 500 instead of a 400."""
    return forms.ValidationError("%(reason)s", params={"reason": text})


class ListWidget(forms.TextInput):
    """Reads ``x=A,B`` and ``x=A&x=B`` alike as ["A", "B"]."""

    def value_from_datadict(self, data, files, name):
        return params.split_values(data.getlist(name) if hasattr(data, "getlist") else [data.get(name)])


class ListField(forms.Field):
    """A list of codes, each normalised and checked; an unknown one is an error naming it."""

    widget = ListWidget

    def __init__(self, *, valid=None, normalize=str, hint="", **kwargs):
        self.valid, self.normalize, self.hint = valid, normalize, hint
        super().__init__(**kwargs)

    def clean(self, value):
        if not value:
            return []
        if len(value) > MAX_LIST_VALUES:
            raise _literal_error(f"At most {MAX_LIST_VALUES} values; for more, download the CSV and filter it.")
        items = [self.normalize(item) for item in value]
        valid = self.valid() if callable(self.valid) else self.valid
        bad = [item for item in items if valid is not None and item not in valid]
        if bad:
            raise _literal_error(f"Unknown value '{', '.join(bad)[:60]}': {self.hint}")
        return list(dict.fromkeys(items))


@extend_schema_field(
    {"type": "string", "description": "One value, several separated by commas, or the parameter repeated."}
)
class ListFilter(django_filters.Filter):
    field_class = ListField


class DayField(forms.CharField):
    def __init__(self, *, param="as_of", **kwargs):
        self.param = param
        super().__init__(**kwargs)

    def clean(self, value):
        try:
            return parse_day(value, name=self.param)
        except BadDate as error:
            raise _literal_error(str(error)) from None


@extend_schema_field(OpenApiTypes.DATE)
class DayFilter(django_filters.Filter):
    field_class = DayField


class StrictBooleanField(forms.CharField):
    TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

    def clean(self, value):
        value = (value or "").strip().lower()
        if value == "":
            return None
        if value in self.TRUE:
            return True
        if value in self.FALSE:
            return False
        raise _literal_error(f"Must be true or false; got '{value[:20]}'.")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField

    def filter(self, qs, value):
        if value is None:
            return qs
        return super().filter(qs, value)


STATE_HINT = "use two-letter postal codes such as TX, or several: TX,CA."


def filterset_params(filterset_class) -> dict:
    """The query parameters a FilterSet takes, as the public-answer protocol declares them (common/params.py):
    the FilterSet is the one declaration of a list's filters; the protocol parses their syntax and writes the
    canonical query, the FilterSet then checks each value against the snapshot (which states exist) and narrows."""
    declared = {}
    for name, found in getattr(filterset_class, "base_filters", {}).items():
        if isinstance(found, ListFilter):
            declared[name] = params.Codes(found.extra.get("normalize", str))
        elif isinstance(found, DayFilter):
            declared[name] = params.Day()
        elif isinstance(found, StrictBooleanFilter):
            declared[name] = params.Flag()
        else:
            declared[name] = params.Text(max_length=found.extra.get("max_length") or 100)
    return declared
