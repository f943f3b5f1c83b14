"""The home page in a real Chromium: map, date control, lookup, use-my-location, accessibility, no outside requests.

Screenshots go to test-output/ (desktop 1280 and phone 360 wide). Timings and sizes are measured by
bench/map_budget.py, not asserted here.
"""

import json
import re
from urllib.parse import urlsplit

import pytest

from tests.browser import OUTPUT, axe_script

pytestmark = pytest.mark.browser


@pytest.fixture
def open_page(browser, live_dataset):
    """Open a page of the live server; afterwards check that nothing was requested from another host."""
    contexts, requested = [], []

    def open_(path="/", *, width=1280, height=900, **context_options):
        context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(live_dataset.url + path)
        return page

    yield open_
    host = urlsplit(live_dataset.url).netloc
    for context in contexts:
        context.close()
    outside = [url for url in requested if urlsplit(url).netloc != host and not url.startswith("data:")]
    assert not outside, f"requests outside the app: {outside}"


def _headline(page):
    return page.locator("#headline").inner_text()


def _show(page, day):
    page.fill("#as-of", day)
    page.press("#as-of", "Enter")


def test_map_draws_every_county_and_the_date_control_recolours_it(open_page):
    page = open_page("/")
    page.wait_for_function("() => window.scommMap !== undefined")
    assert page.locator("#county-map path[data-fips]").count() == 3142
    assert page.locator("#day-slider").is_visible()
    page.screenshot(path=OUTPUT / "home-desktop.png", full_page=True)

    expected = {
        "2010-09-30": ("661 of 3,143 jurisdictions in 32 states activated on 30 September 2010", 657),
        "2011-08-05": ("1,475 of 3,143 jurisdictions in 43 states activated on 5 August 2011", None),
        "2013-01-22": ("3,143 of 3,143 jurisdictions in 51 states activated on 22 January 2013", 3142),
    }
    previous_colours = None
    for day, (headline, _) in expected.items():
        _show(page, day)
        assert _headline(page) == headline
        colours = page.eval_on_selector_all("#county-map path[data-fips].a", "els => els.length")
        assert colours != previous_colours
        previous_colours = colours
        assert page.locator("#rollout-now").get_attribute("x1") is not None
    assert previous_colours == 3142
    # The state table follows the date: every Illinois unit is active by 22 January 2013.
    assert page.locator('#state-table tr[data-st="17"] td').first.inner_text() == "102"

    # The slider: Home goes to the first activation, where only Harris County, Texas is active.
    page.focus("#day-slider")
    page.keyboard.press("Home")
    page.wait_for_function("() => document.getElementById('headline').textContent.startsWith('1 of 3,143')")
    assert _headline(page) == "1 of 3,143 jurisdictions in 1 state activated on 27 October 2008"
    assert page.eval_on_selector_all("#county-map path.a", "els => els.map(e => e.dataset.fips)") == ["48201"]
    label = page.locator('a[href="/jurisdictions/17031/"]').get_attribute("aria-label")
    assert label == "Cook County, Illinois: activated 2013-01-22"
    page.wait_for_function("() => location.search === '?as_of=2008-10-27'")

    # Hover shows the tooltip; an event link sets the date in place.
    page.hover('path[data-fips="48201"]')
    tip = page.locator("#county-map-tip").inner_text()
    assert tip == "Harris County, Texas: activated 2008-10-27\nActivated on 27 October 2008"
    page.hover('path[data-fips="17031"]')
    assert page.locator("#county-map-tip").inner_text().endswith("Not yet activated on 27 October 2008")
    page.click('.events a[data-date="2011-08-05"]')
    assert _headline(page).startswith("1,475 of 3,143 jurisdictions in 43 states")


