"""Readers' reports of errors, sent from the public pages, and how the editors resolved them.

A report never changes the data: it is a message for the editors. An accepted report records the editor's
sourced change (its source and a public note) and is listed in the public corrections log; the reporter's own
text and contact address stay in the admin.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from simple_history.models import HistoricalRecords

from corrections.subjects import KEY_FORMATS, SubjectKind, parse_page, subject_path
from jurisdictions.models import Source

MAX_DESCRIPTION = 5000


class ReportStatus(models.TextChoices):
    NEW = "new", "New"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class CorrectionReportQuerySet(models.QuerySet):
    def queue(self):
        """The editors' order: new reports first, then the rest; newest first within each."""
        new_first = models.Case(models.When(status=ReportStatus.NEW, then=0), default=1)
        return self.order_by(new_first, "-received_at", "-pk")

    def accepted(self):
        """The public corrections log: accepted reports, most recently resolved first, with their sources."""
        return (
            self.filter(status=ReportStatus.ACCEPTED)
            .select_related("source")
            .only(
                "subject_kind",
                "subject_key",
                "record_page",
                "received_at",
                "resolved_at",
                "resolution_note",
                "resolution_note_es",
                "source",
            )
            .order_by("-resolved_at", "-pk")
        )


class CorrectionReport(models.Model):
    """A reader's report that something on a record page is wrong, and its resolution."""

    page = models.CharField(
        max_length=200,
        help_text="The public page the report was sent from, e.g. /jurisdictions/48201/.",
    )
    subject_kind = models.CharField(
        max_length=20,
        choices=SubjectKind.choices,
        help_text="What kind of record the report is about: a jurisdiction, a state, the agreements or the About page.",
    )
    subject_key = models.CharField(
        max_length=60,
        blank=True,
        help_text="The record's public id: a FIPS code (48201), a postal code (TX), an agreement's anchor "
        "(agreement-3), or empty for a whole page.",
    )
    description = models.TextField(
        "what is wrong",
        max_length=MAX_DESCRIPTION,
        help_text="What the reader says is wrong, in their words. Never shown publicly.",
    )
    source_url = models.URLField(
        "link to a source",
        max_length=500,
        blank=True,
        help_text="A link the reader gave to a source for the correction, if any. Check it before relying on it.",
    )
    contact_email = models.EmailField(
        "contact address",
        blank=True,
        help_text="The reader's address, if they gave one, for questions about the report. Visible to editors "
        "only: never shown publicly, in the API or in any export.",
    )
    status = models.CharField(
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.NEW,
        help_text="New until an editor resolves it: accepted (the data was corrected, with a source) or rejected.",
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True, help_text="When the report was sent (UTC).")
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="When an editor accepted or rejected it. Set on saving the decision."
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolved_correction_reports",
        help_text="The editor who accepted or rejected it. Set on saving the decision.",
    )
    resolution_note = models.TextField(
        blank=True,
        max_length=2000,
        help_text="What was changed and why, in a sentence or two. Public for an accepted report (shown in the "
        "corrections log); for a rejection, the reason, kept for editors.",
    )
    resolution_note_es = models.TextField(
        "resolution note (Spanish)",
        blank=True,
        max_length=2000,
        help_text="Spanish version of the public note of an accepted report, shown on /es/ pages; leave blank to "
        "show the English text, marked as English. Quotations of the sources go between \u201c and \u201d.",
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction_reports",
        help_text="The source that backs the change, required to accept. Record the change itself on the "
        "record (its status history or agreement), citing the same source.",
    )
    record_page = models.CharField(
        "edited record",
        max_length=200,
        blank=True,
        help_text="The public page of the record that was changed, if it is not the page the report came from "
        "(e.g. /jurisdictions/48201/). The corrections log links to it.",
    )

    history = HistoricalRecords()

    objects = CorrectionReportQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="correction_status_valid"),
            models.CheckConstraint(
                condition=Q(
                    subject_kind=SubjectKind.JURISDICTION, subject_key__regex=KEY_FORMATS[SubjectKind.JURISDICTION]
                )
                | Q(subject_kind=SubjectKind.STATE, subject_key__regex=KEY_FORMATS[SubjectKind.STATE])
                | Q(subject_kind=SubjectKind.AGREEMENTS, subject_key__regex=KEY_FORMATS[SubjectKind.AGREEMENTS])
                | Q(subject_kind=SubjectKind.ABOUT, subject_key=""),
                name="correction_subject_key_matches_kind",
                violation_error_message="The subject's key does not fit its kind (a jurisdiction needs a FIPS "
                "code, a state its postal code).",
            ),
            models.CheckConstraint(
                condition=~Q(description="") & LessThanOrEqual(Length("description"), MAX_DESCRIPTION),
                name="correction_description_given_and_bounded",
                violation_error_message=f"Say what is wrong, in at most {MAX_DESCRIPTION:,} characters.",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.ACCEPTED)
                | (Q(resolved_at__isnull=False, source__isnull=False) & ~Q(resolution_note="")),
                name="correction_accepted_is_sourced_and_explained",
                violation_error_message="An accepted report needs its resolution date, a source and a public note.",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.REJECTED) | (Q(resolved_at__isnull=False) & ~Q(resolution_note="")),
                name="correction_rejected_is_explained",
                violation_error_message="A rejected report needs its resolution date and a note saying why.",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.NEW) | Q(resolved_at__isnull=True, resolved_by__isnull=True),
                name="correction_new_is_unresolved",
                violation_error_message="A new report has no resolution date or editor.",
            ),
        ]

    def __str__(self):
        return f"Report {self.pk or '(unsaved)'} on {self.page}"

    @property
    def subject_path(self) -> str:
        """The public page the report is about."""
        return subject_path(self.subject_kind, self.subject_key)

    @property
    def record_path(self) -> str:
        """The page of the record that was changed: the edited record if given, else the report's subject."""
        return self.record_page or self.subject_path

    def clean(self):
        # The constraints hold the same rules; these messages name the field an editor has to fill.
        errors = {}
        if self.status == ReportStatus.ACCEPTED and self.source_id is None:
            errors["source"] = (
                "To accept a report, pick the source that backs the change (or create it with the + button)."
            )
        if self.status != ReportStatus.NEW and not self.resolution_note.strip():
            errors["resolution_note"] = (
                "Write a note: for an accepted report what was changed (it is public), for a rejection why."
            )
        if self.record_page:
            try:
                self.record_page = parse_page(self.record_page).path
            except ValidationError as error:
                errors["record_page"] = error.messages
        if errors:
            raise ValidationError(errors)
