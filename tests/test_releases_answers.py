"""`?release=rN` answers that never change: the same bytes and ETags after edits, the day they hold, clear
errors, one row read per answer, and the bounded cache of release snapshots."""

import pytest

from common import reading
from releases.models import Release
from releases.services import release_publish
from tests.releases_helpers import edit_public_data, response_bytes

# --- answers for a release ------------------------------------------------------------------------------------

STABLE_URLS = [
    "/jurisdictions/?state=TX&release=r1",
    "/jurisdictions/48201/?release=r1",
    "/states/IL/?as_of=2011-08-05&release=r1",
    "/api/v1/jurisdictions/?state=TX&release=r1",
    "/api/v1/jurisdictions/48201/?release=r1",
    "/api/v1/stats/?release=r1",
    "/api/v1/stats/?as_of=2011-08-05&release=r1",
    "/api/v1/jurisdictions/?format=csv&release=r1",
]


def _answers(client, urls):
    answers = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        answers[url] = (response_bytes(response), response["ETag"], response["Cache-Control"])
    return answers


def test_release_answers_and_their_etags_are_the_same_after_ten_edits(client, dataset, releases_dir, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "bulk": None}}
    before = _answers(client, STABLE_URLS)
    live_before = response_bytes(client.get("/api/v1/jurisdictions/48201/"))
    for number in range(10):
        edit_public_data(number)
    # A later process: nothing held in memory.
    reading.forget()
    reading.forget_releases()
    after = _answers(client, STABLE_URLS)
    for url in STABLE_URLS:
        body_before, etag_before, cache_before = before[url]
        body_after, etag_after, cache_after = after[url]
        assert etag_after == etag_before, url
        assert cache_after == cache_before == "public, max-age=86400"
        assert body_after == body_before, url
    # The edits were real: the current answer moved.
    assert response_bytes(client.get("/api/v1/jurisdictions/48201/")) != live_before


def test_a_release_answer_is_a_304_with_its_etag(client, dataset, releases_dir):
    first = client.get("/api/v1/stats/?release=r1")
    again = client.get("/api/v1/stats/?release=r1", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    page = client.get("/states/IL/?release=r1")
    assert client.get("/states/IL/?release=r1", HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304


def test_a_release_answer_without_as_of_is_for_the_day_it_was_published(client, dataset, releases_dir):
    r1 = Release.objects.get(number=1)
    assert client.get("/api/v1/stats/?release=r1").json()["as_of"] == r1.day.isoformat()
    page = client.get("/jurisdictions/?release=r1").content.decode()
    assert 'id="release-banner"' in page
    assert "release <strong>r1</strong>" in page
    assert "it answers for the day it was published" in page
    assert 'href="/jurisdictions/"' in page  # the current data


def test_release_answers_hold_what_the_release_held(client, dataset, releases_dir):
    live = client.get("/api/v1/jurisdictions/48201/?as_of=2011-08-05").json()
    edit_public_data(1)
    frozen = client.get("/api/v1/jurisdictions/48201/?as_of=2011-08-05&release=r1").json()
    assert frozen == live
    assert client.get("/api/v1/jurisdictions/48201/?as_of=2011-08-05").json() != live


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("r0", 400),
        ("r99", 404),
        ("3", 400),
        ("r1;drop", 400),
        ("r99999999999999999999", 400),
        ("R1", 400),
        ("r01", 400),
        ("", 200),  # empty, like an empty as_of: the current data
        ("r1\x00", 400),
    ],
)
@pytest.mark.parametrize("path", ["/jurisdictions/", "/api/v1/jurisdictions/", "/api/v1/stats/", "/"])
def test_a_bad_or_unknown_release_is_a_clear_error(client, dataset, releases_dir, value, status, path):
    response = client.get(path, {"release": value})
    assert response.status_code == status
    if status == 200 or "\x00" in value:
        return  # NUL: refused before any view (common/middleware.py)
    text = response.content.decode()
    assert ("There is no release r99" in text) if status == 404 else ("r and the release number" in text)


