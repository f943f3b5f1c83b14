"""Writes that touch several agreements at once."""

import datetime

from django.db import transaction

from agreements.models import NOT_RESCINDABLE, AgreementStatus, AgreementStatusChange, Event
from jurisdictions.models import Source


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
                note="ICE terminated all existing Secure Communities MOAs and declared participation mandatory.",
            )
        )
    return created
