"""The list of jurisdictions (/jurisdictions/): filters, search, sorting, pagination, its CSV link and the
errors it gives, with pinned query counts."""

import re

import pytest

from tests.factories import PAGE_ALLOWANCE_QUERIES, SNAPSHOT_BUILD_QUERIES
from tests.pages_helpers import page_html

pytestmark = pytest.mark.django_db


# --- /jurisdictions/ -------------------------------------------------------------------------------------


# Every pinned count includes one query for the data version, which keys the stored answers (tracker/fast_path.py).
def test_list_shows_every_counted_jurisdiction_with_status(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
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
    # Each answer counts one allowance of its client: a search's (SEARCH_RATE), any other list's the allowance
    # of computed answers (COMPUTED_RATE); one upsert either way (common/allowances.py).
    allowance = PAGE_ALLOWANCE_QUERIES
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + allowance):
        assert client.get(f"/jurisdictions/?{query}").status_code == 200
    # Every other question of the same data version reads the data version only (and its allowance).
    with django_assert_num_queries(1 + allowance):
        assert client.get(f"/jurisdictions/?{query}&as_of=2012-06-01").status_code == 200


def test_list_filters_by_state(client, dataset):
    page = page_html(client, "/jurisdictions/?state=TX")
    assert "254 jurisdictions match" in page
    assert "Harris County" not in page  # page one holds A to G only
    assert "Anderson County" in page
    assert "Autauga County" not in page


def test_list_state_filter_takes_lower_case(client, dataset):
    assert "254 jurisdictions match" in page_html(client, "/jurisdictions/?state=tx")


def test_list_filters_by_status_as_of_a_date(client, dataset):
    assert "1,475 jurisdictions match" in page_html(client, "/jurisdictions/?status=activated&as_of=2011-08-05")
    assert "1,668 jurisdictions match" in page_html(client, "/jurisdictions/?status=not_activated&as_of=2011-08-05")


def test_list_filters_by_activation_date_range(client, dataset):
    page = page_html(client, "/jurisdictions/?activated_before=2008-12-31")
    count = int(re.search(r"(\d+) jurisdictions? match", page).group(1))
    assert 0 < count < 100
    assert "Harris County" in page
    dates = re.findall(r'<td><time datetime="(\d{4}-\d\d-\d\d)">', page)
    assert dates and all(day <= "2008-12-31" for day in dates)
    page = page_html(client, "/jurisdictions/?activated_after=2013-01-22&activated_before=2013-01-22")
    dates = re.findall(r'<td><time datetime="(\d{4}-\d\d-\d\d)">', page)
    assert dates and set(dates) == {"2013-01-22"}


def test_list_tolerant_search(client, dataset):
    page = page_html(client, "/jurisdictions/?q=miami dade")
    assert "Miami-Dade County" in page
    assert "1 jurisdiction match" in page
    page = page_html(client, "/jurisdictions/?q=st louis")
    assert "St. Louis County" in page and "St. Louis city" in page
    assert "1 jurisdiction match" in page_html(client, "/jurisdictions/?q=17031")
    assert "No jurisdiction matches these filters" in page_html(client, "/jurisdictions/?q=qqqxxz")


def test_list_search_combines_with_filters(client, dataset):
    page = page_html(client, "/jurisdictions/?q=cook&state=IL")
    assert "1 jurisdiction match" in page
    assert "/jurisdictions/17031/" in page


def test_list_sorts_by_name_state_and_date_with_a_stable_order(client, dataset):
    page = page_html(client, "/jurisdictions/?sort=date")
    first = re.findall(r'<th scope="row"><a href="/jurisdictions/(\d{5})/', page)
    assert first[0] == "48201"  # Harris County, TX: the first activation, 2008-10-27
    assert 'aria-sort="ascending"' in page
    page = page_html(client, "/jurisdictions/?sort=-date&as_of=2013-12-31")
    dates = re.findall(r'<td><time datetime="(\d{4}-\d\d-\d\d)">', page)
    assert dates[0] == "2013-01-22" and dates == sorted(dates, reverse=True)
    page = page_html(client, "/jurisdictions/?sort=name")
    names = re.findall(r'<th scope="row"><a href="/jurisdictions/\d{5}/">([^<]+)</a>', page)
    assert names[0] == "Abbeville County" and names[-1] > names[0]
    # Page two continues page one exactly: no row repeated or skipped on a tie.
    one = re.findall(r'/jurisdictions/(\d{5})/"', page_html(client, "/jurisdictions/?sort=date"))
    two = re.findall(r'/jurisdictions/(\d{5})/"', page_html(client, "/jurisdictions/?sort=date&page=2"))
    assert not set(one) & set(two)


def test_list_pagination_links_keep_the_filters(client, dataset):
    page = page_html(client, "/jurisdictions/?state=TX&sort=name&as_of=2011-08-05")
    assert "Page 1 of 3" in page
    # The canonical query: names sorted (common/params.py).
    assert 'href="?as_of=2011-08-05&amp;page=2&amp;sort=name&amp;state=TX" rel="next"' in page
    page = page_html(client, "/jurisdictions/?state=TX&sort=name&as_of=2011-08-05&page=3")
    assert 'href="?as_of=2011-08-05&amp;page=2&amp;sort=name&amp;state=TX" rel="prev"' in page


def test_list_csv_link_is_exactly_the_current_filter(client, dataset):
    page = page_html(client, "/jurisdictions/?state=il&status=activated&as_of=2012-01-01&q=cook&sort=name&page=1")
    assert (
        'href="/api/v1/jurisdictions/?format=csv&amp;as_of=2012-01-01&amp;q=cook&amp;state=IL&amp;status=activated"'
        in page
    )
    page = page_html(client, "/jurisdictions/?activated_after=2009-01-01&activated_before=2009-12-31")
    assert (
        'href="/api/v1/jurisdictions/?format=csv&amp;activated_after=2009-01-01&amp;activated_before=2009-12-31"'
        in page
    )
    assert 'href="/api/v1/jurisdictions/?format=csv"' in page_html(client, "/jurisdictions/")


def test_list_rows_link_to_pages_as_of_the_same_date(client, dataset):
    page = page_html(client, "/jurisdictions/?state=IL&as_of=2011-08-05")
    assert 'href="/jurisdictions/17031/?as_of=2011-08-05"' in page


def test_list_marks_disputed_dates(client, dataset):
    page = page_html(client, "/jurisdictions/?q=36009")
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


def test_list_search_escapes_a_hostile_query(client, dataset):
    page = page_html(client, "/jurisdictions/?q=<script>alert(1)</script>")
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
    page = page_html(client, f"/jurisdictions/?{query}&sort=fips")
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
