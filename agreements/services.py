"""Writes that touch several agreements at once."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from agreements.models import NOT_RESCINDABLE, Agreement, AgreementStatus, AgreementStatusChange, Event
from jurisdictions.models import Source

# The note of each agreement's rescission (ICE's letter of 5 August 2011), in English and in Spanish.
RESCISSION_NOTE = "ICE terminated all existing Secure Communities MOAs and declared participation mandatory."
RESCISSION_NOTE_ES = (
    "ICE dio por terminados todos los MOA de Secure Communities vigentes y declaró obligatoria la participación."
)


@transaction.atomic
def agreements_rescind(*, event: Event, agreements, source: Source | None = None) -> list[AgreementStatusChange]:
    """Record ICE's rescission (`event`) on every given agreement that still existed the day before.

    The event is recorded once; each agreement gets a dated status change pointing to it. Agreements that were
    refused, replaced or already rescinded are left alone, and running it again adds nothing.
    """
    source = source or event.sources.order_by("pk").first()
    day_before = event.occurred_on - datetime.timedelta(days=1)
    created = []
    for agreement in agreements.prefetch_related("status_changes"):
        if agreement.status_on(day_before) in NOT_RESCINDABLE:
            continue
        if any(change.status == AgreementStatus.RESCINDED for change in agreement.timeline):
            continue
        created.append(
            AgreementStatusChange.objects.create(
                agreement=agreement,
                status=AgreementStatus.RESCINDED,
                effective_on=event.occurred_on,
                precision="day",
                source=source,
                event=event,
                note=RESCISSION_NOTE,
                note_es=RESCISSION_NOTE_ES,
            )
        )
    return created


@transaction.atomic
def agreements_record_status(
    *,
    agreements,
    status: str,
    effective_on: datetime.date,
    source: Source,
    precision: str = "day",
    event: Event | None = None,
    note: str = "",
    note_es: str = "",
    user=None,
) -> tuple[list[AgreementStatusChange], list[tuple[Agreement, str]]]:
    """Record one sourced change on each given agreement, all or nothing.

    Returns (created, skipped): an agreement already in that status on that date, or (for a rescission) one
    refused, replaced or already rescinded, is skipped with the reason. Any other invalid change (e.g. a
    rescission dated before the signing) raises ValidationError naming the agreement, and nothing is written.
    """
    created, skipped, errors = [], [], []
    for agreement in agreements.prefetch_related("status_changes"):
        if status == AgreementStatus.RESCINDED:
            before = agreement.status_on(effective_on - datetime.timedelta(days=1))
            if before in NOT_RESCINDABLE or any(c.status == AgreementStatus.RESCINDED for c in agreement.timeline):
                label = AgreementStatus(before).label.lower() if before else "no longer existing"
                skipped.append((agreement, f"nothing to rescind (already {label})"))
                continue
        if agreement.status_on(effective_on) == status:
            skipped.append((agreement, f"already {AgreementStatus(status).label.lower()} on {effective_on}"))
            continue
        change = AgreementStatusChange(
            agreement=agreement,
            status=status,
            effective_on=effective_on,
            precision=precision,
            source=source,
            event=event,
            note=note,
            note_es=note_es,
        )
        try:
            change.full_clean()
        except ValidationError as error:
            errors.append(f"{agreement}: {' '.join(error.messages)}")
            continue
        change._history_user = user
        created.append(change)
    if errors:
        raise ValidationError(errors)
    for change in created:
        change.save()
    return created, skipped
