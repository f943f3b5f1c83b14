"""Shared by the tests of readers' correction reports (tests/test_corrections_*.py): the form's and the log's
addresses, posting a report as a browser does, making and accepting reports, and the editor's own client."""

import re
from html import unescape
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from corrections.models import CorrectionReport, ReportStatus
from corrections.subjects import SubjectKind

REPORT_URL = "/corrections/report/"
LOG_URL = "/corrections/"
EMAIL = "reader-7f3a@example.net"


def editor_on_own_client(client, editor):
    """The editor (tests/conftest.py) on a client of their own: `client` stays an anonymous reader. The test
    files that need it make it their `editor_client` fixture."""
    from django.test import Client

    other = Client()
    other.force_login(editor)
    return other


def post_report(client, **fields):
    """POST the form as a browser does (URL-encoded, no CSRF token), with the defaults a reader would type."""
    fields.setdefault("page", "/jurisdictions/48201/")
    fields.setdefault("description", "The activation date should be 28 October 2008.")
    fields.setdefault("source_url", "")
    fields.setdefault("contact_email", "")
    fields.setdefault("website", "")
    extra = {key: fields.pop(key) for key in list(fields) if key.isupper()}
    return client.post(REPORT_URL, urlencode(fields), content_type="application/x-www-form-urlencoded", **extra)


def form_fields(html: str) -> dict:
    """The name and value of each input and textarea of the report form in a page, as a browser would send them."""
    start = html.index('class="correction-form"')
    form = html[start : html.index("</form>", start)]
    fields = {name: unescape(value) for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form)}
    for name, value in re.findall(r'<textarea[^>]*name="(\w+)"[^>]*>([^<]*)</textarea>', form):
        fields[name] = unescape(value)
    return fields


def make_report(**fields) -> CorrectionReport:
    fields.setdefault("page", "/jurisdictions/48201/")
    fields.setdefault("subject_kind", SubjectKind.JURISDICTION)
    fields.setdefault("subject_key", "48201")
    fields.setdefault("description", "Something is wrong.")
    report = CorrectionReport(**fields)
    report.full_clean()
    report.save()
    return report


def accept(report, *, source, note="Activation date corrected to 28 October 2008.", user=None, when=None):
    report.status = ReportStatus.ACCEPTED
    report.source = source
    report.resolution_note = note
    report.resolved_at = when or timezone.now()
    report.resolved_by = user
    report.full_clean()
    report.save()
    return report


def change_form_data(response) -> dict:
    """The POST data of the admin change form as rendered (the editable fields and the version guard): only the
    fields the page really holds, as a browser would send them."""
    data = {}
    html = response.content.decode()
    for bound in response.context["adminform"].form:
        if f'name="{bound.html_name}"' not in html:
            continue
        value = bound.value()
        data[bound.html_name] = "" if value is None else str(value)
    return data


def change_url(report):
    return reverse("admin:corrections_correctionreport_change", args=[report.pk])
