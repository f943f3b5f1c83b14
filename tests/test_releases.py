"""Numbered, immutable data releases: publishing, their files (rows in the database, cached by each server),
`?release=rN` answers that never change, the Cite box."""

import datetime
import hashlib
import io
import json
import re
from html import unescape

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import translation

from agreements.models import Agreement, AgreementStatus
from common import reading
from common.dates import local_date
from jurisdictions.models import StatusChange
from releases import services
from releases.models import Release, ReleaseFile, ReleaseIsImmutable
from releases.services import PublishError, release_publish
from tests.factories import make_agreement_change, make_source


@pytest.fixture
def releases_dir(settings, tmp_path):
    """A cache folder of this test's own, not yet made: as on a server that has served no release file yet."""
    own = tmp_path / "releases"
    settings.RELEASES_DIR = own
    reading.forget_releases()
    return own


def _stored(number: int, name: str) -> bytes:
    """A release file's bytes as the database holds them."""
    return bytes(ReleaseFile.objects.get(release__number=number, name=name).content)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _edit(number: int) -> None:
    """One real edit of public data (each moves the data version)."""
    harris = StatusChange.objects.get(jurisdiction="48201")
    harris.effective_on = datetime.date(2009, 1, 1) + datetime.timedelta(days=number)
    harris.save()


# --- publishing -----------------------------------------------------------------------------------------------


def test_the_loader_published_r1_with_files_whose_hashes_match_its_manifest(dataset):
    release = Release.objects.get()
    assert (release.number, release.public_id, release.note) == (1, "r1", services.FIRST_RELEASE_NOTE)
    stored = {file.name: file for file in ReleaseFile.objects.filter(release=release)}
    manifest = json.loads(bytes(stored["manifest.json"].content))
    assert manifest == release.manifest
    assert manifest["release"] == "r1" and manifest["previous"] is None
    assert manifest["counts"]["counted_jurisdictions"] == 3143
    assert set(manifest["files"]) == {
        "data.json",
        "changelog.json",
        "jurisdictions.csv",
        "jurisdictions.ndjson",
        "jurisdictions.geojson",
        "states.csv",
        "agreements.csv",
        "events.csv",
        "sources.csv",
        "scomm.xlsx",
        "scomm.sqlite",
        "metadata.json",
        "datapackage.json",
    }
    assert sorted(stored) == sorted([*manifest["files"], "manifest.json"])
    for name, about in manifest["files"].items():
        body = bytes(stored[name].content)
        assert hashlib.sha256(body).hexdigest() == about["sha256"] == stored[name].sha256, name
        assert len(body) == about["size"] == stored[name].size
        assert stored[name].content_type == about["content_type"]
    assert release.data_sha256 == manifest["files"]["data.json"]["sha256"]


def test_a_second_load_publishes_nothing(dataset, releases_dir):
    out = io.StringIO()
    call_command("load_dataset", stdout=out)
    assert list(Release.objects.values_list("number", flat=True)) == [1]
    assert "Published" not in out.getvalue()


def test_a_fresh_load_publishes_r1(dataset, releases_dir):
    # As on a fresh install: an empty database (flush empties it, releases included), then the loader.
    call_command("flush", interactive=False, verbosity=0)
    assert not Release.objects.exists() and not ReleaseFile.objects.exists()
    out = io.StringIO()
    call_command("load_dataset", stdout=out)
    assert "Published the first release, r1" in out.getvalue()
    assert Release.objects.get().note == services.FIRST_RELEASE_NOTE


def test_the_release_files_are_the_apis_full_exports_for_that_release(client, dataset, releases_dir, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "bulk": None}}
    host = settings.SITE_URL.split("://", 1)[1]
    for name, fmt in [
        ("jurisdictions.csv", "csv"),
        ("jurisdictions.ndjson", "ndjson"),
        ("jurisdictions.geojson", "geojson"),
    ]:
        answer = client.get(f"/api/v1/jurisdictions/?format={fmt}&release=r1", HTTP_HOST=host)
        assert answer.status_code == 200
        assert _body(answer) == _stored(1, name), name


