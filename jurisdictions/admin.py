"""Editors' admin for states, jurisdictions, their dated status history, sources and imports."""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from common.admin_ids import SafeIdsMixin
from common.admin_mixins import TrackedAdmin
from common.dates import us_today
from jurisdictions import importer, services
from jurisdictions.forms import ImportUploadForm, JurisdictionForm, SourceDocumentForm, SourceForm, StatusChangeForm
from jurisdictions.models import (
    ImportBatch,
    ImportState,
    Jurisdiction,
    Source,
    SourceDocument,
    State,
    Status,
    StatusChange,
)


def tolerant_jurisdictions(term: str):
    """Jurisdictions a search box means: tolerant name (see search.py), FIPS prefix, or a state's code or name."""
    term = term.strip()
    # Two letters that are a postal code mean the state ("DE"), not every name containing them.
    if len(term) == 2 and State.objects.filter(postal__iexact=term).exists():
        return Jurisdiction.objects.filter(state__postal__iexact=term)
    return Jurisdiction.objects.filter(
        Q(fips__in=Jurisdiction.objects.matching(term).values("fips"))
        | Q(state__postal__iexact=term)
        | Q(state__name__iexact=term)
    )


@admin.register(State)
class StateAdmin(TrackedAdmin):
    list_display = ["name", "postal", "fips"]
    search_fields = ["name", "postal", "fips"]
    reference_fields = ("postal", "fips", "name")

    def get_readonly_fields(self, request, obj=None):
        # The postal code is the public id and the primary key: editing it would create a second state.
        fields = super().get_readonly_fields(request, obj)
        return fields + ["postal"] if obj and "postal" not in fields else fields


class SourceDocumentInline(admin.StackedInline):
    """The document behind the source, kept by the site (served at /sources/<id>/document with its SHA-256)."""

    model = SourceDocument
    form = SourceDocumentForm
    fields = ["upload", "retrieved_on", "media_type", "size", "sha256", "filename", "served_at"]
    readonly_fields = ["media_type", "size", "sha256", "filename", "served_at"]
    extra = 0
    max_num = 1

    @admin.display(description="Served at")
    def served_at(self, document):
        if document.pk is None:
            return "—"
        url = reverse("source_document", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, url)


class LinkCheckFilter(admin.SimpleListFilter):
    """Sources by the last check of their address (`manage.py check_source_links`)."""

    title = "address check"
    parameter_name = "address"

    def lookups(self, request, model_admin):
        return [("dead", "Dead"), ("alive", "Answering"), ("unchecked", "Never checked")]

    def queryset(self, request, queryset):
        if self.value() == "dead":
            return queryset.filter(link_check__alive=False)
        if self.value() == "alive":
            return queryset.filter(link_check__alive=True)
        if self.value() == "unchecked":
            return queryset.filter(link_check__isnull=True)
        return queryset


@admin.register(Source)
class SourceAdmin(TrackedAdmin):
    form = SourceForm
    inlines = [SourceDocumentInline]
    list_display = ["label", "publisher", "published_on", "link", "address_check"]
    list_select_related = ["link_check"]
    search_fields = ["title", "publisher", "url", "key"]
    list_filter = [LinkCheckFilter, "publisher"]

    def get_inlines(self, request, obj):
        # A document is attached to a source that exists: the add form stays the source's own fields.
        return self.inlines if obj is not None else []

    @admin.display(description="Address check")
    def address_check(self, source):
        check = getattr(source, "link_check", None)
        if check is None:
            return "—"
        day = check.checked_at.date().isoformat()
        if check.alive:
            return f"answers ({day})"
        return format_html('<strong class="errornote">dead: {}</strong> ({})', check.outcome, day)

    @admin.display(description="Address")
    def link(self, source):
        return format_html('<a href="{}">{}</a>', source.url, source.host) if source.url else "—"


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    form = StatusChangeForm
    fields = [
        "status",
        "effective_on",
        "source",
        "confidence",
        "alternative_date",
        "note",
        "note_es",
        "concurrency_version",
    ]
    extra = 1
    show_change_link = True
    autocomplete_fields = ["source"]
    ordering = ["effective_on", "pk"]


