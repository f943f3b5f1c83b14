"""The public pages as a whole: every page well formed and accessible, with the lookup form, nav and search
script; the about and downloads pages, with pinned query counts, and every API link they give."""

import re
from html.parser import HTMLParser

import pytest

from tests.factories import PAGE_ALLOWANCE_QUERIES, SNAPSHOT_BUILD_QUERIES
from tests.pages_helpers import page_html

pytestmark = pytest.mark.django_db


class _Structure(HTMLParser):
    """Collects what the structural checks need: h1s, ids, labelled controls, tables, inline scripts/styles."""

    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.ids = []
        self.labels_for = set()
        self.controls = []
        self.tables = 0
        self.captions = 0
        self.inline_scripts = 0
        self.style_attributes = 0
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag == "h1":
            self.h1 += 1
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and "for" in attrs:
            self.labels_for.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") != "hidden":
            self.controls.append(attrs.get("id"))
        if tag == "table":
            self.tables += 1
        if tag == "caption":
            self.captions += 1
        # Data blocks (JSON, JSON-LD) are never run: only a script the browser would execute counts.
        if (
            tag == "script"
            and "src" not in attrs
            and attrs.get("type") not in {"application/json", "application/ld+json"}
        ):
            self.inline_scripts += 1
        if "style" in attrs:
            self.style_attributes += 1


def _structure(html: str) -> _Structure:
    parser = _Structure()
    parser.feed(html)
    return parser


# --- every page ------------------------------------------------------------------------------------------

PAGES = [
    "/jurisdictions/",
    "/jurisdictions/?state=IL&sort=date&as_of=2011-08-05",
    "/jurisdictions/17031/",
    "/jurisdictions/02232/",
    "/states/",
    "/states/IL/?as_of=2010-01-01",
    "/agreements/",
    "/about/",
    "/downloads/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_well_formed_and_accessible(client, dataset, url):
    html = page_html(client, url)
    page = _structure(html)
    assert page.html_lang == "en"
    assert page.h1 == 1
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    assert all(control and control in page.labels_for for control in page.controls), "a control without a label"
    assert page.captions == page.tables
    assert page.inline_scripts == 0 and page.style_attributes == 0
    assert 'href="#main"' in html and 'id="main"' in html


@pytest.mark.parametrize("url", PAGES)
def test_every_page_carries_the_lookup_form_nav_and_search_script(client, dataset, url):
    html = page_html(client, url)
    assert '<form class="lookup" action="/jurisdictions/" method="get" role="search">' in html
    assert '<label for="lookup-q">Find a county, state or FIPS code</label>' in html
    assert '<input id="lookup-q" name="q"' in html
    assert re.search(r'<script src="[^"]*js/search\.js" defer></script>', html)
    for href in (
        'href="/"',
        'href="/jurisdictions/"',
        'href="/states/"',
        'href="/agreements/"',
        'href="/downloads/"',
        'href="/about/"',
        'href="/api/v1/',
    ):
        assert href in html
    # No request to any other host: no absolute asset address (canonical and hreflang links name pages, not assets).
    assert not re.search(r'<(script|link(?! rel="(?:canonical|alternate)")|img)[^>]+(src|href)="(https?:)?//', html)


# --- /about/ and /downloads/ -----------------------------------------------------------------------------


def test_about_page_cites_sources_and_lists_disputed_dates_and_historical_units(
    client, dataset, django_assert_num_queries
):
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
        response = client.get("/about/")
    page = response.content.decode()
    assert "Alsan &amp; Yang (2018" in page
    assert "Asad &amp; Baer-Bositis (2025)" in page
    assert "https://github.com/asadlasad/vargasnunezetal_2026_pnas" in page
    assert "The 8 disputed dates" in page
    assert page.count('#history">') == 8
    assert "Shannon County (46113)" in page and "Bedford city (51515)" in page
    assert "use the “Report a correction” form" in page and 'href="/corrections/"' in page
    # No invented address (the Cite box after it holds a BibTeX "@misc", which is no address).
    corrections = page.split('id="corrections"')[1].split('<aside class="cite-box"')[0]
    assert "@" not in re.sub(r"<[^>]+>", "", corrections)


def test_downloads_page_links_the_exports_and_documents_every_field(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
        response = client.get("/downloads/")
    page = response.content.decode()
    for href in (
        "/api/v1/jurisdictions/?format=csv",
        "/api/v1/jurisdictions/?format=geojson",
        "/api/v1/jurisdictions/?format=ndjson",
        "?format=csv&amp;as_of=2011-08-05",
    ):
        assert href in page
    for field in ("fips", "name", "state", "status", "activated_on", "sources", "url"):
        assert f"<code>{field}</code>" in page
    assert "Licence" in page and "How to cite" in page


def test_every_api_link_on_the_downloads_page_answers(client, dataset):
    page = page_html(client, "/downloads/")
    links = sorted({href.replace("&amp;", "&") for href in re.findall(r'href="(/api/v1/[^"]*)"', page)})
    assert len(links) >= 10
    for link in links:
        assert client.get(link).status_code == 200, link
