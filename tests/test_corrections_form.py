"""Readers' correction reports: the form on every record page, what it checks and keeps, and what a report
changes (no public data) and shows (never the reader's contact address)."""

from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from agreements.models import Agreement
from common.reading import read_version
from corrections.models import CorrectionReport, ReportStatus
from corrections.subjects import SubjectKind
from jurisdictions.models import Source
from tests.corrections_helpers import (
    EMAIL,
    LOG_URL,
    REPORT_URL,
    accept,
    change_url,
    editor_on_own_client,
    form_fields,
    post_report,
)
from tests.factories import make_source

pytestmark = pytest.mark.django_db

# The editor on a client of their own; conftest.py's editor_client logs in `client`, the reader here.
editor_client = pytest.fixture(editor_on_own_client, name="editor_client")


# A report from every kind of record page reaches the queue


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


# Errors keep the values; the page is validated


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


# A report changes no public data


def test_an_anonymous_report_changes_no_public_data(client, dataset):
    before = read_version()
    page = client.get("/jurisdictions/48201/")
    assert post_report(client, source_url="https://example.org/new-source").status_code == 303
    assert read_version() == before
    assert not Source.objects.filter(url="https://example.org/new-source").exists()
    again = client.get("/jurisdictions/48201/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 304


# The contact address and the reader's words stay private


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
