"""The home page in a real Chromium: map, date control, lookup, use-my-location, accessibility, no outside requests.

Screenshots go to test-output/ (desktop 1280 and phone 360 wide). Timings and sizes are measured by
bench/map_budget.py, not asserted here.
"""

import datetime
import json
import re
from urllib.parse import urlsplit

import pytest

from common.dates import us_today
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
    assert label == "Cook County, Illinois — activated 22 January 2013"
    page.wait_for_function("() => location.search === '?as_of=2008-10-27'")

    # Hover shows the tooltip; an event link sets the date in place.
    page.hover('path[data-fips="48201"]')
    tip = page.locator("#county-map-tip").inner_text()
    assert tip == "Harris County, Texas — activated 27 October 2008 (status on 27 October 2008: activated)"
    # Los Angeles County: big enough that the centre of its box is inside it (Cook's, beside the lake, is not
    # once the key days sit beside the map).
    page.hover('path[data-fips="06037"]')
    assert page.locator("#county-map-tip").inner_text().endswith("(status on 27 October 2008: not activated)")
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
    assert re.match(r"^.+, .+ — activated \d{1,2} [A-Z][a-z]+ \d{4}", focused)
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


@pytest.mark.parametrize("path", ["/", "/?as_of=2011-08-05"], ids=["rollout", "as-of"])
@pytest.mark.parametrize("width", [1280, 390])
def test_home_page_has_no_serious_accessibility_violations(open_page, path, width):
    script = axe_script()
    # axe is injected as an inline script, which the site's Content-Security-Policy (rightly) blocks.
    page = open_page(path, width=width, height=844, bypass_csp=True)
    page.wait_for_function("() => window.scommMap !== undefined")
    page.add_script_tag(path=str(script))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, json.dumps(serious, indent=1)


# --- the rollout view (no ?as_of=) and phones ----------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Every interactive element the first screens of the home page offer, header included.
TARGETS = (
    ".site-header a, .site-header button, .site-header input, #view-switch a, .date-form button, .date-form input, "
    "#eras a, .key-days a"
)


def _classes(page):
    return page.eval_on_selector_all("#county-map path[data-fips]", "els => els.map(e => e.getAttribute('class'))")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "390"])
def test_home_opens_on_the_rollout_by_half_year_with_the_key_days(open_page, size):
    page = open_page("/", **size)
    page.wait_for_function("() => window.scommMap !== undefined")
    page.screenshot(path=OUTPUT / f"home-rollout-{size['width']}.png")
    page.screenshot(path=OUTPUT / f"home-rollout-{size['width']}-full.png", full_page=True)

    # The legend: the half-years from 2008 H2 to 2013 H1 that activated a county (2012 H2 activated none: no empty
    # bin), each with its own colour; the status legend waits.
    legend = page.locator("#period-legend li")
    labels = [re.split(r"\s+\(", text)[0] for text in legend.all_inner_texts()]
    halves = [(2008, 2)] + [(y, h) for y in range(2009, 2013) for h in (1, 2)] + [(2013, 1)]
    assert labels == [f"{year} H{half}" for year, half in halves if (year, half) != (2012, 2)]
    assert page.locator("#period-legend").is_visible()
    assert not page.locator("#status-legend").is_visible()
    if size is DESKTOP:  # above the map, so the colours are explained in the first screen
        box = page.locator("#period-legend").bounding_box()
        assert box["y"] + box["height"] <= DESKTOP["height"], box
    swatches = page.eval_on_selector_all(
        "#period-legend .sw", "els => els.map(e => getComputedStyle(e).backgroundColor)"
    )
    assert len(set(swatches)) == 9

    # Every county carries the class of its half-year: Harris (27 Oct 2008) the first, Cook (22 Jan 2013) the last.
    classes = _classes(page)
    assert len(classes) == 3142
    assert all(re.fullmatch(r"a q\d", c) for c in classes)
    assert len(set(classes)) == 9  # 2012 H2 activated no county
    assert page.get_attribute('path[data-fips="48201"]', "class") == "a q0"
    assert page.get_attribute('path[data-fips="17031"]', "class") == "a q9"
    fills = page.evaluate(
        "['48201', '17031'].map(f => getComputedStyle(document.querySelector(`path[data-fips='${f}']`)).fill)"
    )
    assert fills[0] != fills[1]

    # The key days' numbers.
    days = {
        row.get_attribute("data-key"): row.inner_text().replace("\n", " ") for row in page.locator(".key-day").all()
    }
    assert days["first"] == "27 October 2008 First activation: 1 jurisdiction in 1 state activated, of 3,143"
    assert days["rescission"] == (
        "5 August 2011 ICE rescinds every state agreement: 1,475 jurisdictions in 43 states activated, of 3,143"
    )
    assert days["full"] == "22 January 2013 Last county activated: all 3,143 jurisdictions in 51 states activated"
    assert page.locator(".key-days").is_visible()

    # The date control spans every day the date box takes, 27 October 2008 to today, so the box, the slider and its
    # aria-valuetext always name one day; the later eras are marked after it.
    slider = page.locator("#day-slider")
    today = us_today()
    assert slider.get_attribute("min") == "0"
    assert int(slider.get_attribute("max")) == (today - datetime.date(2008, 10, 27)).days
    page.focus("#day-slider")
    page.keyboard.press("Home")
    page.wait_for_function("() => document.getElementById('headline').textContent.startsWith('1 of 3,143')")
    page.keyboard.press("End")
    spoken = f"{today.day} {today:%B} {today.year}"
    page.wait_for_function(f"() => document.getElementById('headline').textContent.endsWith('{spoken}')")
    assert slider.get_attribute("aria-valuetext") == spoken
    assert page.locator("#as-of").input_value() == today.isoformat()
    eras = page.locator("#eras a[data-era]")
    assert [eras.nth(i).get_attribute("data-era") for i in range(eras.count())] == ["2014-11-20", "2017-01-25"]
    assert "program discontinued" in eras.nth(0).inner_text() and "program reinstated" in eras.nth(1).inner_text()
    assert eras.nth(0).is_visible()
    slider_box, eras_box = slider.bounding_box(), page.locator("#eras").bounding_box()
    assert eras_box["y"] >= slider_box["y"] + slider_box["height"] - 1  # marked where the slider ends, below it


