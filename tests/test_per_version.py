"""What depends only on the data version is made once per version, not per request: the sitemap and the map's
geometry markup (only the colouring depends on the day)."""

import datetime

from django.utils import timezone

from common import reading
from readmodel import dayrows, snapshot
from tracker import map as county_maps
from tracker import sitemaps


def _counting_renders(monkeypatch) -> list:
    renders = []
    render = sitemaps.django_sitemap

    def counted(request, **kwargs):
        renders.append(request.path)
        return render(request, **kwargs)

    monkeypatch.setattr(sitemaps, "django_sitemap", counted)
    return renders


def test_the_sitemap_is_rendered_once_per_data_version(client, dataset, monkeypatch):
    renders = _counting_renders(monkeypatch)
    first, second = client.get("/sitemap.xml"), client.get("/sitemap.xml")
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content == second.content
    assert first["Content-Type"] == second["Content-Type"] == "application/xml"
    assert first["Cache-Control"] == "public, max-age=3600"
    assert len(renders) == 1
    # Another site address is its own sitemap (its links name that host).
    other = client.get("/sitemap.xml", HTTP_HOST="localhost")
    assert b"http://localhost/" in other.content
    assert len(renders) == 2
    # A write moves the data version: the next request renders the sitemap of the new data.
    reading.bump_version(timezone.now())
    client.get("/sitemap.xml")
    assert len(renders) == 3


def test_the_sitemap_keeps_one_gzip_copy_and_gives_the_plain_one_to_clients_without_gzip(client, dataset, monkeypatch):
    compressions = []
    compress = sitemaps.gzip.compress
    monkeypatch.setattr(sitemaps.gzip, "compress", lambda data, **kw: compressions.append(1) or compress(data, **kw))
    plain = client.get("/sitemap.xml")
    zipped = [client.get("/sitemap.xml", HTTP_ACCEPT_ENCODING="gzip, deflate, br") for _ in range(3)]
    refused = client.get("/sitemap.xml", HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert len(compressions) == 1
    assert "Content-Encoding" not in plain and "Content-Encoding" not in refused
    assert refused.content == plain.content
    for answer in zipped:
        assert answer["Content-Encoding"] == "gzip"
        assert answer.content == zipped[0].content
        assert sitemaps.gzip.decompress(answer.content) == plain.content
    assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in zipped[0]["Vary"]


def test_the_map_geometry_is_kept_per_version_and_only_the_colouring_follows_the_day(dataset, monkeypatch):
    snapshot = reading.current()
    made = []
    units = county_maps._units
    monkeypatch.setattr(county_maps, "_units", lambda *args, **kwargs: made.append(1) or units(*args, **kwargs))
    before = county_maps.county_map(snapshot, datetime.date(2009, 1, 1))
    after = county_maps.county_map(snapshot, datetime.date(2013, 6, 1))
    assert len(made) == 1
    assert before.paths != after.paths
    assert len(before.activated_fips) < len(after.activated_fips)
    assert str(after.paths).count('class="a"') > str(before.paths).count('class="a"') > 0


def test_the_memos_shares_fit_the_one_memory_budget():
    from django.conf import settings as configured

    shares = (
        configured.ANSWER_CACHE_MB
        + configured.ENCODED_CACHE_MB
        + configured.RELEASE_SNAPSHOTS_KEPT * configured.RELEASE_SNAPSHOT_MB
        + configured.MEMO_FIXED_MB
    )
    assert 0 < shares <= configured.MEMORY_BUDGET_MB
    assert configured.RELEASE_SNAPSHOTS_KEPT >= 5  # five releases cycled are each built once


def test_the_encoded_store_is_bounded_in_bytes(dataset, settings):
    settings.ENCODED_CACHE_MB = 0.05  # 52 KB
    reading.forget()
    snapshot = reading.current()
    store = snapshot.encoded(("csv", "http://testserver/"))
    for number in range(2000):
        store[(f"{number:05d}", 0)] = b"x" * 100
    assert dayrows.shared_store().currsize <= 0.05 * 1024 * 1024
    assert store.get(("01999", 0)) == b"x" * 100
    assert store.get(("00000", 0)) is None  # the least recently used went first


def test_every_snapshot_shares_the_one_encoded_bound(dataset, settings):
    settings.ENCODED_CACHE_MB = 0.05  # 52 KB for all of them, however many releases a reader walks
    reading.forget()
    current = reading.current()
    other = snapshot.build(current.version)  # another snapshot, as a release's would be
    kind = ("csv", "http://testserver/")
    stores = [current.encoded(kind), other.encoded(kind)]
    for number in range(600):
        for store in stores:
            store[(f"{number:05d}", 0)] = b"x" * 100
    assert dayrows.shared_store().currsize <= 0.05 * 1024 * 1024
    # Each snapshot's lines are its own: the same key holds each one's value.
    stores[0][("k", 0)], stores[1][("k", 0)] = b"first", b"second"
    assert (stores[0].get(("k", 0)), stores[1].get(("k", 0))) == (b"first", b"second")


def test_the_encoded_bound_counts_what_an_entry_really_holds(dataset, settings):
    """Each line is counted with what keeping it costs (its key, and the store's three dict entries), measured:
    the worst case is one line per request (a county's API answer), whose key holds its own copy of the site
    address. Short CSV lines are mostly overhead, so an undercount there let the store hold more than its share."""
    import gc
    import tracemalloc

    settings.ENCODED_CACHE_MB = 64  # nothing goes out while measuring
    reading.forget()
    current = reading.current()
    era = datetime.date(2008, 10, 1)
    dayrows.shared_store().clear()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in range(3000):
            # As jurisdictions/api.py does per request: a new site string, a new kind, a new view of the store.
            site = "".join(["http://", "testserver", "/"])
            body = f'"{number:05d}",1,Active,2009-01-01'.encode()
            current.encoded(("csv", site))[(f"{number:05d}", number % 7, era)] = body
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    counted = dayrows.shared_store().currsize
    assert len(dayrows.shared_store()) == 3000
    assert held <= counted, f"held {held / 3000:.0f} B an entry, counted {counted / 3000:.0f}"


def test_the_allocator_gives_freed_memory_back_every_so_many_requests(client, dataset, settings, monkeypatch):
    import itertools

    from common import trim

    calls = []
    monkeypatch.setattr(trim, "malloc_trim", calls.append)
    monkeypatch.setattr(trim, "_requests", itertools.count(1))  # this test's requests alone
    monkeypatch.setattr(trim, "_last", [float("-inf")])
    monkeypatch.setattr(trim, "MIN_SECONDS", 0)
    settings.MALLOC_TRIM_REQUESTS = 3
    for _ in range(6):
        client.get("/healthz")
    assert calls == [0, 0]
    # At most once a MIN_SECONDS, however many requests: the last trim was just now.
    monkeypatch.setattr(trim, "MIN_SECONDS", 3600)
    for _ in range(6):
        client.get("/healthz")
    assert calls == [0, 0]
    monkeypatch.setattr(trim, "MIN_SECONDS", 0)
    settings.MALLOC_TRIM_REQUESTS = 0  # never
    for _ in range(6):
        client.get("/healthz")
    assert calls == [0, 0]


def test_the_trim_is_glibcs_on_linux():
    import sys

    from common import trim

    if sys.platform.startswith("linux"):
        assert trim.malloc_trim is not None
        assert trim.malloc_trim(0) in (0, 1)
