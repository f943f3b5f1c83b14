"""Issue 24 in a real Chromium on a phone (390 x 844): a search that finds nothing shows "did you mean" where the
eye is, above the fold; a city finds its county with the reason beside it; the lookup box suggests the county of a
city, a ZIP code and a Spanish name, and the closest names when nothing matches.

Screenshots: test-output/search-*.png (look at them).
"""

import re
from urllib.parse import urlsplit

import pytest

from tests.browser import OUTPUT

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_page(browser, live_dataset):
    contexts, requested, errors = [], [], []

    def open_(path, *, locale="en-US"):
        context = browser.new_context(viewport=PHONE, locale=locale, device_scale_factor=1, is_mobile=True)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(live_dataset.url + path)
        return page

    yield open_
    host = urlsplit(live_dataset.url).netloc
    for context in contexts:
        context.close()
    assert [url for url in requested if urlsplit(url).netloc != host and not url.startswith("data:")] == []
    assert errors == []


def _above_the_fold(page, selector):
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


@pytest.mark.parametrize("path, words", [
    ("/jurisdictions/?q=chicgo", "Did you mean"),
    ("/es/jurisdictions/?q=condado+de+harriss", "¿Quiso decir"),
])  # fmt: skip
def test_did_you_mean_is_above_the_fold_on_a_phone(open_page, path, words):
    page = open_page(path)
    outcome = page.locator("#q-outcome")
    assert words in outcome.inner_text()
    assert _above_the_fold(page, "#q-outcome"), outcome.bounding_box()
    # The suggestion is a link the thumb can reach without scrolling.
    assert _above_the_fold(page, "#q-outcome a")
    name = "es" if path.startswith("/es/") else "en"
    page.screenshot(path=OUTPUT / f"search-did-you-mean-phone-{name}.png")
    page.locator("#q-outcome a").first.click()
    page.wait_for_url(re.compile(r"/jurisdictions/(17031|48201|13145)/$"))


def test_a_city_finds_its_county_with_the_reason_on_a_phone(open_page):
    page = open_page("/jurisdictions/?q=houston")
    first = page.locator("table.data tbody tr").first
    assert first.locator("th a").inner_text() == "Harris County"
    assert first.locator(".matched").inner_text() == "Houston, TX is a place in Harris County."
    assert "Houston County" in page.locator("table.data tbody").inner_text()
    page.screenshot(path=OUTPUT / "search-houston-phone.png")


@pytest.mark.parametrize("typed, label, why", [
    ("kansas city", "Jackson County, Missouri", "Kansas City, MO is a place in Jackson County."),
    ("60614", "Cook County, Illinois", "ZIP code 60614 (Chicago, IL) is filed under Cook County."),
])  # fmt: skip
def test_the_lookup_box_suggests_the_county_of_a_city_or_a_zip_code(open_page, typed, label, why):
    page = open_page("/")
    page.locator("form.lookup input[name=q]").first.focus()
    page.keyboard.type(typed)
    page.wait_for_selector("[role=listbox] [role=option]")
    first = page.locator("[role=listbox] [role=option]").first
    assert first.locator(".lookup-label").inner_text() == label
    assert first.locator(".lookup-why").inner_text() == why
    page.screenshot(path=OUTPUT / f"search-lookup-{typed.replace(' ', '-')}-phone.png")


def test_the_spanish_lookup_box_reads_spanish_and_offers_close_names(open_page):
    page = open_page("/es/", locale="es-US")
    field = page.locator("form.lookup input[name=q]").first
    field.focus()
    page.keyboard.type("parroquia orleans")
    page.wait_for_selector("[role=listbox] [role=option]")
    assert page.locator("[role=listbox] [role=option] .lookup-label").first.inner_text() == "Orleans Parish, Louisiana"
    field.fill("")
    page.keyboard.type("chicgo")
    page.locator("[role=listbox] .lookup-detail", has_text="¿Quiso decir?").first.wait_for()
    option = page.locator("[role=listbox] [role=option]").first
    assert option.locator(".lookup-why").inner_text() == "Chicago, IL es una localidad de Cook County."
    assert page.locator(".lookup-status").inner_text().startswith("Nada coincide; ")
    page.screenshot(path=OUTPUT / "search-lookup-es-did-you-mean-phone.png")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/es/jurisdictions/17031/$"))
