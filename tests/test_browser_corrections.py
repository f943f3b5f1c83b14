"""Correction reports in a real Chromium: a reader sends one from each kind of record page (desktop and phone), gets
the form back with their values after an error, and an editor accepts one in the admin, after which it is in the
public log.

Screenshots go to test-output/corrections-*.png (1280 and 390 px wide).
"""

import json
import re
from urllib.parse import urlsplit

import pytest

from tests.browser import OUTPUT, axe_script

pytestmark = pytest.mark.browser

EMAIL = "reader-browser@example.net"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def open_page(browser, live_dataset):
    """Open pages of the live server; afterwards assert no script error, no unexpected error status and no request
    to another host. `expect` lists the error statuses a test provokes on purpose (a form sent back with errors)."""
    contexts, requested, errors, expected = [], [], [], set()

    def open_(path, *, width=1280, height=900, expect=(), **context_options):
        expected.update(expect)
        context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None,
        )
        # A missing favicon is the browser's own request (on admin pages), not the page's.
        page.on(
            "response",
            lambda r: (
                errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.status not in expected and "favicon" not in r.url
                else None
            ),
        )
        page.goto(live_dataset.url + path)
        return page

    yield open_
    host = urlsplit(live_dataset.url).netloc
    for context in contexts:
        context.close()
    assert [url for url in requested if urlsplit(url).netloc != host and not url.startswith("data:")] == []
    assert errors == []


def _fill_and_send(page, *, description, source_url="", email=""):
    page.fill("#correction-description", description)
    if source_url:
        page.fill("#correction-source_url", source_url)
    if email:
        page.fill("#correction-contact_email", email)
    page.click(".correction-form button[type=submit]")
    page.wait_for_url(re.compile(r"/corrections/report/thanks/"))


@pytest.mark.parametrize("device", WIDTHS)
def test_a_reader_sends_a_report_from_a_county_page(open_page, device):
    from corrections.models import CorrectionReport

    width, height = WIDTHS[device]
    page = open_page("/jurisdictions/48201/", width=width, height=height)
    # Closed at first, at the end of the page; the honeypot is never visible.
    assert not page.is_visible("#correction-description")
    page.click("#report-correction summary")
    assert page.is_visible("#correction-description")
    assert not page.is_visible("#correction-website")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.fill("#correction-description", "The activation date should be 28 October 2008.")
    page.fill("#correction-source_url", "https://example.org/ice-activations.pdf")
    page.fill("#correction-contact_email", EMAIL)
    page.locator("#report-correction").screenshot(path=str(OUTPUT / f"corrections-form-{device}-{width}.png"))
    page.click(".correction-form button[type=submit]")

    page.wait_for_url(re.compile(r"/corrections/report/thanks/"))
    assert "your report is with the editors" in page.inner_text("h1")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(OUTPUT / f"corrections-thanks-{device}-{width}.png"), full_page=True)
    page.click("text=Back to Harris County, TX (48201)")
    page.wait_for_url(re.compile(r"/jurisdictions/48201/$"))

    report = CorrectionReport.objects.get()
    assert (report.subject_kind, report.subject_key, report.contact_email) == ("jurisdiction", "48201", EMAIL)


def test_a_report_from_each_kind_of_page_reaches_the_queue(open_page):
    from corrections.models import CorrectionReport

    for path in ("/states/IL/", "/agreements/", "/about/"):
        page = open_page(path)
        page.click("#report-correction summary")
        _fill_and_send(page, description=f"Something is wrong on {path}")
    assert sorted(CorrectionReport.objects.values_list("subject_kind", "subject_key")) == [
        ("about", ""),
        ("agreements", ""),
        ("state", "IL"),
    ]


