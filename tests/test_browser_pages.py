"""List, jurisdiction and state pages in a real Chromium: keyboard path, 360 px layout, no errors, no outside hosts.

Screenshots go to test-output/ (360 px wide, full page).
"""

import json
import re
from urllib.parse import urlsplit

import pytest

from tests.browser import OUTPUT, axe_script

pytestmark = pytest.mark.browser


@pytest.fixture
def open_page(browser, live_dataset):
    """Open pages of the live server; afterwards assert no console error and no request to another host."""
    contexts, requested, errors = [], [], []

    def open_(path, *, width=1280, height=900, **context_options):
        context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "response",
            lambda response: errors.append(f"{response.status} {response.url}") if response.status >= 400 else None,
        )
        page.goto(live_dataset.url + path)
        return page

    yield open_
    host = urlsplit(live_dataset.url).netloc
    for context in contexts:
        context.close()
    outside = [url for url in requested if urlsplit(url).netloc != host and not url.startswith("data:")]
    assert outside == []
    assert errors == []


def test_keyboard_only_from_the_list_to_a_county_page(open_page):
    page = open_page("/jurisdictions/?state=IL")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    # From the main content, Tab through the filters to the first county link of the table.
    for _ in range(40):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if re.fullmatch(r"/jurisdictions/\d{5}/", href):
            break
    else:
        pytest.fail("no county link reached by keyboard")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # visible focus
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/jurisdictions/17\d{3}/$"))
    assert ", Illinois" in page.locator("h1").inner_text()


@pytest.mark.parametrize(
    "name, path",
    [
        ("list", "/jurisdictions/?state=IL&as_of=2011-08-05"),
        ("county", "/jurisdictions/36009/"),
        ("state", "/states/IL/"),
        ("agreements", "/agreements/"),
    ],
)
def test_pages_fit_a_360_px_screen(open_page, name, path):
    page = open_page(path, width=360, height=740)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(OUTPUT / f"pages-{name}-360.png"), full_page=True)


@pytest.mark.parametrize(
    "name, path",
    [
        ("jurisdictions", "/jurisdictions/"),
        ("jurisdictions-texas", "/jurisdictions/?state=TX&as_of=2011-08-05"),
        ("states", "/states/"),
        ("state-texas", "/states/TX/"),
        ("state-new-york", "/states/NY/?as_of=2011-08-05"),
    ],
)
@pytest.mark.parametrize("width", [390, 1280])
def test_tables_are_read_without_sideways_scrolling(open_page, name, path, width):
    """The page does not scroll sideways, and no table scrolls inside its own box either (that would pass the
    first check while hiding columns); on a phone the secondary columns fold into the first."""
    page = open_page(path, width=width, height=844)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    tables = page.eval_on_selector_all(
        "table, .table-wrap", "els => els.map(e => [e.className, e.scrollWidth - e.clientWidth])"
    )
    assert tables, "no table on the page"
    assert all(extra <= 0 for _, extra in tables), tables
    # Links in the tables are tap targets of at least 24 px in height (WCAG 2.5.8), at either width.
    heights = page.eval_on_selector_all(
        "table a", "els => els.filter(e => e.getClientRects().length).map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 24, min(heights)
    page.screenshot(path=str(OUTPUT / f"tables-{name}-{width}.png"), full_page=width == 390)


def test_state_map_shapes_are_links_with_names(open_page):
    page = open_page("/jurisdictions/17031/")
    cook = page.locator('path[data-fips="17031"]')
    assert "current" in cook.get_attribute("class")
    assert cook.locator("title").text_content().startswith("Cook County")
    page.screenshot(path=str(OUTPUT / "pages-county-1280.png"))


def test_pages_have_no_accessibility_violations(open_page):
    script = axe_script()
    found = {}
    for path in (
        "/jurisdictions/?state=IL&as_of=2011-08-05",
        "/jurisdictions/36009/",
        "/jurisdictions/02232/",
        "/states/",
        "/states/IL/",
        "/agreements/",
        "/about/",
        "/downloads/",
    ):
        # axe is injected as an inline script, which the site's Content-Security-Policy (rightly) blocks.
        page = open_page(path, bypass_csp=True)
        page.add_script_tag(path=str(script))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        violations = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
            for v in result["violations"]
        ]
        if violations:
            found[path] = violations
    assert not found, json.dumps(found, indent=1)
