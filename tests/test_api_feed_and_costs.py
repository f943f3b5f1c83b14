"""The public API v1, continued: the changes feed, fixed query counts, and the JSON renderer's bytes."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement
from jurisdictions.models import Jurisdiction
from tests.factories import SNAPSHOT_BUILD_QUERIES, make_jurisdiction, make_source
from tests.test_api import API, BASE, _body, _csv_rows

pytestmark = pytest.mark.django_db


# --- changes feed ------------------------------------------------------------------------------------------


def _drain(client, since=""):
    results = []
    while True:
        page = client.get(f"{API}changes/?since={since}&limit=500").json()
        results += page["results"]
        since = page["next"]
        if not page["more"]:
            return results, since


def test_changes_feed_shows_edits_and_deletes_since_a_cursor(client, dataset):
    _, cursor = _drain(client)
    assert client.get(f"{API}changes/?since={cursor}").json()["results"] == []

    source = make_source(title="A new report")
    unit = make_jurisdiction(fips="48999", name="Test County")
    unit.name = "Renamed County"
    unit.save()
    unit.delete()

    results = client.get(f"{API}changes/?since={cursor}").json()["results"]
    summary = [(row["type"], str(row["id"]), row["action"]) for row in results]
    assert summary == [
        ("source", str(source.pk), "create"),
        ("jurisdiction", "48999", "create"),
        ("jurisdiction", "48999", "update"),
        ("jurisdiction", "48999", "delete"),
    ]
    update = results[2]
    assert update["changed_fields"] == ["name"]
    assert update["fields"]["name"] == "Renamed County"
    # A deletion names what a mirror must delete: its public id, and the fields it had.
    assert results[3]["key"] == {"fips": "48999"} and results[3]["fields"]["name"] == "Renamed County"
    assert results[3]["url"] is None
    assert results[1]["url"] == f"{BASE}{API}jurisdictions/48999/"


def test_changes_feed_shows_changed_links_to_sources(client, dataset):
    _, cursor = _drain(client)
    agreement = Agreement.objects.get(state="IL")
    before = sorted(agreement.sources.values_list("pk", flat=True))
    source = make_source(title="A letter")
    agreement.sources.add(source)
    update = client.get(f"{API}changes/?since={cursor}").json()["results"][-1]
    assert (update["type"], update["id"], update["action"]) == ("agreement", agreement.pk, "update")
    assert update["changed_fields"] == ["sources"]
    assert update["fields"]["sources"] == sorted([*before, source.pk])


def test_changes_feed_from_the_start_covers_the_initial_load(client, dataset):
    first = client.get(f"{API}changes/?limit=500").json()
    assert first["more"] is True and len(first["results"]) == 500
    second = client.get(f"{API}changes/?since={first['next']}&limit=500").json()
    keys = {(row["type"], row["id"], row["time"]) for row in first["results"]}
    assert not keys & {(row["type"], row["id"], row["time"]) for row in second["results"]}


# --- fixed number of queries -------------------------------------------------------------------------------

# The first answer of a data version builds the snapshot; every later answer of that version reads the data
# version only (tests/factories.py says which queries).
SNAPSHOT_BUILD = SNAPSHOT_BUILD_QUERIES
# A computed API answer also counts its client's allowance where every worker sees it: one upsert in the
# database without Redis (common/allowances.py). A repeat answered from a kept copy counts nothing.
ALLOWANCE = 1


@pytest.mark.parametrize(
    "url",
    [
        "jurisdictions/?page_size=10",
        "jurisdictions/?page_size=1000",
        "jurisdictions/?state=AK&include=successors",
        "jurisdictions/?page_size=1000&state=TX,CA&q=san",
        "jurisdictions/48201/",
        "jurisdictions/?format=csv",
        "jurisdictions/?format=ndjson",
        "jurisdictions/?format=geojson",
        "states/",
        "states/TX/",
        "agreements/",
        "agreements/?status=rescinded",
        "events/",
        "sources/",
        "stats/",
    ],
)
def test_query_count_is_fixed(client, dataset, django_assert_num_queries, url):
    with django_assert_num_queries(SNAPSHOT_BUILD + ALLOWANCE):
        response = client.get(API + url)
        _body(response)
    assert response.status_code == 200
    # Another day, another filter value or page: the snapshot answers, only the data version is read (and the
    # allowance counted).
    separator = "&" if "?" in url else "?"
    for extra in ["as_of=2011-08-05", "as_of=2015-06-01&page=1"]:
        with django_assert_num_queries(1 + ALLOWANCE):
            response = client.get(API + url + separator + extra)
            _body(response)
        assert response.status_code == 200


@pytest.mark.parametrize("url", ["changes/?limit=100", "changes/?limit=500"])
def test_the_changes_feed_reads_the_edit_history_in_a_fixed_number_of_queries(
    client, dataset, django_assert_max_num_queries, url
):
    client.get(API + "stats/")  # the snapshot is built
    # version, one per history table, + the m2m links of the kinds on the page (at most 3 more), + the allowance
    with django_assert_max_num_queries(9 + ALLOWANCE):
        assert client.get(API + url).status_code == 200


def test_other_pages_and_formats_of_the_same_question_reuse_its_matching_codes(
    client, dataset, django_assert_num_queries
):
    first = client.get(API + "jurisdictions/?state=TX&status=activated&as_of=2011-08-05&page_size=100").json()
    with django_assert_num_queries(1 + ALLOWANCE):  # the data version and the allowance only
        second = client.get(API + "jurisdictions/?page=2&as_of=2011-08-05&status=activated&state=TX&page_size=100")
    second = second.json()
    assert second["count"] == first["count"] > 100
    assert not {row["fips"] for row in first["results"]} & {row["fips"] for row in second["results"]}
    assert {row["state"] for row in first["results"] + second["results"]} == {"TX"}
    with django_assert_num_queries(1 + ALLOWANCE):
        rows = _csv_rows(client.get(API + "jurisdictions/?state=TX&status=activated&as_of=2011-08-05&format=csv"))
    assert len(rows) == first["count"]
    # Different values are a different question.
    other = client.get(API + "jurisdictions/?state=CA&status=activated&as_of=2011-08-05&page_size=100").json()
    assert {row["state"] for row in other["results"]} == {"CA"}
    assert other["count"] != first["count"]


@pytest.mark.parametrize("url", ["jurisdictions/?fips=48201", "stats/?as_of=2011-08-05", "jurisdictions/?format=csv"])
def test_repeat_requests_read_only_the_data_version_until_an_edit(client, dataset, django_assert_num_queries, url):
    first = _body(client.get(API + url))
    with django_assert_num_queries(1):
        assert _body(client.get(API + url)) == first
    harris = Jurisdiction.objects.get(fips="48201")
    harris.name = "Harris County (edited)"
    harris.save()
    with CaptureQueriesContext(connection) as queries:
        after = _body(client.get(API + url))
    assert len(queries) > 1
    if "stats" not in url:
        assert "Harris County (edited)" in after


# --- the JSON renderer (orjson) writes what DRF's own renderer writes --------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "jurisdictions/?page_size=1000&as_of=2011-08-05",
        "jurisdictions/?include=successors&page_size=1000",
        "jurisdictions/48201/",
        "jurisdictions/?state=ZZ",
        "states/",
        "states/TX/?as_of=2010-09-30",
        "agreements/",
        "events/",
        "sources/",
        "stats/?as_of=2011-08-05",
        "changes/?limit=500",
        "jurisdictions/?page=zzz",
    ],
)
def test_the_json_renderer_writes_the_bytes_drf_writes(client, dataset, url):
    from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

    from common.renderers import JSONRenderer

    response = client.get(API + url)
    # The answer's bytes are what DRF's own renderer writes for the same data (rows kept as pre-encoded
    # fragments included: readmodel/snapshot.py `encoded`), and so are orjson's for that data.
    data = json.loads(response.content)
    assert response.content == DRFJSONRenderer().render(data)
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)


def test_the_json_renderer_keeps_drfs_way_with_dates_separators_and_indent():
    import datetime as dt
    from decimal import Decimal

    from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

    from common.renderers import JSONRenderer

    data = {
        "when": dt.datetime(2011, 8, 5, 12, 0, tzinfo=dt.UTC),
        "day": dt.date(2011, 8, 5),
        "amount": Decimal("1.50"),
        "note": "line\u2028separator \u00e9",
        1: [None, True, 2],
    }
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)
    indented = "application/json; indent=2"
    assert JSONRenderer().render(data, indented) == DRFJSONRenderer().render(data, indented)
    assert JSONRenderer().render(None) == b""


def test_rows_encoded_once_are_the_rows_the_serializer_writes(client, dataset):
    """A page built from the kept encodings equals one built afresh, for JSON and CSV, and an edit is seen."""
    from common import reading

    first = client.get(API + "jurisdictions/?state=RI&as_of=2011-08-05").content
    csv_first = _body(client.get(API + "jurisdictions/?state=RI&as_of=2011-08-05&format=csv"))
    reading.forget()  # a new snapshot: nothing kept
    assert client.get(API + "jurisdictions/?state=RI&as_of=2011-08-05&x=1").content == first
    assert _body(client.get(API + "jurisdictions/?state=RI&as_of=2011-08-05&format=csv&x=1")) == csv_first
    Jurisdiction.objects.filter(fips="44007").update(name="Providence County (edited)")
    assert b"Providence County (edited)" in client.get(API + "jurisdictions/?state=RI&as_of=2011-08-05").content
    indented = client.get(API + "jurisdictions/?state=RI&as_of=2011-08-05", HTTP_ACCEPT="application/json; indent=2")
    assert json.loads(indented.content)["results"][0]["fips"] == "44001" and b'\n  "count"' in indented.content
