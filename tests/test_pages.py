"""The public pages: list, jurisdiction, states, agreements, about and downloads, with pinned query counts."""

import re
from html.parser import HTMLParser

import pytest

from tests.factories import SNAPSHOT_BUILD_QUERIES

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


def _page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


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
    html = _page(client, url)
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
    html = _page(client, url)
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


# --- /jurisdictions/ -------------------------------------------------------------------------------------


# Every pinned count includes one query for the data version, which keys the stored answers (tracker/fast_path.py).
def test_list_shows_every_counted_jurisdiction_with_status(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES):
        response = client.get("/jurisdictions/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "3,143 jurisdictions" in page
    assert "Autauga County" in page
    assert "Showing 1–100" in page


@pytest.mark.parametrize(
    "query",
    [
        "state=TX&as_of=2011-08-05&page=2",
        "status=activated&activated_after=2010-01-01&activated_before=2010-12-31&sort=-date",
        "q=saint&sort=name",
        "q=san&as_of=2012-01-01",
        "state=TX&state=CA&disputed=false&kind=county",
    ],
)
def test_list_query_count_does_not_depend_on_the_filter(client, dataset, django_assert_num_queries, query):
    # A search also counts against the client's search allowance: one upsert (common/allowances.py).
    allowance = 1 if query.startswith("q=") else 0
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + allowance):
        assert client.get(f"/jurisdictions/?{query}").status_code == 200
    # Every other question of the same data version reads the data version only (and a search, its allowance).
    with django_assert_num_queries(1 + allowance):
        assert client.get(f"/jurisdictions/?{query}&as_of=2012-06-01").status_code == 200


def test_list_filters_by_state(client, dataset):
    page = _page(client, "/jurisdictions/?state=TX")
    assert "254 jurisdictions match" in page
    assert "Harris County" not in page  # page one holds A to G only
    assert "Anderson County" in page
    assert "Autauga County" not in page


def test_list_state_filter_takes_lower_case(client, dataset):
    assert "254 jurisdictions match" in _page(client, "/jurisdictions/?state=tx")


def test_list_filters_by_status_as_of_a_date(client, dataset):
    assert "1,475 jurisdictions match" in _page(client, "/jurisdictions/?status=activated&as_of=2011-08-05")
    assert "1,668 jurisdictions match" in _page(client, "/jurisdictions/?status=not_activated&as_of=2011-08-05")


def test_list_filters_by_activation_date_range(client, dataset):
    page = _page(client, "/jurisdictions/?activated_before=2008-12-31")
    count = int(re.search(r"(\d+) jurisdictions? match", page).group(1))
    assert 0 < count < 100
    assert "Harris County" in page
    dates = re.findall(r'<td><time datetime="(\d{4}-\d\d-\d\d)">', page)
    assert dates and all(day <= "2008-12-31" for day in dates)
    page = _page(client, "/jurisdictions/?activated_after=2013-01-22&activated_before=2013-01-22")
    dates = re.findall(r'<td><time datetime="(\d{4}-\d\d-\d\d)">', page)
    assert dates and set(dates) == {"2013-01-22"}


def test_list_tolerant_search(client, dataset):
    page = _page(client, "/jurisdictions/?q=miami dade")
    assert "Miami-Dade County" in page
    assert "1 jurisdiction match" in page
    page = _page(client, "/jurisdictions/?q=st louis")
    assert "St. Louis County" in page and "St. Louis city" in page
    assert "1 jurisdiction match" in _page(client, "/jurisdictions/?q=17031")
    assert "No jurisdiction matches these filters" in _page(client, "/jurisdictions/?q=qqqxxz")


def test_list_search_combines_with_filters(client, dataset):
    page = _page(client, "/jurisdictions/?q=cook&state=IL")
    assert "1 jurisdiction match" in page
    assert "/jurisdictions/17031/" in page


def test_list_sorts_by_name_state_and_date_with_a_stable_order(client, dataset):
    page = _page(client, "/jurisdictions/?sort=date")
    first = re.findall(r'<th scope="row"><a href="/jurisdictions/(\d{5})/', page)
    assert first[0] == "48201"  # Harris County, TX: the first activation, 2008-10-27
    assert 'aria-sort="ascending"' in page
    page = _page(client, "/jurisdictions/?sort=-date&as_of=2013-12-31")
    dates = re.findall(r'<td><time datetime="(\d{4}-\d\d-\d\d)">', page)
    assert dates[0] == "2013-01-22" and dates == sorted(dates, reverse=True)
    page = _page(client, "/jurisdictions/?sort=name")
    names = re.findall(r'<th scope="row"><a href="/jurisdictions/\d{5}/">([^<]+)</a>', page)
    assert names[0] == "Abbeville County" and names[-1] > names[0]
    # Page two continues page one exactly: no row repeated or skipped on a tie.
    one = re.findall(r'/jurisdictions/(\d{5})/"', _page(client, "/jurisdictions/?sort=date"))
    two = re.findall(r'/jurisdictions/(\d{5})/"', _page(client, "/jurisdictions/?sort=date&page=2"))
    assert not set(one) & set(two)


