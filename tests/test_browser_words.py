"""In a real Chromium, at 390 and 1,280 px: every link keeps the reader's day, the maps' one legend and their
tooltips say what they mean, the date box, slider and aria-valuetext name one day, and the phone nav shows every
link (with and without JavaScript). Screenshots go to test-output/."""

import re

import pytest

from tests.browser import OUTPUT

pytestmark = pytest.mark.browser

DAY = "2011-08-05"
WIDTHS = [390, 1280]
NAV = ["Map", "Jurisdictions", "States", "Agreements", "Downloads", "About", "API", "Español"]


@pytest.fixture
def open_page(browser, live_dataset):
    contexts = []

    def open_(path, *, width=1280, javascript=True):
        context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.goto(live_dataset.url + path)
        return page

    yield open_
    for context in contexts:
        context.close()


def _query(page) -> str:
    return page.evaluate("location.search")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_county_on_the_dated_map_opens_with_the_day_by_click_and_by_keyboard(open_page, width):
    page = open_page(f"/?as_of={DAY}", width=width)
    page.wait_for_function("() => window.scommMap !== undefined")
    harris = page.locator('#county-map a:has(path[data-fips="48201"])')
    harris.focus()
    page.keyboard.press("Enter")
    # At phone width a tap opens the state (the county is a pixel wide); Enter on the focused county opens it.
    page.wait_for_url(re.compile(r"/jurisdictions/48201/\?as_of=2011-08-05$"))
    if width == 1280:
        page.go_back()
        page.wait_for_function("() => window.scommMap !== undefined")
        page.locator('#county-map path[data-fips="48201"]').click()
        page.wait_for_url(re.compile(r"/jurisdictions/48201/\?as_of=2011-08-05$"))
    else:
        page.go_back()
        page.wait_for_function("() => window.scommMap !== undefined")
        page.locator('#county-map path[data-fips="48201"]').click()
        page.wait_for_url(re.compile(r"/states/TX/\?as_of=2011-08-05$"))


@pytest.mark.parametrize("width", WIDTHS)
def test_every_link_of_a_dated_page_keeps_the_day(open_page, width):
    page = open_page(f"/jurisdictions/17031/?as_of={DAY}", width=width)
    assert page.locator("a.permalink").get_attribute("href") == f"/jurisdictions/17031/?as_of={DAY}"
    assert f"?as_of={DAY}" in page.locator("a.permalink").inner_text()
    assert page.locator('a:text-is("JSON")').get_attribute("href").endswith(f"?as_of={DAY}")
    page.locator("#language-switch").click()
    page.wait_for_url(re.compile(rf"/es/jurisdictions/17031/\?as_of={DAY}$"))

    page = open_page(f"/states/IL/?as_of={DAY}", width=width)
    assert page.locator('a:text-is("JSON")').get_attribute("href") == f"/api/v1/states/IL/?as_of={DAY}"
    assert f"as_of={DAY}" in page.locator('a[href*="format=csv"]').first.get_attribute("href")
    page.locator(".state-map a").first.click()
    assert _query(page) == f"?as_of={DAY}"

    page = open_page(f"/jurisdictions/?as_of={DAY}", width=width)
    page.locator('.pagination a[rel="next"]').click()
    assert f"as_of={DAY}" in _query(page) and "page=2" in _query(page)
    page.locator("table.data tbody th a").first.click()
    assert _query(page) == f"?as_of={DAY}"


