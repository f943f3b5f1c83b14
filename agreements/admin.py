"""Editors' admin for state agreements (MOAs), their dated status history, and events."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.template.response import TemplateResponse
from django.utils.text import Truncator

from agreements.forms import AgreementForm, AgreementStatusChangeForm, ApplyEventForm, EventForm
from agreements.models import Agreement, AgreementStatus, AgreementStatusChange, Event
from agreements.services import agreements_record_status
from common.admin_mixins import TrackedAdmin
from jurisdictions.models import Source


class AgreementStatusChangeInline(admin.TabularInline):
    model = AgreementStatusChange
    form = AgreementStatusChangeForm
    fields = ["status", "effective_on", "precision", "source", "event", "note", "note_es", "concurrency_version"]
    extra = 1
    show_change_link = True
    autocomplete_fields = ["source", "event"]
    ordering = ["effective_on", "pk"]


class AgreementStatusFilter(admin.SimpleListFilter):
    title = "status today"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return AgreementStatus.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(Agreement)
class AgreementAdmin(TrackedAdmin):
    form = AgreementForm
    list_display = ["state", "state_party", "signed_display", "status_today", "status_since", "latest_source"]
    list_filter = [("state", admin.RelatedOnlyFieldListFilter), AgreementStatusFilter]
    list_select_related = ["state"]
    search_fields = ["state__name", "state__postal", "state_party", "notes", "notes_es"]
    autocomplete_fields = ["state", "sources"]
    inlines = [AgreementStatusChangeInline]
    guard_related = ("status_changes",)
    actions = ["apply_event"]

    def get_queryset(self, request):
        latest = AgreementStatusChange.objects.filter(agreement=OuterRef("pk")).order_by("-effective_on", "-pk")
        return (
            super()
            .get_queryset(request)
            .with_status()
            .annotate(
                latest_source_title=Subquery(latest.values("source__title")[:1]),
                latest_source_url=Subquery(latest.values("source__url")[:1]),
            )
        )

    @admin.display(description="Signed", ordering="signed_on")
    def signed_display(self, agreement):
        return agreement.signed_display

    @admin.display(description="Status", ordering="status")
    def status_today(self, agreement):
        return AgreementStatus(agreement.status).label if agreement.status else "No dated record yet"

    @admin.display(description="Since", ordering="status_since")
    def status_since(self, agreement):
        return agreement.status_since or "—"

    @admin.display(description="Source of latest change")
    def latest_source(self, agreement):
        if not (agreement.latest_source_title or agreement.latest_source_url):
            return "—"
        label = Truncator(
            Source(title=agreement.latest_source_title or "", url=agreement.latest_source_url or "").label
        )
        return label.chars(60)

    @admin.action(description="Record one sourced change on the selected agreements…", permissions=["add"])
    def apply_event(self, request, queryset):
        form = ApplyEventForm(request.POST if "apply" in request.POST else None, admin_site=self.admin_site)
        if "apply" in request.POST and form.is_valid():
            data = form.cleaned_data
            try:
                created, skipped = agreements_record_status(
                    agreements=queryset,
                    status=data["status"],
                    effective_on=data["effective_on"],
                    precision=data["precision"],
                    source=data["source"],
                    event=data["event"],
                    note=data["note"],
                    note_es=data["note_es"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, ValidationError(["Nothing was recorded:", *error.messages]))
            else:
                label = AgreementStatus(data["status"]).label.lower()
                self.message_user(
                    request, f"Recorded “{label}” on {data['effective_on']} for {len(created)} agreement(s)."
                )
                for agreement, reason in skipped:
                    self.message_user(request, f"Skipped {agreement}: {reason}.", messages.WARNING)
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Record one sourced change on several agreements",
            "opts": self.model._meta,
            "form": form,
            "media": self.media + form.media,
            "queryset": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/agreements/agreement/apply_event.html", context)


@admin.register(AgreementStatusChange)
class AgreementStatusChangeAdmin(TrackedAdmin):
    form = AgreementStatusChangeForm
    list_display = ["agreement", "status", "effective_on", "precision", "source", "event"]
    list_filter = ["status", ("agreement__state", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["agreement__state", "source", "event"]
    search_fields = ["agreement__state__name", "agreement__state__postal", "agreement__state_party", "note", "note_es"]
    autocomplete_fields = ["agreement", "source", "event"]
    date_hierarchy = "effective_on"


@admin.register(Event)
class EventAdmin(TrackedAdmin):
    form = EventForm
    list_display = ["occurred_on", "state", "kind", "summary"]
    list_filter = ["kind", "state"]
    list_select_related = ["state"]
    search_fields = ["summary", "summary_es", "state__name", "state__postal"]
    autocomplete_fields = ["state", "sources"]
    date_hierarchy = "occurred_on"