def test_list_pagination_links_keep_the_filters(client, dataset):
    page = _page(client, "/jurisdictions/?state=TX&sort=name&as_of=2011-08-05")
    assert "Page 1 of 3" in page
    # The canonical query: names sorted (common/params.py).
    assert 'href="?as_of=2011-08-05&amp;page=2&amp;sort=name&amp;state=TX" rel="next"' in page
    page = _page(client, "/jurisdictions/?state=TX&sort=name&as_of=2011-08-05&page=3")
    assert 'href="?as_of=2011-08-05&amp;page=2&amp;sort=name&amp;state=TX" rel="prev"' in page


def test_list_csv_link_is_exactly_the_current_filter(client, dataset):
    page = _page(client, "/jurisdictions/?state=il&status=activated&as_of=2012-01-01&q=cook&sort=name&page=1")
    assert (
        'href="/api/v1/jurisdictions/?format=csv&amp;as_of=2012-01-01&amp;q=cook&amp;state=IL&amp;status=activated"'
        in page
    )
    page = _page(client, "/jurisdictions/?activated_after=2009-01-01&activated_before=2009-12-31")
    assert (
        'href="/api/v1/jurisdictions/?format=csv&amp;activated_after=2009-01-01&amp;activated_before=2009-12-31"'
        in page
    )
    assert 'href="/api/v1/jurisdictions/?format=csv"' in _page(client, "/jurisdictions/")


def test_list_rows_link_to_pages_as_of_the_same_date(client, dataset):
    page = _page(client, "/jurisdictions/?state=IL&as_of=2011-08-05")
    assert 'href="/jurisdictions/17031/?as_of=2011-08-05"' in page


def test_list_marks_disputed_dates(client, dataset):
    page = _page(client, "/jurisdictions/?q=36009")
    assert "(disputed)" in page


@pytest.mark.parametrize(
    "query, message",
    [
        ("as_of=2011-02-30", "as_of must be a date written YYYY-MM-DD"),
        ("as_of=yesterday", "as_of must be a date written YYYY-MM-DD"),
        ("as_of=1990-01-01", "on or after 2008-01-01"),
        ("as_of=2999-01-01", "cannot be in the future"),
        ("activated_after=2011-13-01", "activated_after must be a date written YYYY-MM-DD"),
        ("activated_before=soon", "activated_before must be a date written YYYY-MM-DD"),
        ("activated_after=2012-01-01&activated_before=2011-01-01", "activated_after must be on or before"),
        ("state=ZZ", "state: Unknown value"),
        ("status=<script>", "status: Unknown value"),
        ("sort=<b>bold</b>", "Unknown sort"),
        ("page=two", "page must be a whole number"),
        ("page=0", "page must be a whole number"),
    ],
)
def test_list_refuses_bad_parameters_with_a_reason(client, dataset, query, message):
    response = client.get(f"/jurisdictions/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "<script>" not in page and "<b>bold" not in page


def test_list_page_past_the_end_is_404(client, dataset):
    assert client.get("/jurisdictions/?state=DE&page=5").status_code == 404


# --- /jurisdictions/<fips>/ ------------------------------------------------------------------------------


def test_detail_shows_status_date_and_source(client, dataset, django_assert_num_queries):
    # Unit, its history, successors, predecessors, the state's agreements, the state map's statuses.
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES):
        response = client.get("/jurisdictions/48201/")
    page = response.content.decode()
    assert "Harris County, Texas" in page
    assert "27 October 2008" in page
    assert "<cite" in page and "Secure Communities county activation dates" in page
    assert 'href="https://github.com/asadlasad/vargasnunezetal_2026_pnas/blob/' in page


def test_detail_query_count_with_agreements_and_as_of(client, dataset, django_assert_num_queries):
    # Plus the agreements' status changes and sources.
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES):
        assert client.get("/jurisdictions/17031/?as_of=2011-08-05").status_code == 200


def test_detail_as_of_a_date_before_activation(client, dataset):
    page = _page(client, "/jurisdictions/17031/?as_of=2011-08-05")
    assert "Status on 5 August 2011</dt><dd>Not activated" in page
    assert "Not yet activated on 5 August 2011" in page
    assert "Status today</dt><dd>Activated" in page


