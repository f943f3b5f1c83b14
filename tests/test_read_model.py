"""The read model: a data version that every write moves in its own transaction, one snapshot per version, and
HTTP caching through Django's conditional responses (ARCHITECTURE.md, points 2 to 5)."""

import math
import tempfile
import threading
import time

import pytest
from django.db import connection, connections, transaction

from agreements.models import Agreement
from common import reading
from jurisdictions.models import Jurisdiction, Source, StatusChange
from tests.factories import make_jurisdiction, make_source, make_status_change

API = "/api/v1/"


def _version():
    return reading.read_version().number


# --- the data version ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda: make_source(title="A new report"), id="create"),
        pytest.param(
            lambda: Source.objects.filter(key="asad-baer-bositis-2025").update(note="x"), id="queryset update"
        ),
        pytest.param(lambda: Jurisdiction.objects.filter(fips="48201").update(name="Harris"), id="unit update"),
        pytest.param(lambda: StatusChange.objects.filter(jurisdiction="48201").delete(), id="delete"),
        pytest.param(lambda: Agreement.objects.get(state="IL").sources.add(make_source()), id="m2m link"),
        pytest.param(lambda: Agreement.objects.get(state="IL").sources.clear(), id="m2m clear"),
        pytest.param(
            lambda: Source.objects.bulk_create([Source(title=f"Bulk {n}") for n in range(3)]), id="bulk create"
        ),
        pytest.param(
            lambda: connection.cursor().execute("UPDATE jurisdictions_state SET name = name || '' WHERE postal = 'TX'"),
            id="raw SQL",
        ),
    ],
)
def test_every_write_moves_the_version_in_its_own_transaction(dataset, write):
    before = reading.read_version()
    with transaction.atomic():
        write()
        inside = reading.read_version()
        assert inside.number > before.number
        transaction.set_rollback(True)
    # Rolled back with the write: the version moves only with data that exists.
    assert reading.read_version() == before


@pytest.mark.django_db
def test_the_snapshot_is_rebuilt_for_a_new_version_and_only_then(dataset, django_assert_num_queries):
    first = reading.current()
    with django_assert_num_queries(1):
        assert reading.current() is first
    make_source(title="A report the snapshot must show")
    second = reading.current()
    assert second is not first and second.version.number > first.version.number
    assert any(source.title == "A report the snapshot must show" for source in second.sources.values())


