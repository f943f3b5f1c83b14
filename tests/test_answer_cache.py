"""Repeat requests without a proxy: public answers kept per process, keyed on what their ETag is made of
(common/answer_cache.py). A kept answer is served with one query (the data version), is never stale, and the
store cannot be filled by parameters the view ignores."""

import datetime
import gc
import gzip
import secrets
import time
import weakref

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.client import ClientHandler
from django.test.utils import CaptureQueriesContext

from common import answer_cache
from common.dates import today_is
from jurisdictions.models import Jurisdiction

# Public answers of every kind: pages in both languages, the map, the API (list, detail, stats, exports), a release.
KEPT = [
    "/",
    "/es/",
    "/?as_of=2011-08-05",
    "/jurisdictions/48201/",
    "/es/jurisdictions/48201/",
    "/jurisdictions/?state=TX&state=CA",
    "/jurisdictions/?state=TX,CA&sort=name",
    "/states/IL/",
    "/agreements/",
    "/downloads/",
    "/about/",
    "/map/counties-wgs84.json",
    "/api/v1/jurisdictions/",
    "/api/v1/jurisdictions/?state=TX&page_size=100&page=2",
    "/api/v1/jurisdictions/?disputed=true&fips=29177&as_of=2009-01-01",
    "/api/v1/jurisdictions/48201/",
    "/api/v1/stats/",
    "/api/v1/stats/?as_of=2015-06-01",
    "/api/v1/agreements/",
    "/api/v1/events/",
    "/api/v1/jurisdictions/?format=csv",
    "/api/v1/jurisdictions/?format=ndjson",
    "/api/v1/jurisdictions/?format=geojson",
]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


CSRF_TOKEN = "Zq3" * 10 + "x7"


def _kept(response) -> bool:
    return getattr(response, "from_answer_cache", False)


@pytest.mark.django_db
@pytest.mark.parametrize("url", KEPT)
def test_a_repeat_is_the_kept_answer_for_one_query(client, dataset, django_assert_num_queries, settings, url):
    # Room for the full NDJSON and GeoJSON uncompressed (5.4 MB: above a quarter of the default 16 MB, the largest
    # entry kept; compressed, as browsers and HTTP libraries ask, they are about 1 MB).
    settings.ANSWER_CACHE_MB = 32
    first = client.get(url)
    # A download is kept once it was sent whole (it is never held back: test_a_streamed_csv_starts_at_once).
    first_body = _body(first)
    with django_assert_num_queries(1):
        second = client.get(url)
    assert not _kept(first)
    assert _kept(second)
    assert first.status_code == second.status_code == 200
    assert _body(second) == first_body
    assert second["ETag"] == first["ETag"]
    # A kept download is sent whole, so it also says its length (a streamed one cannot).
    added = {"Content-Length": str(len(first_body))} if first.streaming else {}
    assert dict(second.headers) == {**dict(first.headers), **added}


@pytest.mark.django_db
def test_an_edit_is_seen_at_once(client, dataset):
    before = client.get("/api/v1/jurisdictions/48201/").json()
    page_before = client.get("/jurisdictions/48201/")
    Jurisdiction.objects.filter(fips="48201").update(name="Harris County (renamed)")
    after = client.get("/api/v1/jurisdictions/48201/").json()
    page_after = client.get("/jurisdictions/48201/")
    assert before["name"] == "Harris County"
    assert after["name"] == "Harris County (renamed)"
    assert b"Harris County (renamed)" not in page_before.content
    assert b"Harris County (renamed)" in page_after.content
    assert page_after["ETag"] != page_before["ETag"]


@pytest.mark.django_db
def test_a_new_day_is_a_new_answer(client, dataset):
    """An answer for "today" changes at midnight in the United States without any edit."""
    with today_is(datetime.date(2026, 11, 29)):
        assert not _kept(client.get("/api/v1/stats/"))
    with today_is(datetime.date(2026, 11, 30)):
        assert not _kept(client.get("/api/v1/stats/"))
    with today_is(datetime.date(2026, 11, 29)):
        assert _kept(client.get("/api/v1/stats/"))
    assert len(_middleware(client).store) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/jurisdictions/48201/?x={}",
        "/api/v1/jurisdictions/?page_size=1000&x={}",
        "/jurisdictions/48201/?utm_source={}",
        "/?fbclid={}",
        "/api/v1/stats/?as_of=2011-08-05&nonsense={}",
    ],
)
def test_an_ignored_parameter_is_answered_but_never_kept(client, dataset, url):
    """The view never declared it: it is not in the canonical query, so `?x=<random>` finds the entry of the
    address without it and cannot fill the store (before the protocol, such an answer was not kept at all)."""
    first, second = client.get(url.format(secrets.token_hex(4))), client.get(url.format(secrets.token_hex(4)))
    assert first.status_code == second.status_code == 200
    assert _kept(second)
    assert len(_middleware(client).store) == 1
    # The same address without the parameter is the same entry.
    plain = url.split("x=")[0].split("utm_source=")[0].split("fbclid=")[0].split("nonsense=")[0].rstrip("?&")
    assert _kept(client.get(plain))
    assert _body(client.get(plain)) == _body(first)
    assert len(_middleware(client).store) == 1