def test_detail_explains_a_disputed_date(client, dataset):
    page = _page(client, "/jurisdictions/36009/")
    assert "Date disputed" in page
    assert "1 June 2011" in page
    assert "6 January 2011" in page


def test_detail_shows_the_states_agreement_history(client, dataset):
    page = _page(client, "/jurisdictions/17031/")
    assert "Illinois State Police" in page
    assert "November 2009 (day not known)" in page
    assert "Terminated by the state" in page
    assert "Rescinded by ICE" in page


def test_detail_has_a_state_map_with_the_county_highlighted(client, dataset):
    page = _page(client, "/jurisdictions/17031/")
    assert page.count("<path ") == 102  # Illinois' counties
    assert re.search(r'data-fips="17031" class="county status-activated current"><title>Cook County', page)
    body = page.split("<body>")[1]
    assert 'href="http://testserver/jurisdictions/17031/"' not in body  # permalink is relative...
    assert "http://testserver/jurisdictions/17031/" in body  # ...and shown in full


def test_detail_of_a_successor_names_the_historical_unit(client, dataset):
    page = _page(client, "/jurisdictions/46102/")
    assert "Shannon County (46113)" in page
    assert "31 August 2010" in page
    assert "not counted a second time" in page


def test_detail_of_a_retired_unit_links_its_successors_and_highlights_them(client, dataset):
    page = _page(client, "/jurisdictions/02232/")
    assert "Replaced by:" in page
    assert 'href="/jurisdictions/02105/"' in page and 'href="/jurisdictions/02230/"' in page
    assert "no shape on today's county map" in page
    assert re.search(r'data-fips="02105" class="county status-\w+ current"', page)
    assert "today Hoonah-Angoon Census Area and Skagway Municipality, highlighted" in page


def test_detail_of_a_state_with_no_agreement_says_it_is_not_yet_sourced(client, dataset):
    page = _page(client, "/jurisdictions/48201/")
    assert "Agreement not yet sourced." in page and "first county was activated on" in page
    assert 'href="/corrections/report/?page=/jurisdictions/48201/"' in page


def test_detail_escapes_a_hostile_as_of(client, dataset):
    response = client.get("/jurisdictions/48201/?as_of=<script>alert(1)</script>")
    assert response.status_code == 400
    assert "<script>alert" not in response.content.decode()


def test_unknown_fips_is_404(client, dataset):
    response = client.get("/jurisdictions/99999/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# --- /states/ --------------------------------------------------------------------------------------------


def test_state_index_lists_51_states_with_counts_and_agreements(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES):
        response = client.get("/states/")
    page = response.content.decode()
    assert page.count('<th scope="row"><a href="/states/') == 51
    assert "51 states" in page
    assert "102 of 102" in page  # Illinois today
    assert "2013-01-22" in page


def test_state_index_as_of_the_rescission(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES):
        page = _page(client, "/states/?as_of=2011-08-05")
    assert "1,475 of 3,143 jurisdictions" in page
    assert "in 43 states" in page
    assert 'href="/states/IL/?as_of=2011-08-05"' in page
    assert "Rescinded by ICE" in page


def test_state_index_refuses_a_bad_date(client, dataset):
    assert client.get("/states/?as_of=2011-8-5").status_code == 400


# --- /states/<postal>/ -----------------------------------------------------------------------------------


def test_state_page_lists_agreements_and_jurisdictions(client, dataset, django_assert_num_queries):
    # State, its agreements with their changes and sources, its units, its events with their sources.
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES):
        response = client.get("/states/NY/?as_of=2011-08-05")
    page = response.content.decode()
    assert "revised MOA negotiated by Gov. Paterson" in page
    assert "Rescinded by ICE" in page
    assert "of 62 jurisdictions activated as of 5 August 2011" in page


def test_state_page_illinois_agreement_history(client, dataset):
    page = _page(client, "/states/IL/")
    assert "November 2009 (day not known)" in page
    assert '<time datetime="2011-05-04">4 May 2011</time>: <strong>Terminated by the state</strong>' in page
    assert '<time datetime="2011-08-05">5 August 2011</time>: <strong>Rescinded by ICE</strong>' in page
    assert '<time datetime="2009-11">' in page  # month precision, never padded to a day
    assert "<cite" in page


def test_state_page_says_when_the_state_was_fully_activated(client, dataset):
    page = _page(client, "/states/IL/")
    assert 'Fully activated</dt><dd><time datetime="2013-01-22">22 January 2013</time>' in page
    page = _page(client, "/states/IL/?as_of=2011-08-05")
    assert "Fully activated</dt><dd>Not yet on 5 August 2011" in page