def test_the_map_says_the_programs_era_for_the_day_it_shows(open_page):
    page = open_page("/?as_of=2011-08-05")
    page.wait_for_function("() => window.scommMap !== undefined")
    note = page.locator("#program-status")
    assert not note.is_visible()
    _show(page, "2015-06-01")
    assert note.is_visible()
    assert "discontinued nationwide and replaced by the Priority Enforcement Program" in note.inner_text()
    assert "On 1 June 2015" in note.inner_text() and "since 20 November 2014" in note.inner_text()
    # Counties keep their activation colour: the era is said beside the map, not folded into it.
    assert page.eval_on_selector_all("#county-map path[data-fips].a", "els => els.length") == 3142
    page.screenshot(path=OUTPUT / "home-discontinued-era.png")
    _show(page, "2017-01-25")
    assert "reinstated nationwide" in note.inner_text()
    _show(page, "2012-01-01")
    assert not note.is_visible()


def test_phone_layout(open_page):
    page = open_page("/?as_of=2011-08-05", width=360, height=780)
    page.wait_for_function("() => window.scommMap !== undefined")
    box = page.locator("#county-map svg").bounding_box()
    assert box["width"] <= 360
    page.screenshot(path=OUTPUT / "home-phone.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_keyboard_alone_reaches_a_county_page_from_the_map(open_page):
    page = open_page("/")
    page.wait_for_function("() => window.scommMap !== undefined")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#county-map')"):
            break
    focused = page.evaluate("document.activeElement.getAttribute('aria-label') || document.activeElement.outerHTML")
    assert re.match(r"^.+, .+: activated \d{4}-\d\d-\d\d", focused)
    assert page.locator("#county-map-tip").is_visible()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/jurisdictions/\d{5}/$"))


def test_lookup_offers_both_st_louis_units_and_opens_one_by_keyboard(open_page):
    page = open_page("/jurisdictions/")
    field = page.locator("form.lookup input[name=q]")
    assert field.get_attribute("role") == "combobox"
    field.focus()
    page.keyboard.type("st louis")
    page.wait_for_selector("[role=listbox] [role=option]")
    options = page.locator("[role=listbox] [role=option] .lookup-label").all_inner_texts()
    assert "St. Louis city, Missouri" in options
    assert "St. Louis County, Missouri" in options
    assert field.get_attribute("aria-expanded") == "true"
    page.screenshot(path=OUTPUT / "lookup-desktop.png")
    target = options.index("St. Louis County, Missouri")
    for _ in range(target + 1):
        page.keyboard.press("ArrowDown")
    active = field.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active} .lookup-label").inner_text() == "St. Louis County, Missouri"
    page.keyboard.press("Escape")
    assert field.get_attribute("aria-expanded") == "false"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert field.input_value() == ""
    page.keyboard.type("st louis")
    page.wait_for_selector("[role=listbox]:not([hidden]) [role=option]")
    for _ in range(target + 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/jurisdictions/29189/$"))


def test_use_my_location_finds_the_county_without_sending_the_position(open_page):
    chicago = {"latitude": 41.8781, "longitude": -87.6298}
    page = open_page("/jurisdictions/", geolocation=chicago, permissions=["geolocation"])
    requests = []
    page.on("request", lambda request: requests.append(request.url + " " + (request.post_data or "")))
    assert page.locator(".lookup-privacy").inner_text().startswith("Your location stays in this browser")
    page.click("button.locate")
    page.wait_for_selector("a.located")
    assert page.locator("a.located").inner_text() == "Cook County, Illinois"
    assert page.locator("a.located").get_attribute("href") == "/jurisdictions/17031/"
    assert not [url for url in requests if "41.8" in url or "87.6" in url]
    assert any(url.startswith(page.url.split("/jurisdictions/")[0] + "/map/counties-wgs84.json") for url in requests)


def test_home_page_has_no_serious_accessibility_violations(open_page):
    script = axe_script()
    # axe is injected as an inline script, which the site's Content-Security-Policy (rightly) blocks.
    page = open_page("/?as_of=2011-08-05", bypass_csp=True)
    page.wait_for_function("() => window.scommMap !== undefined")
    page.add_script_tag(path=str(script))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, json.dumps(serious, indent=1)
