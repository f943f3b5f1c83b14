"""Readers' reports (the form at the end of every record page, and its standalone page) and the public log of
accepted corrections."""

import math
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from common import params
from common.http_cache import PAGE_CACHE_CONTROL, answer_etag, last_modified, not_modified, set_headers
from common.public import bad_request
from common.reading import read_version
from corrections import throttling
from corrections.forms import ReportForm
from corrections.models import CorrectionReport
from corrections.services import correction_report_receive
from corrections.subjects import Subject, parse_page, subject_labels

LOG_PAGE_SIZE = 100
LOG_PARAMS = {"page": params.PAGE}


def _subject_or_none(value: str) -> Subject | None:
    try:
        return parse_page(value)
    except ValidationError:
        return None


def _form_page(request, form, subject: Subject | None, *, status=200, wait: int | None = None):
    """The standalone report page: the form (with its errors and the values sent, if any) and what it is about."""
    context = {
        "form": form,
        "subject": subject,
        "subject_label": subject_labels([subject])[subject] if subject else "",
        "wait_minutes": math.ceil(wait / 60) if wait else None,
    }
    response = render(request, "corrections/report.html", context, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


# The form sits on public pages that are cached per data version and shared by every visitor (common/public.py,
# and nginx in front), so it cannot carry a per-visitor CSRF token. None is needed: CSRF stops a forged request
# from acting with a visitor's credentials, and this view uses none (no session, no login, the user is ignored).
# All it does is store a message for the editors, which anyone may send directly; spam is kept out by the
# honeypot and the per-address allowance instead.
@csrf_exempt
def report(request):
    """GET: the standalone form for `?page=<path>`. POST: receive a report, then redirect to the thank-you page."""
    if request.method == "POST":
        return _receive(request)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    subject = _subject_or_none(request.GET.get("page", ""))
    form = ReportForm(initial={"page": subject.path if subject else ""})
    return _form_page(request, form, subject)


def _receive(request):
    wait = throttling.allowance_used_up(request)
    if wait is not None:
        # Not read, not stored: the values come back in an unbound form so the reader can keep their text.
        kept = ReportForm(initial={name: request.POST.get(name, "") for name in ReportForm.base_fields})
        return _form_page(request, kept, _subject_or_none(request.POST.get("page", "")), status=429, wait=wait)
    form = ReportForm(request.POST)
    if form.is_robot:
        # The same answer a person gets, so the program learns nothing; nothing is stored.
        return _see_other(reverse("corrections:thanks"))
    if not form.is_valid():
        return _form_page(request, form, form.cleaned_data.get("page"), status=400)
    data = form.cleaned_data
    subject = data["page"]
    correction_report_receive(
        subject=subject,
        description=data["description"],
        source_url=data["source_url"],
        contact_email=data["contact_email"],
    )
    return _see_other(reverse("corrections:thanks") + "?" + urlencode({"page": subject.path}))


def _see_other(url):
    # 303: the browser follows with a GET, so reloading the thank-you page never sends the report again.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def thanks(request):
    """After a report: what happens next, and the way back to the page it was about."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    subject = _subject_or_none(request.GET.get("page", ""))
    label = subject_labels([subject])[subject] if subject else ""
    return render(request, "corrections/thanks.html", {"subject": subject, "subject_label": label})


def log(request):
    """The public corrections log: accepted reports, most recently resolved first.

    Not part of the read-model snapshot: its validators come from the reports' own edit history (any save or
    deletion of a report moves it) and the data version (a source's title or a unit's name shown here may change).
    `page` follows the one page rule (common/params.py): a number from 1, else 400; past the last page, 404.
    """
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        query = params.parse(LOG_PARAMS, request.GET)
    except params.BadParameter as error:
        return bad_request(request, error)
    latest = CorrectionReport.history.order_by("-history_id").values_list("history_id", "history_date").first()
    latest_id, latest_at = latest or (0, None)
    version = read_version()
    etag = answer_etag(
        "corrections-log",
        latest_id,
        version.number,
        request.scheme,
        request.get_host(),
        request.path,
        query.canonical,
    )
    changed = max((when for when in (latest_at, version.changed_at) if when is not None), default=None)
    modified = last_modified(changed, None)
    response = not_modified(request, etag, modified)
    if response is None:
        try:
            page = Paginator(CorrectionReport.objects.accepted(), LOG_PAGE_SIZE).page(query["page"])
        except EmptyPage:
            raise Http404(_("There is no page %(page)s of corrections.") % {"page": query["page"]}) from None
        reports = list(page.object_list)
        records = {report.pk: parse_page(report.record_path, check_exists=False) for report in reports}
        labels = subject_labels(records.values())
        for report in reports:
            report.record_label = labels[records[report.pk]]
        response = render(request, "corrections/log.html", {"page": page, "reports": reports})
    if response.status_code in (200, 304):
        set_headers(response, etag, modified, cache_control=PAGE_CACHE_CONTROL, vary=("Accept-Encoding",))
    return response
