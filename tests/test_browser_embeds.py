"""Embeds in a real Chromium, inside a page served from another origin (a newsroom's page, played by a small
HTTP server on another port): the card shows, with no console error; a normal page framed the same way is
refused by the browser. Screenshots at 390 and 1280 px go to test-output/."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from jurisdictions.embeds import EMBED_HEIGHT
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

    def article(*paths):
        frames = "".join(
            f'<iframe name="f{i}" src="{live_dataset.url}{path}" title="card {i}" width="100%" height="{EMBED_HEIGHT}" '
            f'style="border:0;max-width:480px"></iframe>'
            for i, path in enumerate(paths)
        )
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


# The longest cards: a disputed date, a state with two agreements, the years the program was discontinued.
_LONGEST = [
    "/embed/jurisdictions/36009/?as_of=2015-06-01",
    "/embed/jurisdictions/41029/",
    "/embed/states/NY/?as_of=2015-06-01",
]
# ... in both languages (Spanish runs longer).
LONGEST = _LONGEST + ["/es" + path for path in _LONGEST]


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_the_longest_cards_fit_the_frame_the_embed_code_gives(browser, newsroom, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(newsroom(*LONGEST))
    heights = {}
    for i, path in enumerate(LONGEST):
        frame = page.frame(name=f"f{i}")
        frame.wait_for_selector(".foot")
        heights[path] = frame.evaluate("document.documentElement.scrollHeight")
    page.screenshot(path=str(OUTPUT / f"embed-longest-{width}.png"), full_page=True)
    assert max(heights.values()) <= EMBED_HEIGHT, heights
    context.close()
