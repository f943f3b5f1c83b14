"""Readers' correction reports: the form on every record page, spam guards, the editors' queue, the public log."""

import datetime
import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from agreements.models import Agreement
from common.reading import read_version
from corrections.models import CorrectionReport, ReportStatus
from corrections.subjects import SubjectKind
from jurisdictions.models import Source
from tests.factories import make_source
from tracker.models import DataVersion

pytestmark = pytest.mark.django_db

REPORT_URL = "/corrections/report/"
LOG_URL = "/corrections/"
EMAIL = "reader-7f3a@example.net"


@pytest.fixture
def editor_client(client, editor):
    """The editor (tests/conftest.py) on a client of their own: `client` stays an anonymous reader here."""
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


# 1. A report from every kind of record page reaches the queue


@pytest.mark.parametrize(
    "path, kind, key, label",
    [
        ("/jurisdictions/48201/", SubjectKind.JURISDICTION, "48201", "Harris County, TX (48201)"),
        ("/states/TX/", SubjectKind.STATE, "TX", "Texas"),
        ("/agreements/", SubjectKind.AGREEMENTS, "", "State agreements"),
        ("/about/", SubjectKind.ABOUT, "", "About this tracker"),
    ],
)
def test_a_report_sent_from_each_kind_of_page_reaches_the_queue_with_its_subject(
    client, editor_client, path, kind, key, label
):
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="report-correction"' in html
    assert f'action="{REPORT_URL}"' in html
    fields = form_fields(html)
    assert fields["page"] == path
    assert set(fields) == {"page", "description", "source_url", "contact_email", "website"}
    fields.update(description="Wrong date.", source_url="https://example.org/ice-list.pdf", contact_email=EMAIL)

    response = post_report(client, **fields)

    assert response.status_code == 303
    assert response["Location"] == "/corrections/report/thanks/?" + urlencode({"page": path})
    report = CorrectionReport.objects.get()
    assert (report.page, report.subject_kind, report.subject_key) == (path, kind, key)
    assert (report.description, report.source_url, report.contact_email) == (
        "Wrong date.",
        "https://example.org/ice-list.pdf",
        EMAIL,
    )
    assert report.status == ReportStatus.NEW and report.resolved_at is None
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert f'<a href="{path}">Back to {label}</a>' in thanks.content.decode()
    queue = editor_client.get(reverse("admin:corrections_correctionreport_changelist"))
    assert queue.status_code == 200
    assert f'<a href="{path}">{label}</a>' in queue.content.decode()


def test_a_report_about_one_agreement_names_it(client, dataset):
    agreement = Agreement.objects.select_related("state").first()
    page = f"/agreements/#agreement-{agreement.pk}"
    standalone = client.get(REPORT_URL, {"page": page})
    assert f'About: <a href="{page}">State agreements: {agreement.state.name}</a>' in standalone.content.decode()
    assert post_report(client, page=page).status_code == 303
    report = CorrectionReport.objects.get()
    assert (report.subject_kind, report.subject_key) == (SubjectKind.AGREEMENTS, f"agreement-{agreement.pk}")


def test_the_form_carries_no_per_visitor_token_so_cached_pages_stay_shared(client, dataset):
    first = client.get("/jurisdictions/48201/")
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert "csrftoken" not in first.cookies
    from django.test import Client

    second = Client().get("/jurisdictions/48201/")
    assert first["ETag"] == second["ETag"] and first.content == second.content
    # And the POST needs none: Django's CSRF check would refuse this request with 403.
    strict = Client(enforce_csrf_checks=True)
    assert post_report(strict).status_code == 303


