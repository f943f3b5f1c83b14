"""The Cite box of a page viewed at a release, in a real Chromium: the reader's date is written in by a static
script (the page's bytes never change), under the site's Content-Security-Policy, without errors."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_a_release_pages_cite_box_gets_the_readers_date(browser, live_dataset):
    context = browser.new_context(viewport={"width": 360, "height": 800})
    errors = []
    try:
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_dataset.url + "/states/IL/?release=r1")
        assert "release r1" in page.locator("#release-banner").inner_text()
        page.locator("#cite-this summary", has_text="APA").click()
        apa = page.locator('pre[data-cite="apa"]').inner_text()
        bibtex = page.locator('pre[data-cite="bibtex"]').text_content()
        assert "[date accessed]" not in apa and "[date accessed]" not in bibtex
        assert re.search(r"Retrieved [A-Z][a-z]+ \d{1,2}, 20\d\d, from http://", apa)
        assert re.search(r"Accessed 20\d\d-\d\d-\d\d\}", bibtex)
        # The citation wraps inside a phone's width: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
    assert errors == []
