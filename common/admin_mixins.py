"""Admin behaviour every tracked model shares: no lost updates, history restore, deleted-record restore.

No lost updates: each change form carries a hidden version of the record as it was when the form was opened
(a hash of its row, its many-to-many links and the inline rows shown with it). Saving compares it with the
record as it is now; if another editor saved in between, the save is refused and the message lists what they
changed (from django-simple-history's field-level diff). The same form guards simple-history's "Revert" page.

Reverting keeps links too: the history records each version's many-to-many links (`m2m_fields` on the models'
HistoricalRecords), and the "Revert" page offers the links of the version being reverted to, not today's.
"""

import datetime
import hashlib
import json

from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import IntegrityError, models, router, transaction
from django.db.models.fields import AutoFieldMixin
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

VERSION_FIELD = "concurrency_version"
# Every change and deletion of a tracked record asks why; the history shows it beside who.
REASON_FIELD = "change_reason"
REASON_HELP = "Why: e.g. 'ICE list of 2011-08-05 gives this date'. Shown in the record's history."
REASON_MISSING = "Give a reason for this change: it is kept in the record's history."


def _when(moment: datetime.datetime) -> str:
    """A moment in the admin's one date format (its locale's DATETIME_FORMAT), as its lists and history show it."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _with_reason(form_class):
    """The admin's form for an existing record, with a required reason (saved as the history's change reason)."""
    field = forms.CharField(label="Reason for this change", max_length=100, help_text=REASON_HELP)
    field.error_messages["required"] = REASON_MISSING
    return type(form_class.__name__, (form_class,), {REASON_FIELD: field})


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
            lines.append(f"{_user(record)} deleted it ({_when(record.history_date)} UTC).")
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


def _form_with_links(form_class, links: dict[str, list]):
    """`form_class`, its many-to-many fields opening with `links` selected instead of the record's links now."""

    class VersionForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name, keys in links.items():
                # A read-only field (reference data for an editor) is not on the form, and is not saved.
                if name in self.fields:
                    self.initial[name] = keys

    return VersionForm


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


def _delete_selected_with_reason(modeladmin, request, queryset):
    """Django's "delete selected" action, confirmed only with a reason (TrackedAdmin._deletion_reason)."""
    from django.contrib.admin.actions import delete_selected

    modeladmin._deletion_reason(request)
    return delete_selected(modeladmin, request, queryset)


_delete_selected_with_reason.short_description = "Delete selected %(verbose_name_plural)s"
_delete_selected_with_reason.allowed_permissions = ("delete",)