def test_publishing_needs_a_note(dataset, releases_dir):
    with pytest.raises(PublishError):
        release_publish(note="  ")
    assert Release.objects.count() == 1


def test_publish_release_command_publishes_the_next_number(dataset, releases_dir):
    out = io.StringIO()
    call_command("publish_release", "--note", "After the Illinois correction", stdout=out)
    assert "Published r2" in out.getvalue()
    release = Release.objects.get(number=2)
    assert release.manifest["previous"] == "r1"
    assert json.loads(_stored(2, "manifest.json")) == release.manifest


def test_the_changelog_against_the_previous_release_lists_real_edits(client, dataset, releases_dir):
    harris = StatusChange.objects.get(jurisdiction="48201")
    before = harris.effective_on
    harris.effective_on = datetime.date(2009, 6, 30)
    harris.save()
    illinois = Agreement.objects.filter(state="IL").first()
    source = make_source(title="A new letter", url="https://example.org/new-letter")
    make_agreement_change(
        illinois, status=AgreementStatus.SUSPENDED, effective_on=datetime.date(2011, 5, 5), source=source
    )

    r2 = release_publish(note="Harris date corrected; Illinois suspension")
    log = json.loads(_stored(2, "changelog.json"))
    assert log["previous"] == "r1"
    [harris_log] = [unit for unit in log["units_changed"] if unit["fips"] == "48201"]
    assert len(log["units_changed"]) == 1
    assert harris_log["before"][0]["effective_on"] == before.isoformat()
    assert harris_log["after"][0]["effective_on"] == "2009-06-30"
    [changed] = log["agreements_changed"]
    assert changed["id"] == illinois.pk and "statuses" in changed["fields"]
    assert {"status": "suspended", "effective_on": "2011-05-05", "precision": "day", "source_id": source.pk} in changed[
        "after"
    ]["statuses"]
    assert [added["id"] for added in log["sources_added"]] == [source.pk]
    assert log["agreements_added"] == [] and log["events_added"] == []

    page = client.get(r2.get_absolute_url())
    assert page.status_code == 200
    text = unescape(page.content.decode())
    assert "Harris County" in text and "2009-06-30" in text and "A new letter" in text
    api = client.get("/api/v1/releases/r2/").json()
    assert api["changelog"] == log
    assert api["previous"] == "r1"


# --- immutability and atomicity ------------------------------------------------------------------------------


def test_a_release_cannot_be_changed_or_deleted_through_the_model(dataset):
    data = ReleaseFile.objects.get(release__number=1, name="data.json")
    data.content = b"{}"
    with pytest.raises(ReleaseIsImmutable):
        data.save()
    with pytest.raises(ReleaseIsImmutable):
        data.delete()
    with pytest.raises(ReleaseIsImmutable):
        ReleaseFile.objects.filter(release__number=1).update(content=b"{}")
    with pytest.raises(ReleaseIsImmutable):
        ReleaseFile.objects.all().delete()
    release = Release.objects.get(number=1)
    release.note = "Rewritten"
    with pytest.raises(ReleaseIsImmutable):
        release.save()
    with pytest.raises(ReleaseIsImmutable):
        release.delete()
    with pytest.raises(ReleaseIsImmutable):
        Release.objects.filter(number=1).update(note="Rewritten")
    with pytest.raises(ReleaseIsImmutable):
        Release.objects.all().delete()
    assert Release.objects.get(number=1).note == services.FIRST_RELEASE_NOTE


def test_two_releases_cannot_share_a_number(dataset):
    r1 = Release.objects.get(number=1)
    with pytest.raises(IntegrityError):
        Release.objects.create(
            number=1,
            data_version=r1.data_version,
            published_at=r1.published_at,
            note="again",
            data_sha256=r1.data_sha256,
            manifest={},
        )