def test_the_footer_link_opens_the_standalone_form_for_the_current_page(client, dataset):
    html = client.get("/states/IL/").content.decode()
    assert '<a href="/corrections/report/?page=/states/IL/" rel="nofollow">Report a correction</a>' in html
    assert '<a href="/corrections/">Corrections made</a>' in html
    standalone = client.get(REPORT_URL, {"page": "/states/IL/"}).content.decode()
    assert 'About: <a href="/states/IL/">Illinois</a>' in standalone
    assert form_fields(standalone)["page"] == "/states/IL/"
    # From a page that is not a record (the downloads page), the reader says which record it is about.
    downloads = client.get("/downloads/").content.decode()
    assert 'href="/corrections/report/?page=/downloads/"' in downloads
    other = client.get(REPORT_URL, {"page": "/downloads/"}).content.decode()
    assert 'id="correction-page" name="page" value=""' in other
    assert "About:" not in other


# 2. Errors keep the values; the page is validated


def test_a_report_with_errors_is_shown_again_with_the_messages_and_the_values_kept(client, dataset):
    response = post_report(
        client,
        description="   ",
        source_url="not a link <b>",
        contact_email="someone at example",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="correction-errors"' in html
    assert "Say what is wrong" in html
    assert "full web address" in html
    assert "not an email address" in html
    fields = form_fields(html)
    assert fields["source_url"] == "not a link <b>"
    assert fields["contact_email"] == "someone at example"
    assert fields["page"] == "/jurisdictions/48201/"
    assert "not a link &lt;b&gt;" in html
    assert CorrectionReport.objects.count() == 0
    # The text is kept too when another field is wrong.
    again = post_report(client, description="Line one\r\nline two", contact_email="nope")
    assert form_fields(again.content.decode())["description"].splitlines() == ["Line one", "line two"]


@pytest.mark.parametrize(
    "page, message",
    [
        ("/downloads/", "is not a page a report can be about"),
        ("/jurisdictions/", "is not a page a report can be about"),
        ("/jurisdictions/99999/", "No jurisdiction in the tracker has the FIPS code 99999."),
        ("/states/ZZ/", "No state in the tracker has the postal code ZZ."),
        ("/agreements/#agreement-999999", "No agreement on the agreements page has the anchor #agreement-999999."),
        ("javascript:alert(1)", "is not a page a report can be about"),
        ("//evil.example/jurisdictions/48201/x", "is not a page a report can be about"),
        ("", "Say which page it is about."),
    ],
)
def test_an_unknown_page_is_a_clear_error(client, dataset, page, message):
    response = post_report(client, page=page)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in unescape(html)
    # The reader can correct the page: it is now a visible field, with what they sent.
    assert 'id="correction-page"' in html
    assert form_fields(html)["page"] == page
    assert CorrectionReport.objects.count() == 0


def test_hostile_input_is_escaped_everywhere_it_is_shown(client, editor_client):
    hostile = '"><script>alert(1)</script>'
    response = post_report(client, page="/about/" + hostile, description=hostile, source_url="x" + hostile)
    html = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    standalone = client.get(REPORT_URL, {"page": hostile}).content.decode()
    assert "<script>alert" not in standalone
    # Stored from a valid page, the text is escaped in the editors' queue and change form.
    post_report(client, page="/about/", description=hostile)
    report = CorrectionReport.objects.get()
    for url in (reverse("admin:corrections_correctionreport_changelist"), change_url(report)):
        page = editor_client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_full_address_a_query_and_a_lowercase_state_are_understood(client, dataset):
    assert post_report(client, page="https://scomm.example.org/states/tx/?as_of=2010-01-01").status_code == 303
    assert post_report(client, page="/agreements/#rescission").status_code == 303
    reports = CorrectionReport.objects.order_by("pk")
    assert [(r.page, r.subject_kind, r.subject_key) for r in reports] == [
        ("/states/TX/", SubjectKind.STATE, "TX"),
        ("/agreements/", SubjectKind.AGREEMENTS, ""),
    ]


def test_a_report_at_its_longest_is_taken_and_one_character_more_is_not(client, dataset):
    # Line breaks count once, as the browser's maxlength counts them, though it sends each as CR LF.
    longest = "\r\n".join(["😀" * 99] * 50) + "😀"
    assert len(longest.replace("\r\n", "\n")) == 5000
    assert post_report(client, description=longest).status_code == 303
    assert CorrectionReport.objects.get().description == longest.replace("\r\n", "\n")
    too_long = post_report(client, description="x" * 5001)
    assert too_long.status_code == 400
    assert "at most 5000 characters" in too_long.content.decode()


# 3. Spam: the honeypot and the allowance


def test_a_filled_honeypot_gets_the_thank_you_page_and_stores_nothing(client, dataset):
    response = post_report(client, website="https://spam.example/")
    assert response.status_code == 303
    assert response["Location"].startswith("/corrections/report/thanks/")
    assert client.get(response["Location"]).status_code == 200
    assert CorrectionReport.objects.count() == 0
    # An empty honeypot (a person) is stored.
    assert post_report(client, website="").status_code == 303
    assert CorrectionReport.objects.count() == 1


def test_the_honeypot_is_hidden_by_a_css_class_not_an_inline_style(client, dataset):
    from django.contrib.staticfiles import finders

    html = client.get("/about/").content.decode()
    trap = re.search(r'<p class="correction-trap">\s*<label[^>]*>[^<]*</label>\s*<input([^>]*)>', html)
    assert trap is not None
    assert 'name="website"' in trap.group(1) and 'tabindex="-1"' in trap.group(1)
    assert "style=" not in html.split('id="report-correction"')[1]
    css = open(finders.find("css/site.css")).read()
    assert re.search(r"\.correction-trap\s*\{\s*display:\s*none;", css)


def test_reports_beyond_the_allowance_get_429_with_retry_after_and_the_text_kept(client, dataset, settings):
    settings.CORRECTIONS_RATE = "2/hour"
    assert post_report(client, description="first").status_code == 303
    assert post_report(client, description="second").status_code == 303
    limited = post_report(client, description="third, kept for the reader")
    assert limited.status_code == 429
    assert 3000 < int(limited["Retry-After"]) <= 3600
    html = limited.content.decode()
    assert 'id="correction-wait"' in html
    assert form_fields(html)["description"] == "third, kept for the reader"
    assert list(CorrectionReport.objects.order_by("pk").values_list("description", flat=True)) == ["first", "second"]
    # Another client address has its own allowance.
    assert post_report(client, description="elsewhere", REMOTE_ADDR="192.0.2.7").status_code == 303


def test_the_allowance_counts_by_the_trusted_proxy_rule(client, dataset, settings):
    settings.CORRECTIONS_RATE = "1/hour"
    settings.TRUSTED_PROXY_COUNT = 1
    nginx = {"REMOTE_ADDR": "127.0.0.1"}
    assert post_report(client, HTTP_X_FORWARDED_FOR="198.51.100.1", **nginx).status_code == 303
    # A made-up entry to the left of the proxy's does not make a new client.
    assert post_report(client, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1", **nginx).status_code == 429
    assert post_report(client, HTTP_X_FORWARDED_FOR="198.51.100.2", **nginx).status_code == 303


def test_the_allowance_can_be_switched_off(client, dataset, settings):
    settings.CORRECTIONS_RATE = None
    for number in range(8):
        assert post_report(client, description=f"report {number}").status_code == 303
    assert CorrectionReport.objects.count() == 8


# 4. Bodies: the one public address that takes one


def test_the_report_address_takes_a_body_up_to_its_limit_and_no_other_public_address_does(client, dataset, settings):
    settings.CORRECTIONS_MAX_BODY_BYTES = 2000
    too_big = client.generic(
        "POST", REPORT_URL, b"description=" + b"x" * 2000, content_type="application/x-www-form-urlencoded"
    )
    assert too_big.status_code == 413
    assert post_report(client, description="x" * 1500).status_code == 303
    chunked = client.generic("POST", REPORT_URL, b"", HTTP_TRANSFER_ENCODING="chunked")
    assert chunked.status_code == 413
    for path in (LOG_URL, "/corrections/report/thanks/", "/corrections/report/x", "/corrections/report", "/about/"):
        assert client.generic("POST", path, b"page=%2Fabout%2F").status_code == 413, path


def test_the_default_body_limit_takes_the_longest_report(client, dataset, settings):
    body = urlencode(
        {
            "page": "/jurisdictions/48201/",
            "description": "😀" * 5000,
            "source_url": "https://example.org/" + "%F0%9F%98%80" * 40,
            "contact_email": EMAIL,
            "website": "",
        }
    ).encode()
    assert len(body) <= settings.CORRECTIONS_MAX_BODY_BYTES < 100 * 1024  # nginx's limit for the public site
    response = client.generic("POST", REPORT_URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303


# 5. A report changes no public data


def test_an_anonymous_report_changes_no_public_data(client, dataset):
    before = read_version()
    page = client.get("/jurisdictions/48201/")
    assert post_report(client, source_url="https://example.org/new-source").status_code == 303
    assert read_version() == before
    assert not Source.objects.filter(url="https://example.org/new-source").exists()
    again = client.get("/jurisdictions/48201/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 304


# 6. The editors' queue


def test_an_editor_accepts_with_a_source_and_it_appears_in_the_public_log(client, editor_client, editor):
    post_report(client, description="The date is wrong; see the ICE list.", contact_email=EMAIL)
    report = CorrectionReport.objects.get()
    source = make_source(
        title="ICE: Activated jurisdictions, 2012", publisher="ICE", published_on=datetime.date(2012, 3, 1)
    )
    form = editor_client.get(change_url(report))
    assert EMAIL in form.content.decode()  # staff see the contact address
    data = change_form_data(form)
    data.update(status="accepted", resolution_note="Activation date corrected to 28 October 2008.", source=source.pk)

    response = editor_client.post(change_url(report), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert report.resolved_by == editor
    assert timezone.now() - report.resolved_at < datetime.timedelta(minutes=1)
    assert report.history.first().history_user == editor
    log = client.get(LOG_URL)
    assert log.status_code == 200
    html = log.content.decode()
    entry = html[html.index('id="corrections-log"') :]
    assert '<a href="/jurisdictions/48201/">Harris County, TX (48201)</a>' in entry
    assert "Activation date corrected to 28 October 2008." in entry
    assert f'<a href="{source.url}">ICE: Activated jurisdictions, 2012</a></cite>, ICE' in entry
    assert '<time datetime="2012-03-01">1 March 2012</time>' in entry
    assert report.received_at.strftime("%Y-%m-%d") in entry and report.resolved_at.strftime("%Y-%m-%d") in entry
    assert "The date is wrong" not in html and EMAIL not in html


def test_accepting_needs_a_source_and_a_note(client, editor_client):
    post_report(client)
    report = CorrectionReport.objects.get()
    data = change_form_data(editor_client.get(change_url(report)))
    data.update(status="accepted", resolution_note="", source="")
    response = editor_client.post(change_url(report), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "pick the source that backs the change" in str(errors["source"])
    assert "Write a note" in str(errors["resolution_note"])
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW and report.resolved_at is None


def test_rejecting_keeps_a_report_out_of_the_log(client, editor_client, editor):
    post_report(client, description="Please remove my county.")
    report = CorrectionReport.objects.get()
    data = change_form_data(editor_client.get(change_url(report)))
    data.update(status="rejected", resolution_note="The source gives this date.")
    assert editor_client.post(change_url(report), data).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.resolved_by) == (ReportStatus.REJECTED, editor)
    html = client.get(LOG_URL).content.decode()
    assert 'id="corrections-empty"' in html
    assert "The source gives this date." not in html


def test_reopening_a_report_clears_its_decision(client, editor_client):
    post_report(client)
    report = accept(CorrectionReport.objects.get(), source=make_source())
    data = change_form_data(editor_client.get(change_url(report)))
    data.update(status="new")
    assert editor_client.post(change_url(report), data).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.resolved_at, report.resolved_by) == (ReportStatus.NEW, None, None)
    assert 'id="corrections-empty"' in client.get(LOG_URL).content.decode()


def test_bulk_rejection_takes_a_note_and_leaves_accepted_reports_alone(client, editor_client, editor, settings):
    settings.CORRECTIONS_RATE = None
    for number in range(3):
        post_report(client, description=f"buy now {number}")
    spam = list(CorrectionReport.objects.order_by("pk"))
    kept = accept(spam[2], source=make_source())
    url = reverse("admin:corrections_correctionreport_changelist")
    selection = {"action": "reject_selected", "_selected_action": [str(r.pk) for r in spam]}
    asked = editor_client.post(url, selection)
    assert asked.status_code == 200 and 'id="reject-reports"' in asked.content.decode()
    # Without a note nothing is rejected.
    assert editor_client.post(url, {**selection, "reject": "1", "note": ""}).status_code == 200
    assert CorrectionReport.objects.filter(status=ReportStatus.REJECTED).count() == 0
    done = editor_client.post(url, {**selection, "reject": "1", "note": "Spam."}, follow=True)
    messages = [str(m) for m in done.context["messages"]]
    assert "Rejected 2 report(s)." in messages
    assert any(f"#{kept.pk} (accepted)" in m for m in messages)
    statuses = dict(CorrectionReport.objects.values_list("pk", "status"))
    assert statuses == {spam[0].pk: "rejected", spam[1].pk: "rejected", kept.pk: "accepted"}
    assert set(CorrectionReport.objects.filter(status="rejected").values_list("resolved_by", flat=True)) == {editor.pk}


def test_the_queue_lists_new_reports_first(client, editor_client):
    older = make_report(description="older, new", received_at=timezone.now() - datetime.timedelta(days=3))
    resolved = accept(make_report(description="newest, accepted"), source=make_source())
    newer = make_report(description="newer, new", received_at=timezone.now() - datetime.timedelta(days=1))
    response = editor_client.get(reverse("admin:corrections_correctionreport_changelist"))
    order = [row.pk for row in response.context["cl"].result_list]
    assert order == [newer.pk, older.pk, resolved.pk]
    filtered = editor_client.get(reverse("admin:corrections_correctionreport_changelist"), {"status__exact": "new"})
    assert [row.pk for row in filtered.context["cl"].result_list] == [newer.pk, older.pk]
    found = editor_client.get(reverse("admin:corrections_correctionreport_changelist"), {"q": "accepted"})
    assert [row.pk for row in found.context["cl"].result_list] == [resolved.pk]


def test_editors_may_view_and_change_reports_but_not_add_or_delete_them(editor):
    editors = Group.objects.get(name="Editors")
    codenames = set(
        Permission.objects.filter(group=editors, content_type__app_label="corrections").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {"view_correctionreport", "change_correctionreport"}


def test_what_the_reader_sent_is_read_only_in_the_admin(client, editor_client):
    post_report(client, description="original words")
    report = CorrectionReport.objects.get()
    data = change_form_data(editor_client.get(change_url(report)))
    data.update(description="rewritten", contact_email="editor@example.org", status="rejected", resolution_note="No.")
    assert editor_client.post(change_url(report), data).status_code == 302
    report.refresh_from_db()
    assert (report.description, report.contact_email) == ("original words", "")


def test_the_database_holds_the_rules_whatever_the_write_path(dataset):
    report = make_report()
    for bad in (
        {"status": ReportStatus.ACCEPTED, "resolution_note": "x"},  # accepted: no source, no date
        {"status": ReportStatus.REJECTED, "resolved_at": timezone.now()},  # rejected: no note
        {"resolved_at": timezone.now()},  # new, yet resolved
        {"subject_key": "TX"},  # a jurisdiction keyed by a postal code
        {"description": ""},
        {"description": "x" * 5001},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            CorrectionReport.objects.filter(pk=report.pk).update(**bad)


# 7. The contact address and the reader's words stay private


def test_the_contact_address_appears_nowhere_public(client, dataset, settings):
    settings.CORRECTIONS_RATE = None
    source = make_source(title="A county sheriff's letter")
    for page in ("/jurisdictions/48201/", "/states/TX/", "/agreements/", "/about/"):
        post_report(client, page=page, contact_email=EMAIL, description=f"private words about {page}")
    for report in CorrectionReport.objects.all():
        accept(report, source=source, note="Corrected.")
    public = [
        "/",
        "/jurisdictions/48201/",
        "/states/TX/",
        "/agreements/",
        "/about/",
        "/downloads/",
        LOG_URL,
        "/corrections/report/thanks/?page=/about/",
        "/api/v1/jurisdictions/48201/",
        "/api/v1/sources/",
        f"/api/v1/sources/{source.pk}/",
        "/api/v1/changes/",
        "/api/v1/schema/",
        "/api/v1/jurisdictions/?format=csv&state=TX",
    ]
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert EMAIL.encode() not in body, url
        assert b"private words" not in body, url


# 8. The public log: its own validators, pinned queries


def test_the_log_answers_conditional_gets_and_moves_with_every_change(client, dataset):
    source = make_source(title="Before")
    report = accept(make_report(), source=source, when=timezone.now() - datetime.timedelta(days=1))
    first = client.get(LOG_URL)
    assert first["Cache-Control"] == "public, no-cache"
    etag = first["ETag"]
    assert client.get(LOG_URL, HTTP_IF_NONE_MATCH=etag).status_code == 304

    def moved():
        nonlocal etag
        response = client.get(LOG_URL, HTTP_IF_NONE_MATCH=etag)
        changed = response.status_code == 200
        etag = response["ETag"]
        return changed

    report.resolution_note = "A better note."
    report.save()
    assert moved()
    source.title = "After"
    source.save()  # a data edit: the source's title is shown in the log
    assert moved()
    accept(make_report(subject_kind=SubjectKind.STATE, subject_key="TX", page="/states/TX/"), source=source)
    assert moved()
    report.delete()
    assert moved()
    assert not moved()


def test_the_log_shows_the_edited_record_and_its_last_modified(client, dataset):
    report = make_report(page="/about/", subject_kind=SubjectKind.ABOUT, subject_key="")
    report.record_page = "/states/il/"
    accept(report, source=make_source(), when=timezone.now() - datetime.timedelta(hours=2))
    report.refresh_from_db()
    assert report.record_page == "/states/IL/"
    # Last-Modified is left out while the second of the last write has not passed: date the writes an hour back.
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    CorrectionReport.history.update(history_date=an_hour_ago)
    DataVersion.objects.filter(pk=1).update(changed_at=an_hour_ago)
    response = client.get(LOG_URL)
    assert '<a href="/states/IL/">Illinois</a>' in response.content.decode()
    assert response["Last-Modified"] == http_date(int(an_hour_ago.timestamp()) + 1)
    assert client.get(LOG_URL, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


def test_an_edited_record_must_be_a_record_page(dataset):
    from django.core.exceptions import ValidationError

    report = make_report()
    report.record_page = "/downloads/"
    with pytest.raises(ValidationError) as raised:
        report.full_clean()
    assert "record_page" in raised.value.message_dict


def test_the_log_query_count_does_not_grow_with_its_length(client, dataset, django_assert_num_queries):
    # The latest report history row, the data version, the page's count and rows, then one query per kind of
    # record named (jurisdictions, states, agreements).
    with django_assert_num_queries(3):
        assert client.get(LOG_URL).status_code == 200
    source = make_source()
    agreement = Agreement.objects.first()
    subjects = [
        ("/jurisdictions/48201/", SubjectKind.JURISDICTION, "48201"),
        ("/states/TX/", SubjectKind.STATE, "TX"),
        (f"/agreements/#agreement-{agreement.pk}", SubjectKind.AGREEMENTS, f"agreement-{agreement.pk}"),
        ("/about/", SubjectKind.ABOUT, ""),
    ]
    for page, kind, key in subjects:
        accept(make_report(page=page, subject_kind=kind, subject_key=key), source=source)
    with django_assert_num_queries(7):
        assert client.get(LOG_URL).status_code == 200
    for _ in range(3):
        for page, kind, key in subjects:
            accept(make_report(page=page, subject_kind=kind, subject_key=key), source=make_source())
    with django_assert_num_queries(7):
        response = client.get(LOG_URL)
    assert response.content.decode().count('class="correction-entry"') == 16
    # A revalidation costs the two validator queries.
    with django_assert_num_queries(2):
        assert client.get(LOG_URL, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_the_log_pages_hold_a_hundred(client, dataset):
    source = make_source()
    for number in range(101):
        accept(
            make_report(),
            source=source,
            note=f"note {number}",
            when=timezone.now() - datetime.timedelta(minutes=number),
        )
    first = client.get(LOG_URL).content.decode()
    assert first.count('class="correction-entry"') == 100
    assert "note 0<" in first and "note 100<" not in first
    second = client.get(LOG_URL, {"page": "2"}).content.decode()
    assert second.count('class="correction-entry"') == 1 and "note 100<" in second


def test_a_second_editor_cannot_overwrite_a_colleagues_decision(client, editor_client, editor):
    from django.test import Client

    colleague = User.objects.create_user("otto", is_staff=True)
    colleague.groups.add(Group.objects.get(name="Editors"))
    other = Client()
    other.force_login(colleague)
    post_report(client)
    report = CorrectionReport.objects.get()
    mine = change_form_data(editor_client.get(change_url(report)))
    theirs = change_form_data(other.get(change_url(report)))
    mine.update(status="accepted", resolution_note="Corrected.", source=make_source().pk)
    assert editor_client.post(change_url(report), mine).status_code == 302
    theirs.update(status="rejected", resolution_note="Not so.")
    refused = other.post(change_url(report), theirs)
    assert refused.status_code == 200
    assert "someone else saved this record after you opened it" in refused.content.decode()
    report.refresh_from_db()
    assert (report.status, report.resolved_by) == (ReportStatus.ACCEPTED, editor)


def test_a_report_at_its_longest_passes_through_nginx_as_in_production(live_dataset, tmp_path, settings):
    """deploy/nginx.conf takes at most 100 KB on the public site and caches GETs: the form's POST reaches the app,
    every time, and the thank-you redirect comes back."""
    import http.client
    import socket
    from pathlib import Path

    from deploy import run_nginx

    if not Path(run_nginx.NGINX).exists():
        pytest.fail("nginx is not installed: apt-get install nginx-light (`python3 dev.py test` does it as root)")
    settings.TRUSTED_PROXY_COUNT = 1
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (tmp_path / "static").mkdir()
    app = live_dataset.url.rsplit(":", 1)[1]
    process = run_nginx.start(
        tmp_path / "nginx", port=port, upstream=f"127.0.0.1:{app}", static_root=tmp_path / "static"
    )
    try:
        for number in range(2):
            body = urlencode(
                {
                    "page": "/jurisdictions/48201/",
                    "description": f"{number}" + "😀" * 4999,
                    "source_url": "https://example.org/source",
                    "contact_email": EMAIL,
                    "website": "",
                }
            ).encode()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(
                "POST", REPORT_URL, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
            response = connection.getresponse()
            response.read()
            connection.close()
            assert response.status == 303
            assert response.getheader("Location") == "/corrections/report/thanks/?page=%2Fjurisdictions%2F48201%2F"
    finally:
        run_nginx.stop(process)
    assert sorted(r.description[0] for r in CorrectionReport.objects.all()) == ["0", "1"]
