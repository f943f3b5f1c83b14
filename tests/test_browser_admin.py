"""The admin in a real Chromium: an editor imports a published list (upload, preview, confirm, see it on the public
page), and the change forms fit a 1,366 px screen.

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

        # Undo asks first, listing what it will put back, and the public page follows.
        page.go_back()
        page.click("#undo-link")
        page.wait_for_selector("#undo-restored")
        assert "Harris County, TX" in page.inner_text("#undo-restored")
        assert "2008-10-27" in page.inner_text("#undo-restored")
        page.screenshot(path=str(OUTPUT / "admin-import-undo-confirm.png"), full_page=True)
        page.click("#undo-confirm input[name=undo]")
        page.wait_for_selector("ul.messagelist")
        assert "Undid ice-list.csv" in page.inner_text("ul.messagelist")
        assert page.inner_text("#import-state") == "Undone"
        # A new browser: this one may keep the public page it just saw for its max-age.
        reader = browser.new_context()
        public = reader.new_page()
        public.goto(f"{live_dataset.url}/jurisdictions/48201/")
        assert "27 October 2008" in public.inner_text("body") and "29 October 2008" not in public.inner_text("body")
        reader.close()
    finally:
        context.close()
    assert errors == [], errors


@pytest.mark.parametrize("which", ["jurisdiction", "agreement"])
def test_the_change_form_fits_a_1366_px_screen(browser, live_dataset, django_user_model, which):
    from django.urls import reverse

    from agreements.models import Agreement

    django_user_model.objects.create_superuser("root", password="a-long-password-1")
    if which == "jurisdiction":
        url = reverse("admin:jurisdictions_jurisdiction_change", args=["48201"])
    else:
        # The agreement with the longest status history: the widest inline table.
        agreement = max(Agreement.objects.all(), key=lambda agreement: agreement.status_changes.count())
        url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.goto(f"{live_dataset.url}/admin/login/?next={url}")
        page.fill("#id_username", "root")
        page.fill("#id_password", "a-long-password-1")
        page.click("input[type=submit]")
        page.wait_for_selector("#content-main form")
        page.wait_for_load_state("networkidle")  # icons and autocomplete boxes in place
        page.screenshot(path=str(OUTPUT / f"admin-change-{which}-1366.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366, f"the {which} change form is {width} px wide at 1366 px"
        # Nor does its status history need a scroll bar of its own: every column, Delete included, is in view.
        inline = page.evaluate(
            "[...document.querySelectorAll('.inline-group .tabular')].map(box => box.scrollWidth - box.clientWidth)"
        )
        assert inline and max(inline) <= 0, inline
    finally:
        context.close()
