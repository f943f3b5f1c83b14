"""The agreements page: every state MOA with its status on `as_of` and its full, sourced history."""

import datetime

from django.shortcuts import render

from agreements.models import Agreement, AgreementStatus, Event, EventKind
from tracker.pages import BadParameter, bad_request, requested_day

RESCISSION_DAY = datetime.date(2011, 8, 5)


def agreement_list(request):
    try:
        as_of = requested_day(request)
    except BadParameter as error:
        return bad_request(request, error)
    day = as_of or datetime.date.today()
    agreements = list(Agreement.objects.for_pages())
    rows = [(agreement, agreement.status_on(day), agreement.status_display_on(day)) for agreement in agreements]
    rescission = (
        Event.objects.filter(kind=EventKind.MOA_RESCINDED).prefetch_related("sources").order_by("occurred_on").first()
    )
    rescinded = [a for a in agreements if a.status_on(RESCISSION_DAY) == AgreementStatus.RESCINDED]
    context = {
        "as_of": as_of,
        "day": day,
        "rows": rows,
        "rescission": rescission,
        "rescinded_states": sorted({agreement.state.name for agreement in rescinded}),
        "statuses": AgreementStatus.choices,
    }
    return render(request, "agreements/agreement_list.html", context)