def test_the_admin_publishes_but_never_changes_or_deletes_even_for_a_superuser(
    client, dataset, releases_dir, django_user_model
):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    client.force_login(admin)
    change = client.get("/admin/releases/release/1/change/")
    assert change.status_code == 200  # shown read-only
    assert b'name="_save"' not in change.content
    assert client.post("/admin/releases/release/1/change/", {"note": "Rewritten"}).status_code == 403
    assert client.get("/admin/releases/release/1/delete/").status_code == 403
    assert client.post("/admin/releases/release/1/delete/", {"post": "yes"}).status_code == 403
    listing = client.get("/admin/releases/release/")
    assert b"delete_selected" not in listing.content
    added = client.post("/admin/releases/release/add/", {"note": "Published from the admin"})
    assert added.status_code == 302
    r2 = Release.objects.get(number=2)
    assert (r2.note, r2.published_by) == ("Published from the admin", admin)
    assert Release.objects.get(number=1).note == services.FIRST_RELEASE_NOTE


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
        answers[url] = (_body(response), response["ETag"], response["Cache-Control"])
    return answers


def test_release_answers_and_their_etags_are_the_same_after_ten_edits(client, dataset, releases_dir, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "bulk": None}}
    before = _answers(client, STABLE_URLS)
    live_before = _body(client.get("/api/v1/jurisdictions/48201/"))
    for number in range(10):
        _edit(number)
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
    assert _body(client.get("/api/v1/jurisdictions/48201/")) != live_before


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
    _edit(1)
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
    # An API answer also counts its client's allowance (one upsert, common/allowances.py); a page does not.
    allowance = 1
    with django_assert_num_queries(1 + allowance):
        assert client.get("/api/v1/jurisdictions/?release=r1").status_code == 200
    with django_assert_num_queries(1):
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


# --- pages, files and API of the releases ---------------------------------------------------------------------


def test_the_releases_page_and_api_list_them(client, dataset, releases_dir):
    release_publish(note="Second <b>release</b>")
    page = client.get("/releases/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'href="/releases/r2/"' in text and 'href="/releases/r1/"' in text
    assert "Second &lt;b&gt;release&lt;/b&gt;" in text
    api = client.get("/api/v1/releases/").json()
    assert [row["id"] for row in api["results"]] == ["r2", "r1"]


def test_the_api_gives_a_releases_manifest_and_file_urls(client, dataset):
    r1 = Release.objects.get(number=1)
    body = client.get("/api/v1/releases/r1/").json()
    files = [{**file, "url": f"http://testserver/releases/r1/{file['name']}"} for file in r1.files]
    assert body == {
        "id": "r1",
        "number": 1,
        "note": services.FIRST_RELEASE_NOTE,
        "published_at": r1.published_at.isoformat().replace("+00:00", "Z"),
        "day": r1.day.isoformat(),
        "data_version": r1.data_version,
        "previous": None,
        "counts": r1.manifest["counts"],
        "files": files,
        "manifest_url": "http://testserver/releases/r1/manifest.json",
        "page_url": "http://testserver/releases/r1/",
        "url": "http://testserver/api/v1/releases/r1/",
        "changelog": json.loads(_stored(1, "changelog.json")),
    }
    assert client.get("/api/v1/releases/r9/").status_code == 404
    assert client.get("/api/v1/releases/1/").status_code == 404
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/releases/" in schema["paths"] and "/api/v1/releases/{number}/" in schema["paths"]


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("jurisdictions.csv", "text/csv; charset=utf-8"),
        ("jurisdictions.ndjson", "application/x-ndjson; charset=utf-8"),
        ("jurisdictions.geojson", "application/geo+json"),
        ("manifest.json", "application/json"),
        ("changelog.json", "application/json"),
        ("data.json", "application/json"),
    ],
)
def test_release_files_are_served_with_their_type(client, dataset, releases_dir, name, content_type):
    for _cache in ("cold", "warm"):
        response = client.get(f"/releases/r1/{name}")
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert _body(response) == _stored(1, name)
    assert "immutable" in response["Cache-Control"]


