"""Admin pages as a browser sees them: the data a rendered change form posts, its address, its error messages."""

import datetime

from django.urls import reverse


def _value(bound_field):
    value = bound_field.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    if isinstance(value, (datetime.date,)):
        return value.isoformat()
    return str(value)


def form_data(response) -> dict:
    """The POST data a browser would send for an admin change form as rendered (inlines included)."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = _value(bound)
        forms.extend(formset.forms)
    for form in forms:
        for bound in form:
            value = _value(bound)
            if value is not None:
                data[bound.html_name] = value
    # The editor types why (every change of a record asks a reason, common/admin_mixins.py).
    if "change_reason" in response.context["adminform"].form.fields and not data.get("change_reason"):
        data["change_reason"] = "Edited in a test"
    return data


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def errors_of(response) -> str:
    """Every error message the admin form page shows, as one string."""
    parts = [str(response.context["adminform"].form.errors)]
    for inline in response.context.get("inline_admin_formsets", []):
        parts += [str(form.errors) for form in inline.formset.forms]
        parts.append(str(inline.formset.non_form_errors()))
    return " ".join(parts)