class TrackedAdmin(SafeIdsMixin, SimpleHistoryAdmin):
    """Admin for a model with history: guarded saves, safe revert, and a list of deleted records to restore."""

    form = GuardedModelForm
    guard_related: tuple[str, ...] = ()
    # Reference data (a unit's name, FIPS code, state, whether it is counted...): only superusers change it. For
    # everyone else these fields are shown read-only, so a posted value is never even read, and no other way of
    # saving (reverting to an old version, restoring a deleted record) can change them either.
    reference_fields: tuple[str, ...] = ()
    change_list_template = "admin/tracked_change_list.html"
    delete_confirmation_template = "admin/tracked_delete_confirmation.html"
    delete_selected_confirmation_template = "admin/tracked_delete_selected_confirmation.html"
    object_history_template = "admin/tracked_object_history.html"
    # A change of an existing record asks why (kept as the history's change reason); an admin whose form holds its
    # own reason (a correction report's resolution note) turns it off.
    asks_reason = True
    # List editing would bypass the per-record version check: it is off everywhere.
    list_editable = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Sources are cited by address: "example.org/x" means https, as Django 6 will assume.
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [name for name in self.reference_fields if name not in fields]
        return fields

    def has_add_permission(self, request):
        # A new record of reference data is all reference fields: superusers only.
        if self.reference_fields and not request.user.is_superuser:
            return False
        return super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        if self.reference_fields and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change and self.reference_fields and not request.user.is_superuser:
            # A revert saves the whole historical version, reference fields included (simple-history passes it
            # as the form's instance): keep the values they have now.
            current = self.model._base_manager.filter(pk=obj.pk).first()
            for name in self.reference_fields:
                field = self.model._meta.get_field(name)
                if current is not None and field.concrete and not field.many_to_many:
                    setattr(obj, field.attname, getattr(current, field.attname))
        reason = form.cleaned_data.get(REASON_FIELD) if hasattr(form, "cleaned_data") else None
        if reason:
            obj._change_reason = reason
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # The inline rows (dated statuses) saved or deleted with the record carry the same reason.
        reason = form.cleaned_data.get(REASON_FIELD)
        if reason:
            for inline_form in formset.forms:
                inline_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)

    def get_fields(self, request, obj=None):
        # The reason is asked below the record's fields (templates/admin/change_form.html), not among them.
        return [name for name in super().get_fields(request, obj) if name != REASON_FIELD]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and self.asks_reason:
            form = _with_reason(form)
        # modelform_factory made a fresh class for this request: tell it which related rows the version covers.
        form.guard_related = self.guard_related
        version = getattr(request, "_reverting_to", None)
        if version is not None:
            # The "Revert" page: ModelForm would select the links the record has today, which saving would keep.
            form = _form_with_links(form, version_links(version))
        return form

    def history_view(self, request, object_id, extra_context=None):
        self.id_or_404(self.model._meta.pk, object_id)
        # The history of a jurisdiction or agreement includes its dated status rows, edited inline with it.
        related = []
        instance = self.model._base_manager.filter(pk=object_id).first()
        for accessor in self.guard_related if instance else ():
            manager = getattr(instance, accessor)
            history = manager.model.history.filter(**{manager.field.attname: instance.pk})
            rows = []
            for record in history.select_related("history_user").order_by("-history_date", "-history_id")[:100]:
                previous = record.prev_record if record.history_type == "~" else None
                changes = record.diff_against(previous).changes if previous else []
                rows.append({"record": record, "changes": changes})
            related.append({"title": manager.model._meta.verbose_name_plural, "rows": rows})
        context = {"related_history": related, **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.id_or_404(self.model._meta.pk, object_id)
        self.id_or_404(self.model.history.model._meta.pk, version_id)
        history_model = self.model.history.model
        record = get_object_or_404(history_model, **{self.model._meta.pk.attname: object_id, "history_id": version_id})
        # Read by get_form, which simple-history calls with the version's fields but not its links.
        request._reverting_to = record
        # simple-history saves a revert for anyone who may view history: require the change permission.
        if request.method == "POST":
            if not self.has_change_permission(request, record.instance):
                raise PermissionDenied
            current = self.model._base_manager.filter(pk=record.instance.pk).exists()
            if not current and not self.has_add_permission(request):
                raise PermissionDenied
        # One transaction, like the admin's change form: the version check and the save cannot be split by
        # another save (PostgreSQL: the row is locked; SQLite: the write lock is taken at BEGIN).
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def _citing_links(self):
        """(model, field) of every many-to-many field, on any model, that points at this one (e.g. an event's
        sources). Deleting a record silently deletes such links: Django's PROTECT only covers foreign keys."""
        for relation in self.model._meta.get_fields(include_hidden=True):
            if relation.many_to_many and relation.auto_created and not relation.concrete:
                yield relation.field.model, relation.field

    def _describe(self, obj, field) -> str:
        """'Event: <link>2011-08-05 US: …</link> (its sources)', like the admin's own list of protected objects."""
        opts = obj._meta
        label = capfirst(opts.verbose_name)
        via = f"(its {field.verbose_name})"
        try:
            url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        except NoReverseMatch:
            return f"{label}: {obj} {via}"
        return format_html('{}: <a href="{}">{}</a> {}', label, url, obj, via)

    def _deletion_reason(self, request) -> str | None:
        """The reason posted with a confirmed deletion; without one the confirmation page shows again, asking."""
        if request.method != "POST" or not request.POST.get("post"):
            return None
        reason = request.POST.get(REASON_FIELD, "").strip()[:100]
        if not reason:
            post = request.POST.copy()
            post.pop("post")
            request.POST = post
            messages.error(request, f"Not deleted. {REASON_MISSING}")
            return None
        request.deletion_reason = reason
        return reason

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST" and not self._deletion_reason(request):
            # Shown again as the confirmation page: Django's delete view deletes on any non-empty POST.
            request.POST = QueryDict()
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        obj._change_reason = getattr(request, "deletion_reason", None)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # One by one, so each deletion's history record carries the reason (a queryset delete would not).
        for obj in queryset:
            self.delete_model(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_delete_selected_with_reason, name, description)
        return actions

    def get_deleted_objects(self, objs, request):
        # A record that a fact cites through a many-to-many link (a source in an event's or an agreement's
        # sources) is protected like one cited by a foreign key: the admin lists the citing facts and refuses.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected)
        for obj in objs:
            for model, field in self._citing_links():
                for citing in model._base_manager.filter(**{field.name: obj.pk}).order_by("pk"):
                    protected.append(self._describe(citing, field))
        if protected:
            # Nothing will be deleted: say which facts cite it, not that some of them (e.g. import batches, which
            # nobody may delete) could not be deleted by this user, which Django's page would show instead.
            perms_needed = set()
        return deleted, counts, perms_needed, protected

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("deleted/", self.admin_site.admin_view(self.deleted_view), name="{}_{}_deleted".format(*info)),
        ] + super().get_urls()

    def deleted_records(self):
        """The last history record of every deleted object that has not been restored."""
        history = self.model.history.model
        pk_name = self.model._meta.pk.attname
        existing = self.model._base_manager.values(pk_name)
        deletions = history.objects.filter(history_type="-").exclude(**{f"{pk_name}__in": existing})
        latest = {}
        for record in deletions.select_related("history_user").order_by("history_date"):
            latest[getattr(record, pk_name)] = record
        return sorted(latest.values(), key=lambda record: record.history_date, reverse=True)

    def deleted_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        if request.method == "POST":
            if not (self.has_add_permission(request) and self.has_change_permission(request)):
                raise PermissionDenied
            history_model = self.model.history.model
            history_id = parsed_id(history_model._meta.pk, request.POST.get("history_id"))
            if history_id is None:
                # A posted value the form never offers (a hand-made or damaged request): say so, change nothing.
                raise BadRequest("history_id is not the number of a deleted record: nothing was restored.")
            record = get_object_or_404(history_model, history_id=history_id)
            return self._restore_deleted(request, record)
        records = self.deleted_records()
        rows = [
            {
                "record": record,
                "label": str(record.instance),
                "history_url": reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_history", args=[getattr(record, opts.pk.attname)]
                ),
            }
            for record in records
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Deleted {opts.verbose_name_plural}",
            "opts": opts,
            "rows": rows,
            "can_restore": self.has_add_permission(request) and self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/deleted_records.html", context)

    def _restore_many_to_many(self, instance, deletion):
        """Put back the links (e.g. an agreement's sources) the last saved version had, where the targets exist."""
        pk_name = self.model._meta.pk.attname
        last = (
            self.model.history.filter(**{pk_name: getattr(deletion, pk_name), "history_id__lt": deletion.history_id})
            .exclude(history_type="-")
            .order_by("-history_date", "-history_id")
            .first()
        )
        for name, keys in (version_links(last) if last else {}).items():
            # simple-history records the links as a change of the restored record, with the same reason.
            getattr(instance, name).set(keys)

    def _restore_citing_links(self, request, instance, deletion) -> list[str]:
        """Put back the links that pointed at the record when it was deleted (e.g. the events that cited a
        source), from each citing record's last version before the deletion; each citing record's history
        records it. Returns what was relinked, for the message."""
        relinked = []
        when = _when(deletion.history_date)
        for model, field in self._citing_links():
            tracked = getattr(getattr(model, "history", None), "model", None)
            if tracked is None or field.name not in {f.name for f in tracked._history_m2m_fields}:
                continue  # links nobody kept a history of cannot be known
            links = getattr(tracked, field.name).model
            owner_key, target_key = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
            owners = links.objects.filter(**{target_key: instance.pk}).values_list(owner_key, flat=True).distinct()
            for owner_id in sorted(set(owners)):
                last = (
                    model.history.filter(
                        **{model._meta.pk.attname: owner_id, "history_date__lte": deletion.history_date}
                    )
                    .order_by("-history_date", "-history_id")
                    .first()
                )
                if last is None or last.history_type == "-":
                    continue
                if not links.objects.filter(history=last, **{target_key: instance.pk}).exists():
                    continue
                owner = model._base_manager.filter(pk=owner_id).first()
                if owner is None or getattr(owner, field.name).filter(pk=instance.pk).exists():
                    continue
                owner._history_user = request.user
                owner._change_reason = f"Link to {instance} restored (deleted {when})"[:100]
                getattr(owner, field.name).add(instance)
                relinked.append(f"{model._meta.verbose_name} “{owner}”")
        return relinked

    def _restore_deleted(self, request, record):
        opts = self.model._meta
        pk = getattr(record, opts.pk.attname)
        back = reverse(f"admin:{opts.app_label}_{opts.model_name}_deleted")
        if record.history_type != "-" or self.model._base_manager.filter(pk=pk).exists():
            messages.error(request, f"“{record.instance}” is not deleted: nothing to restore.")
            return redirect(back)
        instance = record.instance
        try:
            instance.full_clean(validate_unique=True)
            with transaction.atomic():
                instance._history_user = request.user
                instance._change_reason = f"Restored from the version deleted {_when(record.history_date)}"
                instance.save(force_insert=True)
                self._restore_many_to_many(instance, record)
                relinked = self._restore_citing_links(request, instance, record)
        except (ValidationError, IntegrityError) as error:
            detail = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, f"“{instance}” could not be restored: {detail}")
            return redirect(back)
        self.log_addition(request, instance, [{"added": {}}])
        cited = f" It is cited again by: {', '.join(relinked)}." if relinked else ""
        messages.success(request, f"Restored “{instance}” as it was when it was deleted.{cited}")
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk]))
