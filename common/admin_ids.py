"""Ids that reach an admin view from a request (the address, a posted selection or form field) checked against
the model's primary key before any query or URL reversal uses them: `parsed_id`, and `SafeIdsMixin` for admins.
Shared by TrackedAdmin (common/admin_mixins.py), its deleted-records page and the apps' own admin views."""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import BadRequest, ValidationError
from django.db.models.fields import AutoFieldMixin
from django.http import Http404


def parsed_id(field, value):
    """`value` as a value of the primary key `field`, or None when it cannot be one (not a number for a numeric
    key, out of the column's range, too long): such a value would otherwise reach the database and fail there."""
    if value is None:
        return None
    try:
        parsed = field.to_python(value)
        if parsed is None:
            return None
        field.run_validators(parsed)
    except (ValidationError, TypeError, ValueError, OverflowError):
        return None
    if isinstance(field, AutoFieldMixin) and parsed < 1:
        return None  # the database numbers rows from 1 (and URL patterns such as <int:pk> take no sign)
    return parsed


class SafeIdsMixin:
    """An id that reaches an admin view (in the address, or posted as a selection) and cannot be an id of that
    model is answered 404 (address) or 400 (posted), never a 500 from the database or a URL reversal."""

    def id_or_404(self, field, value):
        """`value` (from the address, still quoted as the admin quotes ids) parsed, or a 404."""
        parsed = parsed_id(field, unquote(value) if isinstance(value, str) else value)
        if parsed is None:
            raise Http404(f"No {field.model._meta.verbose_name} has the id “{value}”.")
        return parsed

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST":
            selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
            if any(parsed_id(self.model._meta.pk, value) is None for value in selected):
                raise BadRequest("A selected row is not a record of this list: nothing was done.")
        return super().changelist_view(request, extra_context)
