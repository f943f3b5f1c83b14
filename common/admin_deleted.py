"""The admin's page of deleted records and their restore, for every tracked model (`DeletedRecordsMixin`, mixed
into common/admin_mixins.py `TrackedAdmin`): a restored record comes back as it was when it was deleted, with
its many-to-many links and the links of the records that cited it, each change in the history with its reason."""

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from common.admin_ids import parsed_id
from common.admin_versions import admin_moment, version_links


class DeletedRecordsMixin:
    """A "deleted" page listing the deleted records of the model, and their restore (add and change permission).
    The admin it is mixed into gives `_citing_links` (the many-to-many fields that point at the model)."""

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
        when = admin_moment(deletion.history_date)
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
                instance._change_reason = f"Restored from the version deleted {admin_moment(record.history_date)}"
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