def _middleware(client):
    """The answer cache of this test client's handler (the first middleware)."""
    from common.answer_cache import AnswerCacheMiddleware

    if client.handler._middleware_chain is None:
        client.handler.load_middleware()
    layer = client.handler._middleware_chain.__wrapped__  # Django wraps each middleware in its exception handler
    assert isinstance(layer, AnswerCacheMiddleware)
    return layer


@pytest.mark.django_db
def test_the_store_is_bounded_in_bytes(client, dataset, settings):
    settings.ANSWER_CACHE_MB = 0.5  # room for small answers; the map page (about 1 MB) is too big to keep
    client.get("/api/v1/jurisdictions/48201/")
    client.get("/")
    store = _middleware(client).store
    assert store.currsize <= store.maxsize
    assert len(store) == 1
    for fips in ("17031", "06037", "36061", "04013", "53033", "12086", "32003", "48113"):
        client.get(f"/api/v1/jurisdictions/{fips}/?as_of=2012-01-01")
        client.get(f"/jurisdictions/{fips}/")
        assert store.currsize <= store.maxsize


@pytest.mark.django_db
def test_off_when_the_size_is_zero(client, dataset, settings):
    settings.ANSWER_CACHE_MB = 0
    client.get("/api/v1/stats/")
    assert _middleware(client).store is None
    response = client.get("/api/v1/stats/", HTTP_ACCEPT_ENCODING="gzip")
    assert not _kept(response)
    assert response["Content-Encoding"] == "gzip"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}, id="credentials"),
    ],
)
def test_a_request_with_credentials_is_never_served_a_kept_answer(client, dataset, headers):
    other = Client(**headers)
    for _ in range(2):
        response = other.get("/api/v1/jurisdictions/48201/")
        assert response.status_code == 200
        assert not _kept(response)
    assert len(_middleware(other).store) == 0


