"""No lost updates in the admin: each change form carries a hidden version of the record as it was when the form
was opened (a hash of its row, its many-to-many links and the inline rows shown with it). Saving compares it with
the record as it is now; if another editor saved in between, the save is refused and the message lists what they
changed (from django-simple-history's field-level diff). The same form guards simple-history's "Revert" page.

Reverting keeps links too: the history records each version's many-to-many links (`m2m_fields` on the models'
HistoricalRecords), and the "Revert" page offers the links of the version being reverted to, not today's.
Used by every tracked model's admin form (common/admin_mixins.py `TrackedAdmin`) and the apps' forms.
"""

import datetime
import hashlib
import json

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

VERSION_FIELD = "concurrency_version"


def admin_moment(moment: datetime.datetime) -> str:
    """A moment in the admin's one date format (its locale's DATETIME_FORMAT), as its lists and history show it."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


class VersionField(forms.CharField):
    """Hidden; never counts as a change the editor made."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


def _fingerprint(model, pk, related: tuple[str, ...]) -> str:
    """A hash of the stored record, its many-to-many links and its related rows named in `related`."""
    row = model._base_manager.filter(pk=pk).values().first()
    state = {"row": row}
    if row is not None:
        instance = model._base_manager.get(pk=pk)
        for m2m in model._meta.many_to_many:
            state[m2m.name] = sorted(str(pk) for pk in getattr(instance, m2m.name).values_list("pk", flat=True))
        for accessor in related:
            state[accessor] = list(getattr(instance, accessor).order_by("pk").values())
    return hashlib.sha256(json.dumps(state, default=str, sort_keys=True).encode()).hexdigest()


def version_token(model, pk, related=()) -> str:
    """'<when opened>|<fingerprint>': the time lets the refusal list the changes made since."""
    return f"{timezone.now().isoformat()}|{_fingerprint(model, pk, related)}"


def _user(record) -> str:
    return str(record.history_user) if record.history_user_id else "an unknown user (e.g. a data load)"


def describe_changes_since(model, pk, since: datetime.datetime | None, related=()) -> list[str]:
    """What others changed on this record (and its related rows) after `since`, one line per change."""
    lines = []
    history = model.history.filter(**{model._meta.pk.attname: pk})
    later = list(history.filter(history_date__gt=since).order_by("history_date")) if since else []
    base = history.filter(history_date__lte=since).order_by("-history_date").first() if since else None
    for record in later:
        if record.history_type == "-":
            lines.append(f"{_user(record)} deleted it ({admin_moment(record.history_date)} UTC).")
        elif base is not None:
            delta = record.diff_against(base)
            for change in delta.changes:
                label = model._meta.get_field(change.field).verbose_name
                lines.append(f"{_user(record)} changed {label}: “{change.old}” → “{change.new}”.")
        base = record
    instance = model._base_manager.filter(pk=pk).first()
    for accessor in related if instance and since else ():
        manager = getattr(instance, accessor)
        related_model, fk = manager.model, manager.field.attname
        for record in related_model.history.filter(**{fk: pk}, history_date__gt=since).order_by("history_date"):
            what = {"+": "added", "~": "changed", "-": "removed"}[record.history_type]
            lines.append(f"{_user(record)} {what} {related_model._meta.verbose_name} “{record.instance}”.")
    if not lines:
        lines.append("The record was changed by someone else (details not in the history).")
    return lines


def version_links(record) -> dict[str, list]:
    """The many-to-many links a historical version had, by field name (the fields whose history is kept), as the
    keys of the targets that still exist: a deleted source cannot be linked again."""
    links = {}
    for field in getattr(record, "_history_m2m_fields", ()):
        targets = getattr(record, field.name).values_list(field.m2m_reverse_field_name() + "_id", flat=True)
        existing = field.related_model._base_manager.filter(pk__in=targets).order_by("pk")
        links[field.name] = list(existing.values_list("pk", flat=True))
    return links


def form_with_links(form_class, links: dict[str, list]):
    """`form_class`, its many-to-many fields opening with `links` selected instead of the record's links now."""

    class VersionForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name, keys in links.items():
                # A read-only field (reference data for an editor) is not on the form, and is not saved.
                if name in self.fields:
                    self.initial[name] = keys

    return VersionForm


class GuardedModelForm(forms.ModelForm):
    """A model form refused when the record changed since it was opened (see module docstring)."""

    concurrency_version = VersionField(required=False)
    guard_related: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.instance._state.adding:
            self.initial[VERSION_FIELD] = version_token(type(self.instance), self.instance.pk, self.guard_related)

    def clean(self):
        cleaned = super().clean()
        if not self.is_bound or self.instance.pk is None or self.instance._state.adding:
            return cleaned
        # A save of an existing record without the version it was opened at cannot be checked: refuse it.
        posted = self.data.get(self.add_prefix(VERSION_FIELD)) or ""
        if "|" not in posted:
            raise ValidationError(
                "Not saved: this form does not say which version of the record it was opened at, so saving could "
                "overwrite someone else's work. Reload the page and apply your change again.",
                code="stale",
            )
        model, pk = type(self.instance), self.instance.pk
        if transaction.get_connection().in_atomic_block:
            # Hold the row until this save commits, so two saves cannot both pass the check.
            list(model._base_manager.select_for_update().filter(pk=pk).values_list("pk"))
        opened, _, fingerprint = posted.partition("|")
        if fingerprint != _fingerprint(model, pk, self.guard_related):
            changes = describe_changes_since(model, pk, parse_datetime(opened), self.guard_related)
            raise ValidationError(
                "Not saved: someone else saved this record after you opened it, and saving would overwrite "
                "their work. What they changed: %(changes)s Reload the page to see the current version, then "
                "apply your change again.",
                code="stale",
                params={"changes": " ".join(changes)},
            )
        return cleaned