@pytest.mark.parametrize(
    "url",
    [
        "/releases/r1/nothing.csv",
        "/releases/r1/..%2Fr1%2Fdata.json",
        "/releases/r2/data.json",
        "/releases/r01/",
        "/releases/r0/",
        "/releases/r99999999999999999999/",
    ],
)
def test_unknown_release_addresses_are_404(client, dataset, url):
    assert client.get(url).status_code == 404


def test_the_release_page_shows_files_with_size_and_hash(client, dataset):
    r1 = Release.objects.get(number=1)
    text = client.get("/releases/r1/").content.decode()
    for file in r1.files:
        assert f'href="/releases/r1/{file["name"]}"' in text
        assert file["sha256"] in text
    assert "The first release" in text
    assert "release=r1" in text


# --- the Cite box --------------------------------------------------------------------------------------------


def _cite_url(html: str) -> str:
    return unescape(re.search(r'<a class="cite-url" href="([^"]+)"', html).group(1))


def test_the_cite_box_cites_the_page_with_its_filters_as_of_and_release(client, dataset):
    html = client.get("/jurisdictions/?state=TX&status=activated&as_of=2011-08-05").content.decode()
    assert "Cite this" in html
    url = _cite_url(html)
    assert url == "http://testserver/jurisdictions/?state=TX&status=activated&as_of=2011-08-05&release=r1"
    for form in ("APA", "Chicago", "BibTeX"):
        assert f"<summary>{form}</summary>" in html
    apa = unescape(re.search(r'data-cite="apa">(.*?)</pre>', html, re.S).group(1))
    assert apa.startswith("Secure Communities tracker. (")
    assert "Release r1, data as of 2011-08-05" in apa and url in apa and "Retrieved" in apa
    bibtex = unescape(re.search(r'data-cite="bibtex">(.*?)</pre>', html, re.S).group(1))
    assert bibtex.startswith("@misc{scomm_r1_20110805,") and "version = {r1}" in bibtex
    # The cited address answers (the same release, the same filters and day).
    assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_a_release_pages_cite_box_leaves_the_access_date_to_the_browser(client, dataset, releases_dir):
    from common.dates import us_today

    html = client.get("/states/IL/?release=r1").content.decode()
    apa = unescape(re.search(r'data-cite="apa">(.*?)</pre>', html, re.S).group(1))
    assert "Retrieved [date accessed], from" in apa
    assert 'data-accessed-placeholder="[date accessed]"' in html
    assert "/static/js/cite.js" in html
    assert "Accessed " + us_today().strftime("%B %-d, %Y") not in html
    assert "Accessed [date accessed]" in html


def test_the_cite_box_without_as_of_cites_the_day_shown(client, dataset):
    from common.dates import us_today

    html = client.get("/states/IL/").content.decode()
    assert _cite_url(html) == f"http://testserver/states/IL/?as_of={us_today().isoformat()}&release=r1"


def test_the_cite_box_on_a_release_page_cites_that_release(client, dataset, releases_dir):
    release_publish(note="Second")
    html = client.get("/jurisdictions/48201/?release=r1").content.decode()
    r1 = Release.objects.get(number=1)
    assert _cite_url(html) == f"http://testserver/jurisdictions/48201/?as_of={r1.day.isoformat()}&release=r1"
    html = client.get("/jurisdictions/48201/").content.decode()
    assert "&amp;release=r2" in html


def test_the_cite_box_says_when_the_data_moved_after_the_release(client, dataset):
    assert "The data has changed since r1" not in client.get("/about/").content.decode()
    _edit(1)
    assert "The data has changed since r1" in client.get("/about/").content.decode()