def test_moving_the_date_leaves_the_rollout_view_for_the_status_on_that_day(open_page):
    page = open_page("/")
    page.wait_for_function("() => window.scommMap !== undefined")
    page.click('#eras a[data-era="2014-11-20"]')
    assert _headline(page) == "3,143 of 3,143 jurisdictions in 51 states activated on 20 November 2014"
    # Every county in the one "activated" colour: the half-year classes stay on the paths but no longer colour them.
    assert page.get_attribute("#county-map", "class") == "cmap"
    fills = page.eval_on_selector_all("#county-map path[data-fips]", "els => els.map(e => getComputedStyle(e).fill)")
    assert len(fills) == 3142 and len(set(fills)) == 1
    assert all(c.split()[0] == "a" for c in _classes(page))
    assert page.locator("#status-legend").is_visible()
    assert not page.locator("#period-legend").is_visible()
    assert "discontinued nationwide" in page.locator("#program-status").inner_text()
    page.wait_for_function("() => location.search === '?as_of=2014-11-20'")
    _show(page, "2010-09-30")
    assert _headline(page) == "661 of 3,143 jurisdictions in 32 states activated on 30 September 2010"
    # Drawn paths as the server draws them for that day (successors drawn, retired units without a shape).
    assert [c.split()[0] for c in _classes(page)].count("a") == 658
    assert (
        len(
            set(
                page.eval_on_selector_all(
                    "#county-map path[data-fips]", "els => els.map(e => getComputedStyle(e).fill)"
                )
            )
        )
        == 2
    )
    assert page.locator('#view-switch a[data-view="as-of"]').get_attribute("aria-current") == "true"


def test_the_as_of_view_is_one_click_away_and_in_the_url(open_page):
    page = open_page("/")
    page.click('#view-switch a[data-view="as-of"]')
    page.wait_for_url(re.compile(r"\?as_of=2011-08-05$"))
    page.wait_for_function("() => window.scommMap !== undefined")
    assert _headline(page) == "1,475 of 3,143 jurisdictions in 43 states activated on 5 August 2011"
    assert set(_classes(page)) == {"a", "n"}
    assert page.locator("#status-legend").is_visible()
    assert page.locator("#period-legend").count() == 0
    page.click('#view-switch a[data-view="story"]')
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator("#period-legend").is_visible()


def test_phone_header_is_compact_and_the_first_screen_asks_for_the_county(open_page):
    chicago = {"latitude": 41.8781, "longitude": -87.6298}
    page = open_page("/", **PHONE, geolocation=chicago, permissions=["geolocation"])
    page.wait_for_function("() => window.scommMap !== undefined")
    page.wait_for_selector("button.locate")
    page.screenshot(path=OUTPUT / "home-phone-first-screen.png")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 0.2 * PHONE["height"], header
    # Search and "use my location" come first, inside the first screen.
    for selector in ("#lookup-q", "button.locate"):
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= 0.25 * PHONE["height"], (selector, box)
    # Every target on the first screens is at least 24 px each way.
    boxes = page.eval_on_selector_all(
        TARGETS,
        """els => els.filter(e => e.getClientRects().length).map(e => {
             const r = e.getBoundingClientRect(); return [e.outerHTML.slice(0, 60), r.width, r.height]; })""",
    )
    assert len(boxes) >= 15
    small = [box for box in boxes if box[1] < 24 or box[2] < 24]
    assert not small, small
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    page.click("button.locate")
    page.wait_for_selector("a.located")
    assert page.locator("a.located").inner_text() == "Cook County, Illinois"


def test_a_phone_reaches_a_county_from_the_national_map_in_two_taps(open_page):
    page = open_page("/", **PHONE, has_touch=True)
    page.wait_for_function("() => window.scommMap !== undefined")
    assert page.locator(".touch-hint").is_visible()
    # Tap one: Champaign County is 4 px across at this width; the tap opens Illinois, not the county.
    champaign = page.locator('#county-map path[data-fips="17019"]')
    champaign.scroll_into_view_if_needed()
    assert champaign.bounding_box()["width"] < 24
    champaign.tap()
    page.wait_for_url(re.compile(r"/states/IL/$"))
    page.screenshot(path=OUTPUT / "phone-state-IL.png")
    # Tap two: on Illinois's own map Cook County is a target of at least 24 px.
    cook = page.locator('.state-map path[data-fips="17031"]')
    cook.scroll_into_view_if_needed()
    box = cook.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box
    cook.tap()
    page.wait_for_url(re.compile(r"/jurisdictions/17031/$"))
    assert "Cook County" in page.locator("h1").inner_text()


def test_desktop_click_on_the_map_still_opens_the_county(open_page):
    page = open_page("/", **DESKTOP)
    page.wait_for_function("() => window.scommMap !== undefined")
    assert not page.locator(".touch-hint").is_visible()
    page.click('#county-map path[data-fips="48201"]')
    page.wait_for_url(re.compile(r"/jurisdictions/48201/$"))
