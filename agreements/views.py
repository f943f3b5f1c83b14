"""The agreements page: every state MOA with its status on `as_of` and its full, sourced history."""

from django.shortcuts import render

from agreements.models import AgreementStatus
from common.public import public_page


@public_page
def agreement_list(request):
    snapshot, day = request.snapshot, request.day
    rows = [
        (agreement, snapshot.agreement_status(agreement, day), agreement.status_display_on(day))
        for agreement in snapshot.agreements
    ]
    rescission = snapshot.rescission
    rescinded = [
        agreement
        for agreement in snapshot.agreements
        if rescission and snapshot.agreement_status(agreement, rescission.occurred_on) == AgreementStatus.RESCINDED
    ]
    # States whose counties were activated before the rescission with no agreement on record: an MOA usually
    # came first, so the gap is in the sources, not (as far as anyone knows) in the history.
    not_yet_sourced = []
    if rescission:
        for postal, state in snapshot.states.items():
            first = snapshot.agreement_not_yet_sourced(postal, rescission.occurred_on)
            if first:
                not_yet_sourced.append((state, first))
    context = {
        "as_of": request.as_of,
        "day": day,
        "rows": rows,
        "rescission": rescission,
        "rescinded_states": sorted({agreement.state.name for agreement in rescinded}),
        "not_yet_sourced": not_yet_sourced,
        "statuses": AgreementStatus.choices,
    }
    return render(request, "agreements/agreement_list.html", context)