def test_the_api_docs_have_the_cite_box_and_the_releases_section(client, dataset):
    html = client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert 'id="releases"' in html and "stats/?as_of=2011-08-05&amp;release=r1" in html
    assert _cite_url(html).startswith("http://testserver/api/v1/?as_of=")
    assert _cite_url(html).endswith("&release=r1")


def test_the_release_page_is_the_same_every_day(client, dataset):
    text = client.get("/releases/r1/").content.decode()
    assert "Accessed [date accessed]" in text


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="threads need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_publishers_get_two_numbers_on_postgresql(settings, tmp_path):
    import threading

    from django.db import connection

    settings.RELEASES_DIR = tmp_path / "releases"
    call_command("load_dataset", verbosity=0)  # after another transactional test emptied the tables; else nothing
    start = Release.objects.order_by("-number").first().number
    barrier, numbers, errors = threading.Barrier(2), [], []

    def publish(n):
        try:
            barrier.wait()
            numbers.append(release_publish(note=f"Publisher {n}").number)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [start + 1, start + 2]
    for number in numbers:
        manifest = json.loads(_stored(number, "manifest.json"))
        assert manifest["release"] == f"r{number}" and manifest["previous"] == f"r{number - 1}"


def test_the_sitemap_and_downloads_page_point_to_the_releases(client, dataset):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/releases/</loc>" in sitemap and "http://testserver/releases/r1/</loc>" in sitemap
    downloads = client.get("/downloads/").content.decode()
    assert 'href="/releases/"' in downloads and "release=r1" in downloads


def test_the_schema_documents_the_release_parameter(client, dataset):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]

    def names(path):
        return {parameter["name"] for parameter in paths[path]["get"].get("parameters", [])}

    for path in ["/api/v1/jurisdictions/", "/api/v1/jurisdictions/{fips}/", "/api/v1/stats/", "/api/v1/states/"]:
        assert "release" in names(path), path
    assert "release" not in names("/api/v1/changes/")


@pytest.mark.parametrize(
    ("url", "queries", "first_on_a_server"),
    [
        ("/releases/", 1, 1),
        # The page and the API detail show the changelog, and the file is a file: their bytes are read from the
        # database once per server (one more query), then from its cache.
        ("/releases/r1/", 1, 2),
        ("/releases/r1/jurisdictions.csv", 1, 2),
        # The API also counts its client's allowance: one upsert (common/allowances.py).
        ("/api/v1/releases/", 3, 3),  # the count for pagination, then the page
        ("/api/v1/releases/r1/", 2, 3),
    ],
)
def test_the_releases_pages_run_a_fixed_number_of_queries(
    client, dataset, releases_dir, django_assert_num_queries, url, queries, first_on_a_server
):
    with django_assert_num_queries(first_on_a_server):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


def test_the_cite_box_on_a_spanish_page_writes_dates_the_spanish_way(client, dataset):
    from common.dates import real_today

    with translation.override("es"):
        today = local_date(real_today(), "long")
        published = local_date(Release.objects.get(number=1).day, "long")
    html = client.get("/es/jurisdictions/48201/").content.decode()
    apa = unescape(re.search(r'data-cite="apa">(.*?)</pre>', html, re.S).group(1))
    assert f"Recuperado el {today}, de http://testserver/es/jurisdictions/48201/" in apa
    # The title is the page's, without the site's name (in either language).
    assert "Harris County, Texas (" in apa and "Rastreador" not in apa
    chicago = unescape(re.search(r'data-cite="chicago">(.*?)</pre>', html, re.S).group(1))
    assert f"Publicado el {published}." in chicago and f"Consultado el {today}." in chicago
    bibtex = unescape(re.search(r'data-cite="bibtex">(.*?)</pre>', html, re.S).group(1))
    assert "Consultado el " in bibtex and "Accessed" not in bibtex
    assert f"(publicada el {published})" in html
