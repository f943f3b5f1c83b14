"""The editors' queue of readers' correction reports: triage, then accept with a sourced change or reject."""

from django.contrib import admin, messages
from django.db.models import Case, Value, When
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.text import Truncator

from common.admin_mixins import TrackedAdmin
from corrections.forms import RejectForm, ResolveForm
from corrections.models import CorrectionReport, ReportStatus
from corrections.services import correction_reports_reject
from corrections.subjects import subject_labels

RESOLVING = (
    "To accept a report, first make the correction on the record itself (a jurisdiction's status history, an "
    "agreement or an event), citing its source. Then pick the same source here, write the public note (it is shown "
    "in the corrections log) and set the status to Accepted. To reject, set Rejected and say why. Saving the "
    "decision records who made it and when."
)


@admin.register(CorrectionReport)
class CorrectionReportAdmin(TrackedAdmin):
    form = ResolveForm
    # The decision's resolution note is its reason, said to the reader in the public log.
    asks_reason = False
    list_display = ["received_at", "status", "subject_link", "summary", "has_contact", "resolved_at", "resolved_by"]
    list_display_links = ["received_at"]
    list_filter = ["status", "subject_kind"]
    list_select_related = ["resolved_by"]
    search_fields = [
        "description",
        "subject_key",
        "page",
        "resolution_note",
        "resolution_note_es",
        "source_url",
        "contact_email",
    ]
    search_help_text = "Words of the report or of the note, a FIPS or postal code, a link or an address."
    date_hierarchy = "received_at"
    # New reports first (the queue), then the rest; newest first within each.
    ordering = [Case(When(status=ReportStatus.NEW, then=Value(0)), default=Value(1)).asc(), "-received_at", "-pk"]
    autocomplete_fields = ["source"]
    actions = ["reject_selected"]
    fieldsets = [
        (
            "The report",
            {"fields": ["received_at", "subject_display", "description", "source_link", "contact_email"]},
        ),
        (
            "Decision",
            {
                # concurrency_version: the hidden guard against overwriting a colleague's decision (TrackedAdmin).
                "fields": [
                    "status",
                    "resolution_note",
                    "resolution_note_es",
                    "source",
                    "record_page",
                    "resolved_at",
                    "resolved_by",
                    "concurrency_version",
                ],
                "description": RESOLVING,
            },
        ),
    ]
    # What the reader sent is evidence: nobody edits it. Who decided, and when, is recorded by the decision.
    readonly_fields = [
        "received_at",
        "subject_display",
        "description",
        "source_link",
        "contact_email",
        "resolved_at",
        "resolved_by",
    ]

    def has_add_permission(self, request):
        # Reports come from readers, through the public form.
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # modelform_factory made a fresh class for this request: the decision is recorded as this editor's.
        form.editor = request.user
        return form

    def save_model(self, request, obj, form, change):
        # The history says why, in the decision's own words.
        obj._change_reason = f"{obj.get_status_display()}: {obj.resolution_note}".strip(": ")[:100]
        super().save_model(request, obj, form, change)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # A reader's name for each row's record, in one query per kind for the whole page.
        rows = list(changelist.result_list)
        labels = subject_labels((row.subject_kind, row.subject_key) for row in rows)
        for row in rows:
            row.subject_label = labels[row.subject_kind, row.subject_key]
        return changelist

    @admin.display(description="About")
    def subject_link(self, report):
        label = getattr(report, "subject_label", report.page)
        return format_html('<a href="{}">{}</a>', report.subject_path, label)

    @admin.display(description="About")
    def subject_display(self, report):
        label = subject_labels([(report.subject_kind, report.subject_key)])[report.subject_kind, report.subject_key]
        return format_html('<a href="{}">{}</a> (sent from {})', report.subject_path, label, report.page)

    @admin.display(description="What is wrong")
    def summary(self, report):
        return Truncator(report.description).chars(80)

    @admin.display(description="Link to a source")
    def source_link(self, report):
        if not report.source_url:
            return "—"
        # A reader's link: followed without telling that site where it was found.
        return format_html(
            '<a href="{}" rel="noopener noreferrer nofollow">{}</a>', report.source_url, report.source_url
        )

    @admin.display(description="Contact", boolean=True)
    def has_contact(self, report):
        return bool(report.contact_email)

    @admin.action(description="Reject the selected new reports…", permissions=["change"])
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "reject" in request.POST else None)
        if "reject" in request.POST and form.is_valid():
            rejected, skipped = correction_reports_reject(
                reports=queryset, note=form.cleaned_data["note"], user=request.user
            )
            self.message_user(request, f"Rejected {len(rejected)} report(s).")
            if skipped:
                names = ", ".join(f"#{report.pk} ({report.get_status_display().lower()})" for report in skipped)
                self.message_user(request, f"Left as they were, already resolved: {names}.", messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject reports",
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/corrections/correctionreport/reject.html", context)