def test_state_page_shows_state_events_and_map(client, dataset):
    page = _page(client, "/states/IL/")
    assert "Gov. Quinn sends ICE a letter" in page
    assert page.count("<path ") == 102
    assert 'data-fips="17031"' in page


def test_state_page_of_a_state_without_agreement_says_which_kind_of_gap(client, dataset):
    # Texas's counties were activated from 2008, before ICE's rescission: its agreement is not yet sourced.
    assert "Agreement not yet sourced." in _page(client, "/states/TX/")
    # Every Maine county was activated after the rescission, when no agreement was asked for.
    maine = _page(client, "/states/ME/")
    assert "No agreement between Maine and ICE is on record" in maine and "not yet sourced" not in maine


def test_state_page_lower_case_redirects(client, dataset):
    response = client.get("/states/il/?as_of=2011-08-05")
    assert response.status_code == 301
    assert response["Location"] == "/states/IL/?as_of=2011-08-05"


@pytest.mark.parametrize("url", ["/states/ZZ/", "/states/ILL/", "/states/%3Cb%3E/"])
def test_unknown_state_is_404(client, dataset, url):
    assert client.get(url).status_code == 404


def test_state_page_refuses_a_bad_date(client, dataset):
    response = client.get("/states/IL/?as_of=2011-02-29")
    assert response.status_code == 400
    assert "as_of must be a date written YYYY-MM-DD" in response.content.decode()


# --- /agreements/ ----------------------------------------------------------------------------------------


def test_agreements_page_lists_every_agreement_with_history(client, dataset, django_assert_num_queries):
    # Agreements, their changes, their sources, the rescission event and its sources.
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES):
        response = client.get("/agreements/")
    page = response.content.decode()
    # Eleven of agreements*.csv and Maryland's, Virginia's and Nevada's of agreement_leads.csv.
    assert page.count('<section class="agreement"') == 14
    assert "14 agreements and their status today" in page
    assert "Illinois State Police" in page and "November 2009 (day not known)" in page
    assert "Washington State Patrol" in page and "State declined to sign" in page


def test_agreements_page_explains_the_rescission_and_the_dispute(client, dataset):
    page = _page(client, "/agreements/")
    assert 'id="rescission"' in page
    assert "5 August 2011" in page
    assert "<strong>42</strong> states" in page
    assert "<strong>39</strong> governors" in page
    assert 'href="https://www.aila.org/' in page


def test_agreements_page_as_of_a_date(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES):
        page = _page(client, "/agreements/?as_of=2010-06-01")
    row = re.search(r"Illinois State Police</a></td>.*?</tr>", page, re.S).group(0)
    assert "In force" in row
    assert "No dated record yet" in page  # e.g. Colorado, signed 2011


def test_agreements_page_refuses_a_bad_date(client, dataset):
    assert client.get("/agreements/?as_of=nope").status_code == 400


# --- /about/ and /downloads/ -----------------------------------------------------------------------------


def test_about_page_cites_sources_and_lists_disputed_dates_and_historical_units(
    client, dataset, django_assert_num_queries
):
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES):
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
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES):
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


def test_list_search_escapes_a_hostile_query(client, dataset):
    page = _page(client, "/jurisdictions/?q=<script>alert(1)</script>")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "query",
    [
        "state=TX&status=activated&as_of=2011-08-05",
        "q=san&activated_after=2010-01-01&activated_before=2011-12-31",
        "state=IL&as_of=2010-12-31&status=not_activated&q=county",
    ],
)
def test_list_shows_the_same_rows_as_its_csv_link(client, dataset, query):
    page = _page(client, f"/jurisdictions/?{query}&sort=fips")
    count = int(re.search(r"([\d,]+) jurisdictions? match", page).group(1).replace(",", ""))
    csv_url = re.search(r'class="csv-link" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    response = client.get(csv_url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = body.decode("utf-8-sig").splitlines()[1:]
    assert len(rows) == count
    shown = re.findall(r'<th scope="row"><a href="/jurisdictions/(\d{5})/', page)
    exported = {row.split(",")[0] for row in rows}
    assert len(exported) == count and set(shown) <= exported


def test_every_api_link_on_the_downloads_page_answers(client, dataset):
    page = _page(client, "/downloads/")
    links = sorted({href.replace("&amp;", "&") for href in re.findall(r'href="(/api/v1/[^"]*)"', page)})
    assert len(links) >= 10
    for link in links:
        assert client.get(link).status_code == 200, link
