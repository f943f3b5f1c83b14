"""Admin behaviour every tracked model shares (`TrackedAdmin`): a reason asked for every change and deletion,
reference fields kept to superusers, safe revert, deletions refused while a fact cites the record.

The pieces it is made of have their own modules: guarded saves and revert with links (common/admin_versions.py),
ids checked before use (common/admin_ids.py), the deleted records' page and restore (common/admin_deleted.py).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from common.admin_deleted import DeletedRecordsMixin
from common.admin_ids import SafeIdsMixin
from common.admin_versions import GuardedModelForm, form_with_links, version_links

# Every change and deletion of a tracked record asks why; the history shows it beside who.
REASON_FIELD = "change_reason"
REASON_HELP = "Why: e.g. 'ICE list of 2011-08-05 gives this date'. Shown in the record's history."
REASON_MISSING = "Give a reason for this change: it is kept in the record's history."


def _with_reason(form_class):
    """The admin's form for an existing record, with a required reason (saved as the history's change reason)."""
    field = forms.CharField(label="Reason for this change", max_length=100, help_text=REASON_HELP)
    field.error_messages["required"] = REASON_MISSING
    return type(form_class.__name__, (form_class,), {REASON_FIELD: field})


def _delete_selected_with_reason(modeladmin, request, queryset):
    """Django's "delete selected" action, confirmed only with a reason (TrackedAdmin._deletion_reason)."""
    from django.contrib.admin.actions import delete_selected

    modeladmin._deletion_reason(request)
    return delete_selected(modeladmin, request, queryset)


_delete_selected_with_reason.short_description = "Delete selected %(verbose_name_plural)s"
_delete_selected_with_reason.allowed_permissions = ("delete",)


class TrackedAdmin(SafeIdsMixin, DeletedRecordsMixin, SimpleHistoryAdmin):
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
            form = form_with_links(form, version_links(version))
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
