"""Embeds in a real Chromium, inside a page served from another origin (a newsroom's page, played by a small
HTTP server on another port): the card shows, with no console error; a normal page framed the same way is
refused by the browser. Screenshots at 390 and 1280 px go to test-output/."""

import html
import re
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from tests.browser import OUTPUT

pytestmark = pytest.mark.browser


@pytest.fixture
def newsroom(live_dataset):
    """Serve one article page from 127.0.0.2 (another origin than the live server) that frames `paths`."""
    site = urlsplit(live_dataset.url)
    served = {}

    class Article(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            body = served["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.2", 0), Article)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def article(*paths, codes=()):
        """A story framing the cards at `paths`, or holding the embed `codes` as pasted (frames named f0, f1...)."""
        frames = "".join(
            f'<iframe name="f{i}" src="{live_dataset.url}{path}" title="card {i}" width="100%" height="500" '
            f'style="border:0;max-width:480px"></iframe>'
            for i, path in enumerate(paths)
        ) + "".join(code.replace("<iframe ", f'<iframe name="f{i}" ', 1) for i, code in enumerate(codes))
        served["html"] = f"<!doctype html><meta name=viewport content='width=device-width'><h1>Story</h1>{frames}"
        return f"http://127.0.0.2:{server.server_address[1]}/story"

    assert site.hostname != "127.0.0.2"
    yield article
    server.shutdown()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_card_shows_inside_another_sites_page(browser, newsroom, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(newsroom("/embed/jurisdictions/48201/", "/embed/states/IL/?as_of=2011-08-05"))
    county = page.frame(name="f0")
    state = page.frame(name="f1")
    county.wait_for_selector("h1")
    assert county.locator("h1").inner_text() == "Harris County, Texas"
    assert "Activated" in county.locator(".status").inner_text()
    assert "Illinois" in state.locator("h1").inner_text()
    assert "on 5 August 2011" in state.locator(".kicker").inner_text()
    assert "26 of 102" in state.locator(".status").inner_text()
    # The card fits its frame: no sideways scrolling inside it at a phone's width.
    assert county.evaluate("document.documentElement.scrollWidth") <= county.evaluate("window.innerWidth")
    assert county.evaluate("document.cookie") == ""
    page.screenshot(path=str(OUTPUT / f"embed-in-article-{width}.png"), full_page=True)
    assert errors == []
    context.close()


def test_a_normal_page_cannot_be_framed_by_another_site(browser, newsroom):
    context = browser.new_context()
    page = context.new_page()
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "frame-ancestors" in message.text else None)
    page.goto(newsroom("/jurisdictions/48201/", "/embed/jurisdictions/48201/"))
    page.frame(name="f1").wait_for_selector("h1")
    page.wait_for_timeout(300)
    framed_page = page.frame(name="f0")
    # Chromium replaces a refused frame with its own error document: the page itself never shows.
    assert framed_page.url.startswith("chrome-error://")
    assert "Harris County" not in framed_page.evaluate("document.body ? document.body.innerText : ''")
    assert blocked, "Chromium should report the frame-ancestors refusal"
    context.close()


# Short and long cards: a county, a disputed date, a unit whose status is another's, the years the program was
# discontinued, states with one and two agreements.
_CARDS_OF = [
    "/jurisdictions/48201/",
    "/jurisdictions/36009/?as_of=2015-06-01",
    "/jurisdictions/46102/",
    "/states/NY/?as_of=2015-06-01",
    "/states/IL/",
]
# ... in both languages (Spanish runs longer).
PAGES = _CARDS_OF + ["/es" + path for path in _CARDS_OF]


def _embed_code(site: str, page: str) -> str:
    """The code a reader copies from the page's "Embed this" box."""
    with urllib.request.urlopen(site + page) as response:
        content = response.read().decode()
    box = content.split('class="embed-this"')[1]
    return html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", box, re.S).group(1))


@pytest.mark.parametrize("width", [360, 800, 1280])
def test_the_embed_code_fits_its_card_in_both_languages(browser, newsroom, live_dataset, width):
    codes = [_embed_code(live_dataset.url, page) for page in PAGES]
    heights = [int(re.search(r' height="(\d+)"', code).group(1)) for code in codes]
    # Each card gets its own height: short cards are not given the longest card's frame.
    assert len(set(heights)) >= 4 and max(heights) - min(heights) > 80, heights
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(newsroom(codes=codes))
    for i, (path, height) in enumerate(zip(PAGES, heights, strict=True)):
        # The code asks the browser to load a frame only when it comes near the screen.
        page.locator(f'iframe[name="f{i}"]').scroll_into_view_if_needed()
        # The frame exists only once the browser starts loading it: wait for its card, then take the frame.
        page.frame_locator(f'iframe[name="f{i}"]').locator(".foot").wait_for()
        frame = page.locator(f'iframe[name="f{i}"]').element_handle().content_frame()
        measured = frame.evaluate(
            """() => {
                const card = document.querySelector('.card');
                const foot = card.querySelector('.foot');
                const last = foot.previousElementSibling;
                return {
                    inner: window.innerHeight,
                    scroll: document.documentElement.scrollHeight,
                    cardBottom: card.getBoundingClientRect().bottom,
                    footBottom: foot.getBoundingClientRect().bottom,
                    contentBottom: last.getBoundingClientRect().bottom,
                    footHeight: foot.getBoundingClientRect().height,
                };
            }"""
        )
        assert measured["inner"] == height, (path, measured)
        # Nothing is cut and nothing scrolls ...
        assert measured["scroll"] <= measured["inner"], (path, width, measured)
        assert measured["footBottom"] <= measured["inner"], (path, width, measured)
        # ... and no blank space under the card: it fills the frame, its footer at the bottom.
        assert abs(measured["cardBottom"] - measured["inner"]) <= 1, (path, width, measured)
        if width == 360:
            # At a phone's width the frame is the card's own height: the footer follows the text within about two
            # lines (the height is set for a column a little narrower than this page's, with a few pixels to spare).
            gap = measured["footBottom"] - measured["footHeight"] - measured["contentBottom"]
            assert gap <= 50, (path, measured)
    page.screenshot(path=str(OUTPUT / f"embed-heights-{width}.png"), full_page=True)
    context.close()