@pytest.mark.django_db(transaction=True)
def test_a_write_that_commits_late_still_moves_the_version(live_dataset):
    """Writer A takes a version number, writer B waits for A (the counter's row lock), and each commit is seen
    by readers in order: no commit is ever hidden behind a newer one."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: SQLite's test database (shared-cache memory) refuses, not waits")
    start = _version()
    a_wrote, a_may_commit, b_done = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def writer_a():
        try:
            with transaction.atomic():
                make_source(title="Written first, committed late", url="https://example.org/late/a")
                a_wrote.set()
                a_may_commit.wait(10)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    def writer_b():
        try:
            a_wrote.wait(10)
            with transaction.atomic():
                make_source(title="Written second", url="https://example.org/late/b")
            b_done.set()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    assert a_wrote.wait(10)
    time.sleep(0.3)
    # A has not committed: readers see the old version, whatever B is doing.
    assert _version() == start
    a_may_commit.set()
    for thread in threads:
        thread.join(20)
    assert not errors and b_done.is_set()
    assert _version() == start + 2
    titles = {source.title for source in reading.current().sources.values()}
    assert {"Written first, committed late", "Written second"} <= titles


# --- conditional GET -------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/jurisdictions/48201/", "/states/TX/", API + "jurisdictions/48201/", API + "stats/"]
)
def test_an_unchanged_answer_is_a_304_and_an_edit_changes_its_etag(client, dataset, url):
    first = client.get(url)
    assert first.status_code == 200
    # Pages are revalidated on every visit (an editor sees a change at once); API answers may be reused a minute.
    assert first["Cache-Control"] == ("public, max-age=60" if url.startswith(API) else "public, no-cache")
    assert "Accept" in first["Vary"] or "Accept-Encoding" in first["Vary"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    Jurisdiction.objects.filter(fips="48201").update(name="Harris County (edited)")
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]


@pytest.mark.django_db
def test_if_modified_since_never_hides_a_second_edit_in_the_same_second(client, dataset):
    url = API + "jurisdictions/48201/?as_of=2011-08-05"
    make_source(title="First edit")
    first = client.get(url)
    # Within the second of the last edit, no Last-Modified is sent: a date would be ambiguous.
    if math.ceil(reading.read_version().changed_at.timestamp()) > time.time():
        assert "Last-Modified" not in first
    time.sleep(1.1)
    settled = client.get(url)
    stamp = settled["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=stamp).status_code == 304
    Jurisdiction.objects.filter(fips="48201").update(name="Harris County (second edit)")
    after = client.get(url, HTTP_IF_MODIFIED_SINCE=stamp)
    assert after.status_code == 200 and after.json()["name"] == "Harris County (second edit)"


@pytest.mark.django_db
def test_an_answer_for_today_is_modified_no_earlier_than_the_day_began(client, dataset, settings):
    """A scheduled change takes effect at midnight (US) with no edit: an answer for today cannot be older."""
    from common.dates import us_midnight, us_today

    time.sleep(1.1)  # past the second of the last write, so that a Last-Modified is sent
    answer = client.get(API + "stats/")
    began = int(us_midnight(us_today()).timestamp())
    from django.utils.http import parse_http_date

    assert parse_http_date(answer["Last-Modified"]) >= began
    dated = client.get(API + "stats/?as_of=2011-08-05")
    assert parse_http_date(dated["Last-Modified"]) <= parse_http_date(answer["Last-Modified"])


# --- answers that follow the data --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_use_my_location_outlines_follow_an_edit(client, dataset):
    before = client.get("/map/counties-wgs84.json").json()
    assert before["48201"][0] == "Harris County, Texas"
    Jurisdiction.objects.filter(fips="48201").update(name="Harris County (renamed)")
    after = client.get("/map/counties-wgs84.json").json()
    assert after["48201"][0] == "Harris County (renamed), Texas"


@pytest.mark.django_db
def test_a_full_download_never_touches_the_disk(client, dataset, monkeypatch, tmp_path):
    """Downloads stream from the snapshot: no export folder, so a full or missing disk cannot truncate one."""
    missing = tmp_path / "no-such-folder"
    monkeypatch.setattr(tempfile, "tempdir", str(missing))
    response = client.get(API + "jurisdictions/?format=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200 and len(body.splitlines()) == 3144
    assert not missing.exists()


# --- filters: one FilterSet for page and API ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "repeated, comma",
    [
        ("state=TX&state=CA", "state=TX,CA"),
        ("status=activated&status=scheduled", "status=activated,scheduled"),
        ("kind=parish&kind=borough", "kind=parish,borough"),
        ("fips=48201&fips=06037&fips=17031", "fips=48201,06037,17031"),
    ],
)
def test_repeated_and_comma_separated_values_mean_the_same_on_page_and_api(client, dataset, repeated, comma):
    api_counts = {
        client.get(f"{API}jurisdictions/?{query}&as_of=2011-08-05").json()["count"] for query in (repeated, comma)
    }
    assert len(api_counts) == 1
    count = api_counts.pop()
    assert count > 0
    for query in (repeated, comma):
        page = client.get(f"/jurisdictions/?{query}&as_of=2011-08-05").content.decode()
        assert f"{count:,} jurisdiction" in page, query


@pytest.mark.django_db
def test_the_states_list_twice_gives_both_states_on_the_page(client, dataset):
    page = client.get("/jurisdictions/?state=TX&state=CA").content.decode()
    assert "312 jurisdictions match" in page


# --- the changes feed ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_changed_fields_do_not_depend_on_the_page_size(client, dataset):
    start = client.get(API + "changes/?limit=500")
    cursor = start.json()["next"]
    while start.json()["more"]:
        start = client.get(f"{API}changes/?since={cursor}&limit=500")
        cursor = start.json()["next"]
    unit = make_jurisdiction(fips="48997", name="Paging County")
    unit.name = "Paging County (renamed)"
    unit.save()
    unit.change_note = "A note"
    unit.save()
    make_status_change(unit)
    seen = {}
    for limit in range(1, 6):
        results, since = [], cursor
        while True:
            answer = client.get(f"{API}changes/?since={since}&limit={limit}").json()
            results += answer["results"]
            since = answer["next"]
            if not answer["more"]:
                break
        seen[limit] = [(row["type"], row["action"], row["changed_fields"]) for row in results]
    assert all(value == seen[1] for value in seen.values()), seen
    updates = [fields for kind, action, fields in seen[1] if kind == "jurisdiction" and action == "update"]
    assert updates == [["name"], ["change_note"]]
