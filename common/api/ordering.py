"""`?ordering=a,-b` over snapshot rows: unknown fields are a 400, and every order ends on a unique key."""

from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter


class _Descending:
    """Wraps a sort key so that it orders descending."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return other.value < self.value

    def __eq__(self, other):
        return self.value == other.value


class RowOrdering(OrderingFilter):
    """DRF's ordering parameter, applied to rows in Python.

    The view declares `sort_keys = {"field": function(row) -> comparable}` (the allowed fields, documented in the
    schema as `ordering_fields`) and `default_ordering`, a tuple of field names; the last field of every order
    is the row's unique key, so pages never shuffle.
    """

    def get_valid_fields(self, queryset, view, context=None):
        return [(name, name) for name in view.sort_keys]

    def requested(self, request, view) -> list[str]:
        raw = request.query_params.get(self.ordering_param)
        if not raw:
            return list(view.default_ordering)
        fields = [part.strip() for part in raw.split(",") if part.strip()]
        bad = [field for field in fields if field.lstrip("-") not in view.sort_keys]
        if bad or not fields:
            allowed = ", ".join(sorted(view.sort_keys))
            raise ValidationError({self.ordering_param: [f"Cannot order by '{','.join(bad)[:40]}': use {allowed}."]})
        return [*fields, view.unique_key]

    def filter_queryset(self, request, rows, view):
        fields = self.requested(request, view)
        if fields == list(view.default_ordering):
            return rows  # already in the snapshot's order
        keys = []
        for field in fields:
            key = view.sort_keys[field.lstrip("-")]
            keys.append((key, field.startswith("-")))

        def sort_key(row):
            values = []
            for key, descending in keys:
                value = key(row)
                # None sorts last either way, and is never compared with a date.
                if descending:
                    values.append(_Descending((value is not None, value if value is not None else 0)))
                else:
                    values.append((value is None, value if value is not None else 0))
            return values

        return sorted(rows, key=sort_key)
