"""The agreements page: every state MOA with its status on `as_of` and its full, sourced history."""

import datetime

from django.shortcuts import render

from agreements.models import AgreementStatus, EventKind
from tracker.public import public_page

RESCISSION_DAY = datetime.date(2011, 8, 5)


@public_page
def agreement_list(request):
    snapshot, day = request.snapshot, request.day
    rows = [
        (agreement, snapshot.agreement_status(agreement, day), agreement.status_display_on(day))
        for agreement in snapshot.agreements
    ]
    rescission = next((event for event in snapshot.events if event.kind == EventKind.MOA_RESCINDED), None)
    rescinded = [
        agreement
        for agreement in snapshot.agreements
        if snapshot.agreement_status(agreement, RESCISSION_DAY) == AgreementStatus.RESCINDED
    ]
    context = {
        "as_of": request.as_of,
        "day": day,
        "rows": rows,
        "rescission": rescission,
        "rescinded_states": sorted({agreement.state.name for agreement in rescinded}),
        "statuses": AgreementStatus.choices,
    }
    return render(request, "agreements/agreement_list.html", context)