@pytest.mark.parametrize("width", WIDTHS)
def test_every_map_has_one_legend_and_a_tooltip_that_says_what_it_means(open_page, width):
    legend = ["Activated", "Scheduled", "Not activated yet"]
    page = open_page(f"/?as_of={DAY}", width=width)
    page.wait_for_function("() => window.scommMap !== undefined")
    assert page.locator("#status-legend li").all_inner_texts() == legend
    if width == 1280:
        page.hover('path[data-fips="48201"]')
        assert page.locator("#county-map-tip").inner_text() == (
            "Harris County, Texas — activated 27 October 2008 (status on 5 August 2011: activated)"
        )
        # The largest county not activated that day: the centre of its box is inside it.
        fips = page.evaluate(
            """() => [...document.querySelectorAll('#county-map path.n')]
                 .map(p => [p.dataset.fips, p.getBBox().width * p.getBBox().height])
                 .sort((a, b) => b[1] - a[1])[0][0]"""
        )
        page.hover(f'path[data-fips="{fips}"]')
        assert page.locator("#county-map-tip").inner_text().endswith("(status on 5 August 2011: not activated)")
    page.screenshot(path=OUTPUT / f"words-home-{width}.png")
    page = open_page(f"/states/IL/?as_of={DAY}", width=width)
    assert page.locator(".state-map .legend li").all_inner_texts() == legend
    caption = page.locator(".state-map figcaption").inner_text()
    assert caption.count("5 August 2011") == 1
    page = open_page(f"/jurisdictions/17031/?as_of={DAY}", width=width)
    assert page.locator(".state-map .legend li").all_inner_texts() == [*legend, "This jurisdiction"]
    # The highlight is an outline over the status colour, not a colour of its own.
    cook = page.locator('.state-map path[data-fips="17031"]')
    assert "status-not_activated" in cook.get_attribute("class")
    fills = page.eval_on_selector_all(
        ".state-map path.status-not_activated", "els => [...new Set(els.map(e => getComputedStyle(e).fill))]"
    )
    assert len(fills) == 1
    page.screenshot(path=OUTPUT / f"words-county-{width}.png", full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_date_box_the_slider_and_its_spoken_value_name_one_day(open_page, width):
    page = open_page("/", width=width)
    page.wait_for_function("() => window.scommMap !== undefined")

    def shown():
        return page.evaluate(
            """() => {
              const slider = document.getElementById('day-slider');
              const first = Date.UTC(2008, 9, 27) / 86400000;
              const day = new Date((first + +slider.value) * 86400000).toISOString().slice(0, 10);
              return [document.getElementById('as-of').value, day, slider.getAttribute('aria-valuetext')];
            }"""
        )

    box, slider, spoken = shown()
    assert box == slider
    assert spoken == page.evaluate(
        "d => { const [y, m, dd] = d.split('-'); return +dd + ' ' + "
        "['January','February','March','April','May','June','July','August','September','October','November',"
        "'December'][+m - 1] + ' ' + y; }",
        box,
    )
    page.focus("#day-slider")
    for _ in range(3):
        page.keyboard.press("PageDown")
    page.wait_for_timeout(100)
    box2, slider2, spoken2 = shown()
    assert box2 == slider2 != box
    page.fill("#as-of", "2013-02-01")
    page.press("#as-of", "Enter")
    box3, slider3, spoken3 = shown()
    assert (box3, slider3, spoken3) == ("2013-02-01", "2013-02-01", "1 February 2013")


def test_the_half_year_legend_has_no_empty_bin(open_page):
    page = open_page("/")
    counts = page.locator("#period-legend .n-act").all_inner_texts()
    assert counts and "(0)" not in counts


@pytest.mark.parametrize("javascript", [True, False])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_nav_shows_every_link_on_a_phone_and_a_desktop(open_page, width, javascript):
    page = open_page(f"/jurisdictions/?as_of={DAY}", width=width, javascript=javascript)
    links = page.locator(".site-nav a")
    assert links.all_inner_texts() == NAV
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, links.nth(index).inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    if not javascript:
        page.screenshot(path=OUTPUT / f"words-nav-{width}.png")


def test_a_scheduled_county_is_drawn_scheduled_on_every_day_the_server_says_so(open_page):
    """Cook County, edited to be scheduled on 1 December 2012 before its activation of 22 January 2013: the map
    draws the server's status (the as-of rule) on the page's day and on every day the date control moves to."""
    import datetime

    from jurisdictions.models import Jurisdiction, Status
    from tests.factories import make_status_change

    make_status_change(
        Jurisdiction.objects.get(fips="17031"), status=Status.SCHEDULED, effective_on=datetime.date(2012, 12, 1)
    )
    page = open_page("/?as_of=2012-12-15")
    page.wait_for_function("() => window.scommMap !== undefined")
    cook = page.locator('#county-map path[data-fips="17031"]')
    assert cook.get_attribute("class") == "s"
    for day, drawn in [("2013-02-01", "a"), ("2012-11-01", "n"), ("2012-12-02", "s")]:
        page.fill("#as-of", day)
        page.press("#as-of", "Enter")
        assert cook.get_attribute("class") == drawn, day
    page.hover('#county-map path[data-fips="17031"]', position={"x": 2, "y": 2}, force=True)
    assert page.locator("#county-map-tip").inner_text().endswith("(status on 2 December 2012: scheduled)")
    fill = page.evaluate("getComputedStyle(document.querySelector('#county-map path[data-fips=\"17031\"]')).fill")
    swatch = page.evaluate("getComputedStyle(document.querySelector('#status-legend .sw.s')).backgroundColor")
    assert fill == swatch