def test_the_footer_link_and_an_unknown_page_keep_the_readers_text(open_page):
    from corrections.models import CorrectionReport

    page = open_page("/downloads/", width=390, height=844, expect=(400,))
    page.click("footer >> text=Report a correction")
    page.wait_for_url(re.compile(r"/corrections/report/\?page=/downloads/"))
    page.fill("#correction-page", "/jurisdictions/99999/")
    page.fill("#correction-description", "My county is missing.")
    page.click(".correction-form button[type=submit]")
    page.wait_for_selector("#correction-errors")
    assert "No jurisdiction in the tracker has the FIPS code 99999." in page.inner_text("#correction-errors")
    assert page.input_value("#correction-description") == "My county is missing."
    assert page.input_value("#correction-page") == "/jurisdictions/99999/"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(OUTPUT / "corrections-error-phone-390.png"), full_page=True)
    # Corrected, it is sent.
    page.fill("#correction-page", "/jurisdictions/48201/")
    page.click(".correction-form button[type=submit]")
    page.wait_for_url(re.compile(r"/corrections/report/thanks/"))
    assert CorrectionReport.objects.get().subject_key == "48201"


def test_an_editor_accepts_a_report_and_the_public_log_shows_it(open_page, django_user_model):
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from corrections.models import CorrectionReport
    from tests.factories import make_source

    call_command("create_editors_group", verbosity=0)
    editor = django_user_model.objects.create_user("edna", password="a-long-password-1", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    make_source(title="Harris County Sheriff: press release", publisher="Harris County Sheriff's Office")

    reader = open_page("/jurisdictions/48201/")
    reader.click("#report-correction summary")
    _fill_and_send(reader, description="The date is a day early.", email=EMAIL)

    admin = open_page("/admin/login/?next=/admin/corrections/correctionreport/")
    admin.fill("#id_username", "edna")
    admin.fill("#id_password", "a-long-password-1")
    admin.click("input[type=submit]")
    admin.wait_for_selector("#result_list")
    assert "Harris County, TX (48201)" in admin.inner_text("#result_list")
    admin.screenshot(path=str(OUTPUT / "corrections-queue-1280.png"), full_page=True)
    admin.click("#result_list tbody tr:first-child th a")
    admin.wait_for_selector("#id_status")
    assert EMAIL in admin.inner_text("#content-main")
    admin.select_option("#id_status", "accepted")
    admin.fill("#id_resolution_note", "Activation date corrected to 28 October 2008.")
    admin.click("#id_source + .select2 .select2-selection")
    admin.fill(".select2-search__field", "Harris County Sheriff")
    admin.click(".select2-results__option >> text=Harris County Sheriff: press release")
    admin.screenshot(path=str(OUTPUT / "corrections-resolve-1280.png"), full_page=True)
    admin.click("input[name=_save]")
    admin.wait_for_selector("ul.messagelist")
    report = CorrectionReport.objects.get()
    assert (report.status, report.resolved_by_id) == ("accepted", editor.pk)

    for device, (width, height) in WIDTHS.items():
        log = open_page("/corrections/", width=width, height=height)
        entry = log.inner_text("#corrections-log")
        assert "Harris County, TX (48201)" in entry
        assert "Activation date corrected to 28 October 2008." in entry
        assert "Harris County Sheriff: press release" in entry
        assert EMAIL not in log.content() and "a day early" not in log.content()
        assert log.evaluate("document.documentElement.scrollWidth") <= width
        log.screenshot(path=str(OUTPUT / f"corrections-log-{device}-{width}.png"), full_page=True)


def test_the_form_and_its_pages_have_no_accessibility_violations(open_page):
    script = axe_script()
    found = {}
    for path, opened in (
        ("/jurisdictions/48201/", True),
        ("/corrections/report/?page=/states/TX/", False),
        ("/corrections/report/?page=/downloads/", False),
        ("/corrections/report/thanks/?page=/about/", False),
        ("/corrections/", False),
    ):
        # axe is injected as an inline script, which the site's Content-Security-Policy (rightly) blocks.
        page = open_page(path, bypass_csp=True)
        if opened:
            page.click("#report-correction summary")
        page.add_script_tag(path=str(script))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        violations = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
            for v in result["violations"]
        ]
        if violations:
            found[path] = violations
    assert not found, json.dumps(found, indent=1)