@pytest.mark.django_db
def test_a_session_the_app_issued_is_never_served_a_kept_answer(client, dataset, editor):
    signed_in = Client()
    signed_in.force_login(editor)
    assert signed_in.cookies["sessionid"].value
    for _ in range(2):
        response = signed_in.get("/api/v1/jurisdictions/48201/")
        assert response.status_code == 200
        assert not _kept(response)
    assert len(_middleware(signed_in).store) == 0
    # The same address for a reader is kept, and still never served to the editor.
    client.get("/api/v1/jurisdictions/48201/")
    assert _kept(client.get("/api/v1/jurisdictions/48201/"))
    assert not _kept(signed_in.get("/api/v1/jurisdictions/48201/"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cookie",
    [
        # A csrftoken as Django writes it (32 letters and digits); a malformed one is replaced, which sets a cookie.
        pytest.param(f"csrftoken={CSRF_TOKEN}", id="csrf cookie"),
        pytest.param("sessionid=made-up", id="session cookie of no session"),
        pytest.param(f"theme=dark; csrftoken={CSRF_TOKEN}; sessionid=expired0000", id="several"),
    ],
)
def test_a_cookie_that_is_no_session_of_the_app_is_served_the_kept_answer(client, dataset, cookie):
    """Only a live session bypasses the store: a csrftoken or a made-up session cookie cannot make work uncached."""
    other = Client(HTTP_COOKIE=cookie)
    other.get("/api/v1/jurisdictions/48201/")
    response = other.get("/api/v1/jurisdictions/48201/")
    assert response.status_code == 200
    assert _kept(response)


@pytest.mark.django_db
def test_a_kept_answer_answers_validators_with_a_304(client, dataset, django_assert_num_queries):
    first = client.get("/api/v1/jurisdictions/48201/")
    with django_assert_num_queries(1):
        not_modified = client.get("/api/v1/jurisdictions/48201/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == first["ETag"]
    assert not_modified["Cache-Control"] == first["Cache-Control"]
    with django_assert_num_queries(1):
        since = client.get("/api/v1/jurisdictions/48201/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    with django_assert_num_queries(1):
        other = client.get("/api/v1/jurisdictions/48201/", HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200
    assert _kept(not_modified) and _kept(since) and _kept(other)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, url, status",
    [
        ("get", "/jurisdictions/99999/", 404),
        ("get", "/api/v1/jurisdictions/99999/", 404),
        ("get", "/api/v1/jurisdictions/?as_of=2011-02-30", 400),
        ("get", "/api/v1/jurisdictions/?release=r99", 404),
        ("get", "/healthz", 200),
        ("get", "/corrections/report/", 200),
        ("get", "/api/v1/docs/", 200),
        ("get", "/admin/login/", 200),
        ("get", "/sitemap.xml", 200),
        # A release's answers never change (browsers keep them a day); the corrections log has its own validators.
        ("get", "/api/v1/jurisdictions/48201/?release=r1", 200),
        ("get", "/jurisdictions/48201/?release=r1", 200),
        ("get", "/releases/r1/", 200),
        ("get", "/corrections/", 200),
        ("head", "/api/v1/jurisdictions/99999/", 404),
    ],
)
def test_what_is_not_a_shared_public_answer_is_never_kept(client, dataset, method, url, status):
    for _ in range(2):
        assert getattr(client, method)(url).status_code == status
    assert len(_middleware(client).store) == 0


@pytest.mark.django_db
def test_a_body_is_refused_even_for_a_kept_address(client, dataset):
    client.get("/api/v1/stats/")
    assert _kept(client.get("/api/v1/stats/"))
    response = client.generic("GET", "/api/v1/stats/", data=b"x" * 10, content_type="text/plain")
    assert response.status_code == 413


@pytest.mark.django_db
def test_head_is_answered_from_a_kept_get(client, dataset, django_assert_num_queries):
    get = client.get("/api/v1/stats/")
    with django_assert_num_queries(1):
        head = client.head("/api/v1/stats/")
    assert _kept(head)
    assert head.status_code == 200
    assert head["ETag"] == get["ETag"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/jurisdictions/?format=csv", "/api/v1/stats/", "/jurisdictions/48201/"])
def test_answers_are_compressed_for_clients_that_take_gzip(client, dataset, url):
    plain = client.get(url)
    compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    compressed_body = _body(compressed)
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed_body) == _body(plain)
    assert _kept(again)
    assert _body(again) == compressed_body
    # The compressed bytes are another representation: the tag says only "the same meaning".
    assert compressed["ETag"] == "W/" + plain["ETag"]
    assert "Accept-Encoding" in compressed["Vary"]


@pytest.mark.django_db
def test_a_streamed_download_larger_than_an_entry_is_sent_whole_and_not_kept(client, dataset, settings):
    settings.ANSWER_CACHE_MB = 0.5  # an entry may hold 128 KB: the GeoJSON is about 5 MB
    whole = _body(client.get("/api/v1/jurisdictions/?format=geojson"))
    assert len(_middleware(client).store) == 0
    settings.ANSWER_CACHE_MB = 0
    assert _body(Client().get("/api/v1/jurisdictions/?format=geojson")) == whole
    assert whole.rstrip().endswith(b"]}")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/jurisdictions/48201/?release=r1", "/corrections/", "/releases/"])
def test_a_miss_costs_no_more_queries_than_without_the_store(client, dataset, settings, url):
    """Nothing kept for an address: the store reads nothing (the view reads the version, as without it)."""
    client.get("/api/v1/jurisdictions/48201/")  # build the snapshot
    with CaptureQueriesContext(connection) as with_store:
        client.get(url)
    settings.ANSWER_CACHE_MB = 0
    with CaptureQueriesContext(connection) as without_store:
        Client().get(url)
    assert len(with_store.captured_queries) == len(without_store.captured_queries)


@pytest.mark.django_db
def test_after_an_edit_the_kept_answer_is_replaced_and_the_version_read_once(
    client, dataset, django_assert_num_queries
):
    url = "/api/v1/jurisdictions/48201/"
    client.get(url)
    Jurisdiction.objects.filter(fips="48201").update(name="Harris County (renamed)")
    # Within the second of an edit an answer has no Last-Modified yet, and is not kept until it has one.
    time.sleep(1.1)
    client.get("/api/v1/stats/")  # the snapshot of the new version is built here
    with CaptureQueriesContext(connection) as captured:
        after = client.get(url)
    assert not _kept(after)
    assert after.json()["name"] == "Harris County (renamed)"
    versions = [q for q in captured.captured_queries if "tracker_dataversion" in q["sql"]]
    assert len(versions) == 1
    assert _kept(client.get(url))
    assert len(_middleware(client).store) == 2  # this address (replaced) and the stats


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/jurisdictions/?page_size=1000", "/api/v1/stats/", "/api/v1/changes/?limit=5"])
def test_an_api_answer_is_freed_once_sent_without_waiting_for_the_garbage_collector(dataset, url):
    """DRF keeps the answer on the view, and the view in the answer's context: left as it is, that cycle held
    every answer (1.7 MB for a page of 1,000) until a full garbage collection, and workers grew by tens of MB."""
    handler = ClientHandler()  # the test client's own handler, without the client's extras on the answer
    response = handler(RequestFactory().get(url).environ)
    assert response.status_code == 200
    answer = weakref.ref(response)
    gc.disable()
    try:
        response.close()
        del response
        assert answer() is None
    finally:
        gc.enable()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/stats/", "/api/v1/jurisdictions/48201/"])
def test_a_304_from_a_kept_answer_has_the_headers_of_the_views_own(client, dataset, settings, url):
    """CORS above all: a script in a browser that revalidates needs Access-Control-Allow-Origin on the 304."""
    headers = {"HTTP_ORIGIN": "https://newsroom.example", "HTTP_ACCEPT_ENCODING": "gzip"}
    etag = client.get(url, **headers)["ETag"]
    kept = client.get(url, HTTP_IF_NONE_MATCH=etag, **headers)
    settings.ANSWER_CACHE_MB = 0
    computed = Client().get(url, HTTP_IF_NONE_MATCH=etag, **headers)
    assert _kept(kept) and not _kept(computed)
    assert kept.status_code == computed.status_code == 304
    assert kept["Access-Control-Allow-Origin"] == "*"
    assert set(kept.headers) >= set(computed.headers) - {"Content-Length"}
    assert not kept.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", ["HTTP_ORIGIN", "HTTP_ACCEPT", "HTTP_ACCEPT_ENCODING"], ids=["origin", "accept", "accept-encoding"]
)
def test_headers_no_browser_sends_are_answered_but_never_kept(client, dataset, header):
    """Each kept answer costs its key too: 8 KB made-up header values could otherwise hold ten times the limit.
    The key holds what a header decides (the negotiated type, compression, cross-origin), never the header, so
    made-up values share one entry (before, raw headers were keyed, and such answers were not kept at all)."""
    for n in range(3):
        value = f"{'x' * 5000}{n}" if header != "HTTP_ACCEPT" else f"application/json, text/x-{'y' * 5000}{n}"
        assert client.get("/api/v1/stats/", **{header: value}).status_code in (200, 406)
    assert len(_middleware(client).store) <= 1


@pytest.mark.django_db
def test_routes_and_representations_remembered_are_bounded_and_negotiated_as_the_view_does(client, dataset):
    """A hit reuses the route and the negotiated representation of the path and Accept header it met before
    (answer_cache._route, _representation): made-up long values are worked out each time, never held, and every
    Accept still gets the view's own negotiation (JSON, CSV, a 406 for what is refused)."""
    answer_cache._route.cache_clear()
    answer_cache._representation.cache_clear()
    for n in range(20):
        long_accept = f"application/json, text/x-{'y' * answer_cache.MEMO_ARGUMENT_CHARS}{n}"
        assert client.get("/api/v1/stats/", HTTP_ACCEPT=long_accept).status_code == 200
        assert client.get(f"/api/v1/stats/?x={n}", HTTP_ACCEPT="application/json").status_code == 200
    assert answer_cache._representation.cache_info().currsize == 1
    assert answer_cache._route.cache_info().currsize == 1
    for _ in range(2):  # computed, then kept: the same negotiation either way
        csv = client.get("/api/v1/jurisdictions/?state=DE", HTTP_ACCEPT="text/csv")
        assert csv["Content-Type"].startswith("text/csv")
        assert client.get("/api/v1/jurisdictions/48201/", HTTP_ACCEPT="text/csv").status_code == 406
        refused_json = client.get("/api/v1/jurisdictions/?state=DE", HTTP_ACCEPT="application/json;q=0, */*")
        assert refused_json.status_code == 200 and "json" not in refused_json["Content-Type"]
        assert client.get("/api/v1/stats/", HTTP_ACCEPT="application/json;q=0").status_code == 406
        assert client.get("/api/v1/jurisdictions/?state=DE&format=csv")["Content-Type"].startswith("text/csv")


@pytest.mark.django_db
def test_an_entry_is_counted_with_its_headers_and_key(client, dataset, settings):
    settings.ANSWER_CACHE_MB = 0.25
    client = Client()  # a fresh handler, with the new size
    for n in range(40):
        client.get(f"/api/v1/stats/?as_of=2011-{n % 12 + 1:02d}-{n % 28 + 1:02d}", HTTP_ORIGIN=f"https://{n}.example")
    store = _middleware(client).store
    held = sum(len(entry.body) for entry in store.values())
    assert store.currsize > held  # bodies alone would undercount
    assert store.currsize <= store.maxsize


@pytest.mark.django_db
@pytest.mark.parametrize("size_mb", [0.001, 0.0001])
def test_a_store_too_small_for_any_answer_keeps_none_and_answers_all(client, dataset, settings, size_mb):
    settings.ANSWER_CACHE_MB = size_mb
    client = Client()
    for _ in range(2):
        assert client.get("/api/v1/stats/").status_code == 200
    assert len(_middleware(client).store or {}) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["q=Doña Ana", "q=Do%C3%B1a%20Ana", "q=Do%C3%B1a+Ana"])
def test_a_query_is_read_as_django_reads_it(client, dataset, query):
    """Raw UTF-8 in a query (as runserver passes it) decodes to the same words as without the store, and the
    language switch links to it percent-encoded."""
    for _ in range(2):
        page = client.get(f"/jurisdictions/?{query}").content.decode()
        assert "“Doña Ana”" in page
        assert 'href="/es/jurisdictions/?q=Do%C3%B1a' in page
        assert "Ã" not in page


@pytest.mark.django_db
def test_a_precondition_is_left_to_the_view(client, dataset):
    """If-Match compares strongly; the kept compressed answer's tag is weak: the view answers as without the store."""
    strong = client.get("/api/v1/stats/")["ETag"]
    client.get("/api/v1/stats/", HTTP_ACCEPT_ENCODING="gzip")
    for _ in range(2):
        response = client.get("/api/v1/stats/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_MATCH=strong)
        assert response.status_code == 200
        assert not _kept(response)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/map/counties-wgs84.json", "/jurisdictions/48201/"])
def test_a_reader_with_a_cookie_still_gets_public_pages_compressed(client, dataset, url):
    """A reader who filed a correction has a csrftoken cookie: still gzip."""
    response = Client(HTTP_COOKIE="csrftoken=abc").get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"


@pytest.mark.django_db
def test_the_admin_is_never_compressed(admin_client, dataset):
    response = admin_client.get("/admin/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [{}, {"HTTP_ORIGIN": "https://news.example"}])  # cross-origin: CORS headers too
def test_an_entry_is_counted_with_what_keeping_it_really_costs(dataset, settings, extra):
    """The byte bound counts each entry with its objects: a small answer (a county on a day, about 1 KB) is mostly
    headers, key and bookkeeping. Measured: the same answers asked again into a fresh store hold no more than the
    store counts; what they hold is what dropping the store gives back, so that other memos the requests fill (the
    answer store's routes, the suite's query log) are not charged to it."""
    import tracemalloc

    first = datetime.date(2010, 1, 1)
    paths = [
        f"/api/v1/jurisdictions/{fips}/?as_of={first + datetime.timedelta(days=n)}"
        for n, fips in enumerate(["48201", "17031", "06037", "36061", "04013", "53033", "12086", "32003"] * 40)
    ]
    settings.ANSWER_CACHE_MB = 0
    warm = Client()
    for path in paths:
        assert warm.get(path, HTTP_ACCEPT_ENCODING="gzip", **extra).status_code == 200
    settings.ANSWER_CACHE_MB = 16
    client = Client()
    client.get("/api/v1/stats/")  # the handler and its store made
    gc.collect()
    tracemalloc.start()
    try:
        for path in paths:
            client.get(path, HTTP_ACCEPT_ENCODING="gzip", **extra)
        middleware = _middleware(client)
        counted, entries = middleware.store.currsize, len(middleware.store)
        del middleware
        gc.collect()
        filled = tracemalloc.get_traced_memory()[0]
        # The handler's middleware given back, the store with every entry and its bookkeeping among it (Django's
        # wrapper holds a copy of the middleware's attributes, the store too).
        client.handler._middleware_chain = None
        gc.collect()
        held = filled - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert entries == len(paths) + 1
    assert held <= counted, f"held {held / len(paths):.0f} B an entry, counted {counted / entries:.0f}"
