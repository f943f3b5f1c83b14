"""Filter field types shared by the FilterSets, and the base FilterSet that filters snapshot rows.

Every FilterSet of the site serves both a resource's HTML list and its API list (ARCHITECTURE.md): the form
validates the query string (a bad value is an error naming the parameter), and each filter's method narrows a
plain list of snapshot rows. Repeated and comma-separated values mean the same: `state=TX&state=CA` and
`state=TX,CA`.
"""

import copy

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from common import params


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
    extra_state_codes: tuple[str, ...] = ()

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, snapshot=None, day=None):
        # django-filter's own __init__, but with a shallow copy of each filter where it deep-copies them (with
        # their form fields) for every request: a copy exists only to carry its FilterSet as `parent`, and these
        # filters keep nothing else per request (each form has its own copies of the fields).
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = self._meta.model._default_manager.all() if queryset is None else queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(found) for name, found in self.base_filters.items()}
        for found in self.filters.values():
            found.model = self.queryset.model
            found.parent = self
            found.method = found.method  # a new FilterMethod bound to this copy, not to the declared filter
        self.snapshot, self.day = snapshot, day

    def get_form_class(self):
        """The form class, built once per FilterSet class: it depends on the declared filters alone."""
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            cls._form_class = form_class
        return form_class

    @property
    def form(self):
        """The form, whose state fields accept exactly this snapshot's states (set on the form's own copies)."""
        if not hasattr(self, "_form"):
            form_class = self.get_form_class()
            self._form = form_class(self.data if self.is_bound else None, prefix=self.form_prefix)
            if self.snapshot is not None:
                states = frozenset(self.extra_state_codes) | frozenset(self.snapshot.states)
                for name in self.state_filters:
                    self._form.fields[name].valid = states
        return self._form

    def filter_queryset(self, rows):
        for name, value in self.form.cleaned_data.items():
            rows = self.filters[name].filter(rows, value)
        return rows

    def _noop(self, rows, name, value):
        return rows


def _literal_error(text: str) -> forms.ValidationError:
    """A form error whose text is shown as is: django-filter applies `message % params`, and a '%' in the
    quoted value (e.g. `fips=%`) would otherwise raise while formatting the error, a 500 instead of a 400."""
    return forms.ValidationError("%(reason)s", params={"reason": text})


class ParamField(forms.Field):
    """A form field that reads its value with the protocol's parser of its kind (common/params.py), so a list,
    a day or a flag is written one way on every route; `param` is the query parameter's name (for the message)."""

    kind: params.Param

    def __init__(self, *, param: str = "", **kwargs):
        self.param = param
        super().__init__(**kwargs)

    def clean(self, value):
        values = value if isinstance(value, list) else [value or ""]
        given = [item for item in values if item and item.strip()]
        if not given:
            return self.kind.default
        try:
            return self.kind.parse(self.param, given)
        except params.BadParameter as error:
            raise _literal_error(str(error)) from None


class ListWidget(forms.TextInput):
    """Reads ``x=A,B`` and ``x=A&x=B`` alike as ["A", "B"]."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]


class ListField(ParamField):
    """A list of codes (params.Codes), each normalised; then each is checked against `valid` (a collection, or a
    callable giving one: the states of this snapshot): an unknown one is an error naming it, followed by `hint`
    (default: the valid values)."""

    widget = ListWidget

    def __init__(self, *, valid=None, normalize=str, hint=None, **kwargs):
        self.valid, self.hint = valid, hint
        self.kind = params.Codes(normalize, ordered=True)
        super().__init__(**kwargs)

    def clean(self, value):
        items = list(super().clean(value) or ())
        valid = self.valid() if callable(self.valid) else self.valid
        bad = [item for item in items if valid is not None and item not in valid]
        if bad:
            hint = self.hint if self.hint is not None else gettext("use %(values)s.") % {"values": ", ".join(valid)}
            message = gettext("Unknown value '%(value)s': %(hint)s")
            raise _literal_error(message % {"value": ", ".join(bad)[: params.QUOTED], "hint": hint})
        return items


class ParamFilter(django_filters.Filter):
    """A filter whose field is a ParamField: its messages name the query parameter, the filter's own name."""

    @property
    def field(self):
        self.extra.setdefault("param", self.field_name)
        return super().field


@extend_schema_field(
    {"type": "string", "description": "One value, several separated by commas, or the parameter repeated."}
)
class ListFilter(ParamFilter):
    field_class = ListField


class DayField(ParamField):
    kind = params.Day()


@extend_schema_field(OpenApiTypes.DATE)
class DayFilter(ParamFilter):
    field_class = DayField


class StrictBooleanField(ParamField):
    kind = params.Flag()


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(ParamFilter):
    field_class = StrictBooleanField

    def filter(self, qs, value):
        if value is None:
            return qs
        return super().filter(qs, value)


STATE_HINT = _("use two-letter postal codes such as TX, or several: TX,CA.")
STATE_HINT_WITH_US = _("use two-letter postal codes such as TX, or several: TX,CA; US means nationwide events.")


def filterset_params(filterset_class) -> dict:
    """The query parameters a FilterSet takes, as the public-answer protocol declares them (common/params.py):
    the FilterSet is the one declaration of a list's filters; the protocol parses their syntax and writes the
    canonical query, the FilterSet then checks each value against the snapshot (which states exist) and narrows."""
    declared = {}
    for name, found in getattr(filterset_class, "base_filters", {}).items():
        if isinstance(found, DayFilter):
            declared[name] = params.Day()
        elif isinstance(found, StrictBooleanFilter):
            declared[name] = params.Flag()
        elif isinstance(found, ListFilter):
            declared[name] = params.Codes(found.extra.get("normalize", str))
        else:
            declared[name] = params.Text(max_length=found.extra.get("max_length") or 100)
    return declared
