"""Writes that touch many jurisdictions at once: preview, apply and undo an import of a published list."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jurisdictions import importer
from jurisdictions.models import Confidence, ImportBatch, ImportState, Source, Status, StatusChange


class ImportNotApplied(Exception):
    """Applying or undoing was refused; nothing was written. `plan` is the fresh plan when it went stale."""

    def __init__(self, message: str, plan: importer.Plan | None = None):
        super().__init__(message)
        self.plan = plan


@transaction.atomic
def import_batch_preview(
    *, file_name: str, data: bytes, source: Source, user, protects_edits: bool = False
) -> tuple[ImportBatch | None, importer.Plan]:
    """Plan an upload. A file without errors is kept as a previewed batch (no tracker data is written);
    a file with errors is not kept, so it cannot be applied until fixed and uploaded again. An unsaved
    `source` (described on the upload form) is saved only with the batch. `protects_edits`: a review of the
    shipped dataset, whose rows never overwrite an editor's or an import's work (importer.CONFLICT)."""
    plan = importer.plan_import(file_name, data, protect_edits=protects_edits)
    if plan.errors:
        return None, plan
    if source.pk is None:
        source.save()
    batch = ImportBatch.objects.create(
        file_name=file_name[:255],
        sha256=importer.sha256(data),
        size=len(data),
        content=data,
        source=source,
        plan=[row.as_dict() for row in plan.rows],
        counts=plan.counts,
        created_by=user,
        protects_edits=protects_edits,
    )
    return batch, plan


def _reason(batch: ImportBatch) -> str:
    return f"Import #{batch.pk} of {batch.file_name}"[:100]


def import_batch_apply(*, batch: ImportBatch, user) -> ImportBatch:
    """Write a previewed batch in one transaction, re-checking it against the data as they are now.

    If the tracker changed since the preview, nothing is written, the batch's preview is brought up to date
    and ImportNotApplied says so: an editor confirms what they saw, never something else.
    """
    try:
        return _apply(batch, user)
    except ImportNotApplied as refusal:
        if refusal.plan is not None and not refusal.plan.errors:
            batch.plan, batch.counts = [row.as_dict() for row in refusal.plan.rows], refusal.plan.counts
            batch.save(update_fields=["plan", "counts"])
        raise


@transaction.atomic
def _apply(batch: ImportBatch, user) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.state != ImportState.PREVIEWED:
        raise ImportNotApplied(f"{batch} was already {batch.get_state_display().lower()}.")
    plan = importer.plan_import(batch.file_name, bytes(batch.content), protect_edits=batch.protects_edits)
    stored = importer.Plan([importer.PlannedRow(**row) for row in batch.plan])
    if plan.errors or plan.actions() != stored.actions():
        raise ImportNotApplied(
            "The tracker changed since this preview, so nothing was applied. Review the updated preview.", plan
        )
    reason = _reason(batch)
    new = [
        StatusChange(
            jurisdiction_id=row.fips,
            status=Status.ACTIVATED,
            effective_on=datetime.date.fromisoformat(row.date),
            source=batch.source,
            confidence=Confidence.CONFIRMED,
            note=f"From {batch.file_name}, line {row.line}.",
            note_es=f"De {batch.file_name}, línea {row.line}.",
        )
        for row in plan.of(importer.NEW)
    ]
    created = bulk_create_with_history(new, StatusChange, default_user=user, default_change_reason=reason)
    changed_rows = plan.of(importer.CHANGED)
    existing = StatusChange.objects.in_bulk([row.change_id for row in changed_rows])
    updated, record = [], []
    for row in changed_rows:
        change = existing[row.change_id]
        before = {"effective_on": change.effective_on.isoformat(), "source_id": change.source_id}
        record.append(
            {"id": change.pk, "before": before, "after": {"effective_on": row.date, "source_id": batch.source_id}}
        )
        change.effective_on, change.source = datetime.date.fromisoformat(row.date), batch.source
        updated.append(change)
    if updated:
        bulk_update_with_history(
            updated, StatusChange, ["effective_on", "source"], default_user=user, default_change_reason=reason
        )
    if any(change.pk is None for change in created):
        raise RuntimeError("The database did not return the ids of created rows; cannot record the import.")
    batch.changes = {
        "created": [
            {"id": change.pk, "after": {"effective_on": str(change.effective_on), "source_id": batch.source_id}}
            for change in created
        ],
        "updated": record,
    }
    batch.state, batch.applied_at, batch.applied_by = ImportState.APPLIED, timezone.now(), user
    batch.save(update_fields=["changes", "state", "applied_at", "applied_by"])
    return batch


# Every stored field of a dated status row (note, note_es, confidence, alternative_date, status, date, source,
# unit): an undo deletes or rewrites the whole row, so an edit to any of them would be lost.
_UNDO_COMPARED = [field for field in StatusChange._meta.concrete_fields if not field.primary_key]


def _imported_versions(batch: ImportBatch) -> dict[int, object]:
    """Each row's version as the import wrote it: its history record with the import's reason (the newest, should
    the same reason ever appear twice), by status change id."""
    records = StatusChange.history.filter(history_change_reason=_reason(batch)).order_by("history_date", "history_id")
    return {record.id: record for record in records}


def _undo_problems(batch: ImportBatch, rows: dict) -> list[str]:
    """Why undoing `batch` would lose someone's later edit (rows: its status changes by id, as they are now, with
    their jurisdictions), one line per row, naming it, the fields changed and who changed them last.

    A row counts as edited when any stored field differs from the version the import itself wrote; an edit that
    was put back exactly (a note changed and changed back) loses nothing and does not block the undo."""
    imported = _imported_versions(batch)
    edited: dict[int, list[str]] = {}
    problems = []
    for item in batch.changes.get("created", []) + batch.changes.get("updated", []):
        change = rows.get(item["id"])
        if change is None:
            problems.append(f"status change #{item['id']} has since been deleted")
            continue
        version = imported.get(change.pk)
        if version is None:
            # Without the import's own version, a later edit cannot be ruled out: refuse rather than guess.
            problems.append(f"{_named(change)} has no record of this import in its history")
            continue
        # The import's version has the date and source it recorded as `after`, and every other field it left.
        fields = [
            field for field in _UNDO_COMPARED if getattr(change, field.attname) != getattr(version, field.attname)
        ]
        if fields:
            edited[change.pk] = [str(field.verbose_name) for field in fields]
    editors = _last_editors({pk: imported[pk].history_id for pk in edited}) if edited else {}
    for pk, labels in edited.items():
        problems.append(f"{_named(rows[pk])} has since been edited{editors.get(pk, '')}: {', '.join(labels)} changed")
    return problems


def _named(change: StatusChange) -> str:
    """'status change #12 (Harris County, TX: activated on 2008-10-28)': the row as an editor finds it."""
    unit = change.jurisdiction
    return (
        f"status change #{change.pk} ({unit.name}, {unit.state_id}: "
        f"{change.get_status_display().lower()} on {change.effective_on.isoformat()})"
    )


def _last_editors(imported: dict[int, int]) -> dict[int, str]:
    """' by otto' for each row (`imported`: status change id -> the history id of the import's version) whose
    newest later version names a user; one query."""
    newest = {}
    later = StatusChange.history.filter(id__in=list(imported)).select_related("history_user").order_by("history_id")
    for record in later:
        if record.history_id > imported[record.id]:
            newest[record.id] = record
    return {pk: f" by {record.history_user}" for pk, record in newest.items() if record.history_user_id}


@dataclass
class UndoStep:
    """One row an undo writes: an activation the import added is removed, or a date it changed is put back."""

    change_id: int
    fips: str
    jurisdiction: str
    action: str  # "remove" or "restore"
    date_now: str
    source_now: str
    date_after: str = ""
    source_after: str = ""


@dataclass
class UndoPlan:
    """What undoing an import would change, row by row, and why it cannot be undone (if it cannot)."""

    steps: list[UndoStep]
    problems: list[str]

    @property
    def removed(self) -> list[UndoStep]:
        return [step for step in self.steps if step.action == "remove"]

    @property
    def restored(self) -> list[UndoStep]:
        return [step for step in self.steps if step.action == "restore"]


def import_batch_undo_plan(batch: ImportBatch) -> UndoPlan:
    """What `import_batch_undo` would write now (nothing is written): shown to the editor before they confirm."""
    if batch.state != ImportState.APPLIED:
        return UndoPlan([], [f"{batch} is {batch.get_state_display().lower()}, not applied"])
    created = batch.changes.get("created", [])
    updated = batch.changes.get("updated", [])
    rows = StatusChange.objects.select_related("jurisdiction", "source").in_bulk(
        [item["id"] for item in created + updated]
    )
    sources = Source.objects.in_bulk([item["before"]["source_id"] for item in updated])
    steps = []
    for action, items in (("remove", created), ("restore", updated)):
        for item in items:
            change = rows.get(item["id"])
            if change is None:
                continue
            step = UndoStep(
                change_id=change.pk,
                fips=change.jurisdiction_id,
                jurisdiction=f"{change.jurisdiction.name}, {change.jurisdiction.state_id}",
                action=action,
                date_now=change.effective_on.isoformat(),
                source_now=change.source.label,
            )
            if action == "restore":
                before = sources.get(item["before"]["source_id"])
                step.date_after = item["before"]["effective_on"]
                step.source_after = before.label if before else f"source #{item['before']['source_id']} (deleted)"
            steps.append(step)
    steps.sort(key=lambda step: (step.action, step.jurisdiction))
    return UndoPlan(steps, _undo_problems(batch, rows))


@transaction.atomic
def import_batch_undo(*, batch: ImportBatch, user) -> ImportBatch:
    """Remove what a batch created and put back what it changed, as one unit. Refused (nothing written) when
    someone edited those rows since: their edit would otherwise be lost silently."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.state != ImportState.APPLIED:
        raise ImportNotApplied(f"Only an applied import can be undone; {batch} is not.")
    created = batch.changes.get("created", [])
    updated = batch.changes.get("updated", [])
    rows = (
        StatusChange.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .in_bulk([item["id"] for item in created + updated])
    )
    problems = _undo_problems(batch, rows)
    if problems:
        more = f"; and {len(problems) - 10} more (listed on the undo page)" if len(problems) > 10 else ""
        raise ImportNotApplied(
            "Nothing was undone, because undoing would overwrite later edits: " + "; ".join(problems[:10]) + more + ". "
            "Restore those rows from their history instead."
        )
    reason = f"Undo of {_reason(batch)}"[:100]
    for item in created:
        change = rows[item["id"]]
        change._history_user, change._change_reason = user, reason
        change.delete()
    restored = []
    for item in updated:
        change = rows[item["id"]]
        change.effective_on = datetime.date.fromisoformat(item["before"]["effective_on"])
        change.source_id = item["before"]["source_id"]
        restored.append(change)
    if restored:
        bulk_update_with_history(
            restored, StatusChange, ["effective_on", "source"], default_user=user, default_change_reason=reason
        )
    batch.state, batch.undone_at, batch.undone_by = ImportState.UNDONE, timezone.now(), user
    batch.save(update_fields=["state", "undone_at", "undone_by"])
    return batch


@transaction.atomic
def status_change_record(
    *,
    jurisdiction,
    status: str,
    effective_on: datetime.date,
    source: Source,
    confidence: str = Confidence.CONFIRMED,
    alternative_date: datetime.date | None = None,
    note: str = "",
    user=None,
) -> StatusChange:
    """Record one dated, sourced status change after the same validation the admin applies (ValidationError)."""
    change = StatusChange(
        jurisdiction=jurisdiction,
        status=status,
        effective_on=effective_on,
        source=source,
        confidence=confidence,
        alternative_date=alternative_date,
        note=note,
    )
    change.full_clean()
    change._history_user = user
    change.save()
    return change
