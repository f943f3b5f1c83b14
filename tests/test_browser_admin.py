"""An editor imports a published list in a real Chromium: upload, preview, confirm, see it on the public page.

Screenshots go to test-output/.
"""

import pytest

from tests.browser import OUTPUT

pytestmark = pytest.mark.browser


LIST = (
    "\ufeffState,Jurisdiction,FIPS,Activation Date,Remarks\r\n"
    'TX,"Harris County",48201,"Oct 29, 2008",moved a day\r\n'
    "TX,Dallas,,11/12/2008,\r\n"
).encode()


def test_editor_imports_a_list_and_the_public_page_shows_the_new_date(browser, live_dataset, django_user_model):
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("create_editors_group", verbosity=0)
    editor = django_user_model.objects.create_user("edna", password="a-long-password-1", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    errors = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        # A missing favicon is the browser's own request, not the page's.
        page.on(
            "response",
            lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None,
        )
        page.on(
            "console",
            lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None,
        )

        page.goto(f"{live_dataset.url}/admin/login/?next=/admin/jurisdictions/importbatch/upload/")
        page.fill("#id_username", "edna")
        page.fill("#id_password", "a-long-password-1")
        page.click("input[type=submit]")
        page.wait_for_selector("#import-upload")

        page.set_input_files("#id_file", {"name": "ice-list.csv", "mimeType": "text/csv", "buffer": LIST})
        page.fill("#id_source_title", "ICE: Activated jurisdictions (browser test)")
        page.fill("#id_source_url", "https://example.org/ice/activated-browser.csv")
        page.screenshot(path=str(OUTPUT / "admin-import-upload.png"), full_page=True)
        page.click("#import-upload input[type=submit]")

        page.wait_for_selector("#import-counts")
        assert page.inner_text("#count-changed") == "1"
        assert page.inner_text("#count-unchanged") == "1"
        assert page.inner_text("#count-error") == "0"
        assert "2008-10-29" in page.inner_text("#import-changed")
        page.screenshot(path=str(OUTPUT / "admin-import-preview.png"), full_page=True)
        page.click("input[name=confirm]")

        page.wait_for_selector("ul.messagelist")
        assert "Applied ice-list.csv" in page.inner_text("ul.messagelist")
        assert page.inner_text("#import-state") == "Applied"
        page.screenshot(path=str(OUTPUT / "admin-import-applied.png"), full_page=True)

        page.goto(f"{live_dataset.url}/jurisdictions/48201/")
        assert page.locator("time[datetime='2008-10-29']").count() >= 1
        assert "29 October 2008" in page.inner_text("body")
        assert "ICE: Activated jurisdictions (browser test)" in page.inner_text("body")
        page.screenshot(path=str(OUTPUT / "admin-import-public-page.png"), full_page=True)
    finally:
        context.close()
    assert errors == [], errors