class StatusFilter(admin.SimpleListFilter):
    title = "status today"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class ActivationYearFilter(admin.SimpleListFilter):
    title = "activation year"
    parameter_name = "activated_in"

    def lookups(self, request, model_admin):
        return [(str(year), str(year)) for year in range(2008, 2014)] + [("none", "Not activated")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(activated_on__isnull=True)
        if value and value.isdigit():
            year = int(value)
            return queryset.filter(
                activated_on__gte=datetime.date(year, 1, 1), activated_on__lt=datetime.date(year + 1, 1, 1)
            )
        return queryset


class DisputedFilter(admin.SimpleListFilter):
    title = "disputed date"
    parameter_name = "disputed"

    def lookups(self, request, model_admin):
        return [("yes", "Disputed"), ("no", "Not disputed")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.disputed()
        if self.value() == "no":
            return queryset.exclude(pk__in=Jurisdiction.objects.disputed().values("pk"))
        return queryset


@admin.register(Jurisdiction)
class JurisdictionAdmin(TrackedAdmin):
    form = JurisdictionForm
    list_display = ["name", "fips", "state", "status_today", "activated_on_display", "source_display", "kind"]
    list_filter = ["state", StatusFilter, ActivationYearFilter, DisputedFilter, "kind", "in_dataset"]
    list_select_related = ["state"]
    search_fields = ["name", "fips", "state__name", "state__postal"]
    search_help_text = "Name (St./Saint, hyphens and “County” are optional), FIPS code, or state."
    autocomplete_fields = ["state", "status_from", "replaced_by"]
    inlines = [StatusChangeInline]
    guard_related = ("status_changes",)
    # Census facts and what is counted: unticking "in_dataset" would change every national total. Editors keep
    # the status history and the change note.
    reference_fields = (
        "name",
        "fips",
        "state",
        "kind",
        "in_dataset",
        "on_current_map",
        "status_from",
        "replaced_by",
    )

    def get_readonly_fields(self, request, obj=None):
        # The FIPS code is the public id and the primary key: editing it would create a second unit.
        fields = super().get_readonly_fields(request, obj)
        return fields + ["fips"] if obj and "fips" not in fields else fields

    def changelist_view(self, request, extra_context=None):
        extra = {"import_url": reverse("admin:jurisdictions_importbatch_upload")}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def get_queryset(self, request):
        latest = StatusChange.objects.filter(
            jurisdiction_id=Coalesce(OuterRef("status_from_id"), OuterRef("fips")),
            effective_on__lte=us_today(),
        ).order_by("-effective_on", "-pk")
        return (
            super()
            .get_queryset(request)
            .with_status()
            .annotate(
                source_title=Subquery(latest.values("source__title")[:1]),
                source_url=Subquery(latest.values("source__url")[:1]),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(pk__in=tolerant_jurisdictions(search_term).values("pk")), False

    @admin.display(description="Status", ordering="status")
    def status_today(self, unit):
        return Status(unit.status).label

    @admin.display(description="Activated", ordering="activated_on")
    def activated_on_display(self, unit):
        return unit.activated_on or "—"

    @admin.display(description="Source")
    def source_display(self, unit):
        label = Truncator(unit.source_title or Source(url=unit.source_url or "").label).chars(60)
        if unit.source_url:
            return format_html('<a href="{}">{}</a>', unit.source_url, label)
        return label or "—"


@admin.register(StatusChange)
class StatusChangeAdmin(TrackedAdmin):
    form = StatusChangeForm
    list_display = ["jurisdiction", "status", "effective_on", "confidence", "source"]
    list_filter = ["status", "confidence", ("jurisdiction__state", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "effective_on"
    list_select_related = ["jurisdiction__state", "source"]
    search_fields = ["jurisdiction__name", "jurisdiction__fips", "source__title"]
    search_help_text = "Jurisdiction name (tolerant), FIPS code, state, or source title."
    autocomplete_fields = ["jurisdiction", "source"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        units = tolerant_jurisdictions(search_term).values("pk")
        return queryset.filter(Q(jurisdiction__in=units) | Q(source__title__icontains=search_term.strip())), False


@admin.register(ImportBatch)
class ImportBatchAdmin(SafeIdsMixin, admin.ModelAdmin):
    """Upload a published list, preview it, confirm it, and undo it as one unit."""

    list_display = ["__str__", "state", "created_at", "created_by", "file_name", "counts_display", "short_hash"]
    list_filter = ["state"]
    list_select_related = ["created_by", "source"]
    search_fields = ["file_name", "sha256"]

    def has_change_permission(self, request, obj=None):
        # Batches are changed only by confirming or undoing them, never by editing their fields.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Rows")
    def counts_display(self, batch):
        counts = batch.counts or {}
        shown = ("new", "changed", "unchanged", "duplicate") + (("conflict",) if counts.get("conflict") else ())
        return ", ".join(f"{counts.get(k, 0)} {k}" for k in shown)

    @admin.display(description="SHA-256")
    def short_hash(self, batch):
        return batch.sha256[:12]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="jurisdictions_importbatch_upload"),
            path("<int:pk>/preview/", view(self.preview_view), name="jurisdictions_importbatch_preview"),
            path("<int:pk>/undo/", view(self.undo_view), name="jurisdictions_importbatch_undo"),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:jurisdictions_importbatch_upload")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        pk = self.id_or_404(self.model._meta.pk, object_id)
        return redirect("admin:jurisdictions_importbatch_preview", pk=pk)

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = ImportUploadForm(
            request.POST if posted else None, request.FILES if posted else None, admin_site=self.admin_site
        )
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(importer.MAX_BYTES + 1)
            try:
                # A new source is saved only with a batch, so a refused file writes nothing at all.
                source = form.cleaned_data["source"] or form.new_source()
                if source.pk is None:
                    source.full_clean()
                batch, plan = services.import_batch_preview(
                    file_name=upload.name, data=data, source=source, user=request.user
                )
            except importer.ImportRefused as error:
                form.add_error("file", str(error))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if batch is not None:
                    return redirect("admin:jurisdictions_importbatch_preview", pk=batch.pk)
                return TemplateResponse(
                    request,
                    "admin/jurisdictions/importbatch/preview.html",
                    self._context(
                        request,
                        title="Import refused: fix the errors",
                        plan=plan,
                        batch=None,
                        counts=plan.counts,
                        file_name=upload.name,
                    ),
                )
        context = self._context(
            request,
            title="Import a published list of activated jurisdictions",
            form=form,
            media=self.media + form.media,
        )
        return TemplateResponse(request, "admin/jurisdictions/importbatch/upload.html", context)

    def preview_view(self, request, pk):
        pk = self.id_or_404(self.model._meta.pk, pk)
        batch = get_object_or_404(ImportBatch.objects.select_related("source", "created_by", "applied_by"), pk=pk)
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_add_permission(request):
                raise PermissionDenied
            try:
                if "confirm" in request.POST and batch.state == ImportState.PREVIEWED:
                    services.import_batch_apply(batch=batch, user=request.user)
                    batch.refresh_from_db()
                    counts = batch.counts
                    messages.success(
                        request,
                        f"Applied {batch.file_name}: {counts['new']} newly activated, {counts['changed']} dates "
                        f"changed, {counts['unchanged']} unchanged.",
                    )
                elif "undo" in request.POST and batch.state == ImportState.APPLIED:
                    services.import_batch_undo(batch=batch, user=request.user)
                    messages.success(request, f"Undid {batch.file_name}: the tracker is as it was before it.")
                else:
                    messages.error(request, f"{batch} is {batch.get_state_display().lower()}: nothing was done.")
            except services.ImportNotApplied as error:
                messages.error(request, str(error))
            return redirect("admin:jurisdictions_importbatch_preview", pk=batch.pk)
        plan = importer.Plan([importer.PlannedRow(**row) for row in batch.plan])
        context = self._context(
            request,
            title=str(batch),
            batch=batch,
            plan=plan,
            counts=plan.counts,
            file_name=batch.file_name,
            can_write=self.has_add_permission(request),
        )
        return TemplateResponse(request, "admin/jurisdictions/importbatch/preview.html", context)

    def undo_view(self, request, pk):
        """Asks before undoing: lists every row the undo would remove or put back, or why it cannot be undone.
        Its button posts "undo" to the preview page, which undoes (checking again that nothing changed since)."""
        pk = self.id_or_404(self.model._meta.pk, pk)
        batch = get_object_or_404(ImportBatch.objects.select_related("source", "applied_by"), pk=pk)
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = self._context(
            request,
            title=f"Undo {batch}?",
            batch=batch,
            undo=services.import_batch_undo_plan(batch),
            file_name=batch.file_name,
        )
        return TemplateResponse(request, "admin/jurisdictions/importbatch/undo.html", context)