def test_a_repeated_release_is_refused(client, dataset, releases_dir):
    assert client.get("/api/v1/stats/?release=r1&release=r1").status_code == 400
    page = client.get("/jurisdictions/?release=r1&release=r2")
    assert page.status_code == 400 and "Give release once" in page.content.decode()


def test_the_changes_feed_refuses_a_release(client, dataset, releases_dir):
    response = client.get("/api/v1/changes/?release=r1")
    assert response.status_code == 400
    assert "release" in response.json()["errors"]


def test_a_release_answer_reads_one_row(client, dataset, releases_dir, django_assert_num_queries, settings, tmp_path):
    client.get("/api/v1/stats/?release=r1")  # the release's snapshot is built from its files once
    # Every answer also counts its client's allowance: an API answer under its throttle, a page under the
    # allowance of computed answers (one upsert each, common/allowances.py).
    allowance = 1
    with django_assert_num_queries(1 + allowance):
        assert client.get("/api/v1/jurisdictions/?release=r1").status_code == 200
    with django_assert_num_queries(1 + allowance):
        assert client.get("/jurisdictions/?state=TX&release=r1").status_code == 200
    reading.forget_releases()
    # Even the first answer of a release in a process: its row; the rest is read from this server's cache.
    with django_assert_num_queries(1 + allowance):
        assert client.get("/api/v1/stats/?release=r1").status_code == 200
    # On a server whose cache does not hold its data.json yet: once, the bytes from the database.
    settings.RELEASES_DIR = tmp_path / "another-server"
    reading.forget_releases()
    with django_assert_num_queries(2 + allowance):
        assert client.get("/api/v1/stats/?release=r1").status_code == 200
    with django_assert_num_queries(1 + allowance):
        assert client.get("/api/v1/stats/?release=r2").status_code == 404


def _counting_builds(monkeypatch) -> list:
    built = []
    loader = reading._release_loader

    def counted(pinned):
        built.append(pinned.number)
        return loader(pinned)

    monkeypatch.setattr(reading, "_release_loader", counted)
    return built


def test_a_release_snapshot_cache_is_bounded_least_recently_used_first(dataset, releases_dir, settings, monkeypatch):
    settings.RELEASE_SNAPSHOTS_KEPT = 2
    for n in range(2, 5):
        release_publish(note=f"Release {n}")
    built = _counting_builds(monkeypatch)
    for n in range(1, 5):
        reading.release_snapshot(n)
    assert (built, list(reading._releases)) == ([1, 2, 3, 4], [3, 4])
    # The two kept answer without a build; the one asked longest ago went first and is built again.
    reading.release_snapshot(3)
    reading.release_snapshot(4)
    reading.release_snapshot(1)
    assert (built, list(reading._releases)) == ([1, 2, 3, 4, 1], [4, 1])


def test_cycling_releases_that_fit_builds_each_once_in_a_process(dataset, releases_dir, settings, monkeypatch):
    settings.RELEASE_SNAPSHOTS_KEPT = 4
    for n in range(2, 5):
        release_publish(note=f"Release {n}")
    built = _counting_builds(monkeypatch)
    for _ in range(3):
        for n in range(1, 5):
            assert reading.release_snapshot(n)[1].number == n
    assert built == [1, 2, 3, 4]


def _unreadable(number, name, digest):
    raise reading.BadRelease(f"The files of release r{number} do not match their manifest.", status=404)


@pytest.mark.parametrize("read", [lambda number, name, digest: None, _unreadable], ids=["gone", "altered"])
@pytest.mark.parametrize(
    "path", ["/jurisdictions/48201/?release=r1", "/api/v1/jurisdictions/48201/?release=r1", "/api/v1/stats/?release=r1"]
)
def test_a_release_whose_stored_data_cannot_be_read_is_a_404(client, dataset, releases_dir, monkeypatch, read, path):
    """A restore gone wrong (the release's data.json missing, or not what its manifest says) is no release here: the
    404 with the reason, as for a number never published, not a server error, for pages and the API alike."""
    from releases import store

    real = store.read

    def patched(number, name, digest):
        return (read if name == store.DATA_FILE else real)(number, name, digest)

    monkeypatch.setattr(store, "read", patched)
    reading.forget_releases()
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 404
    assert b"r1" in response.content
