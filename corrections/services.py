"""Writes on correction reports: receiving one from the public form, and resolving them in the admin."""

from django.db import transaction
from django.utils import timezone

from corrections.models import CorrectionReport, ReportStatus
from corrections.subjects import Subject


def correction_report_receive(
    *, subject: Subject, description: str, source_url: str = "", contact_email: str = ""
) -> CorrectionReport:
    """Store a reader's report for the editors. It changes no public data (only an editor's sourced edit does)."""
    report = CorrectionReport(
        page=subject.path,
        subject_kind=subject.kind,
        subject_key=subject.key,
        description=description,
        source_url=source_url,
        contact_email=contact_email,
    )
    report.full_clean()
    report.save()
    return report


def correction_reports_reject(*, reports, note: str, user) -> tuple[list[CorrectionReport], list[CorrectionReport]]:
    """Reject every new report among `reports` with one note (e.g. "Spam."), as `user`, in one transaction.

    Returns (rejected, skipped): a report already accepted or rejected is left as it is, so a bulk rejection
    never takes an accepted correction out of the public log.
    """
    rejected, skipped = [], []
    now = timezone.now()
    with transaction.atomic():
        # Rows only, locked: the admin's selection may join the editor's user, which PostgreSQL cannot lock.
        for report in reports.select_related(None).select_for_update().order_by("pk"):
            if report.status != ReportStatus.NEW:
                skipped.append(report)
                continue
            report.status = ReportStatus.REJECTED
            report.resolution_note = note
            report.resolved_at = now
            report.resolved_by = user
            report.full_clean()
            # simple-history records who rejected it (its middleware reads the request's user; be explicit).
            report._history_user = user
            report.save()
            rejected.append(report)
    return rejected, skipped
