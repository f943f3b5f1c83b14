"""The public API v1: contract of every list, exact objects, as-of answers, errors, ETags, limits, docs.
(The changes feed, query counts and the renderer: tests/test_api_feed_and_costs.py.)"""

import csv
import io
import json

import pytest

from agreements.models import Agreement
from jurisdictions.models import Jurisdiction, Source, Status

pytestmark = pytest.mark.django_db
API = "/api/v1/"
BASE = "http://testserver"


def _get(client, url, **headers):
    response = client.get(url, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    return response


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode("utf-8")


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_body(response).removeprefix("\ufeff"))))


# --- the contract of every list ----------------------------------------------------------------------------

# (endpoint, filters that must each narrow the default list, a field to order by)
LISTS = [
    (
        "jurisdictions/",
        [
            "state=TX",
            "state=TX,CA",
            "state=tx&state=ca",
            "status=not_activated&as_of=2011-08-05",
            "activated_after=2012-01-01",
            "activated_before=2009-06-01",
            "q=saint louis",
            "fips=48201,17031",
            "disputed=true",
            "disputed=false",
            "kind=parish",
        ],
        "activated_on",
    ),
    ("states/", ["state=TX,IL"], "fips"),
    ("agreements/", ["state=IL,NY", "status=declined", "status=in_force&as_of=2010-06-01"], "signed_on"),
    (
        "events/",
        ["state=IL", "state=US", "kind=moa_rescinded", "occurred_after=2012-01-01", "as_of=2010-01-01"],
        "kind",
    ),
    ("sources/", ["key=asad-baer-bositis-2025"], "id"),
]


@pytest.mark.parametrize("endpoint, filters, order_field", LISTS, ids=[row[0] for row in LISTS])
def test_every_list_honours_the_contract(client, dataset, endpoint, filters, order_field):
    response = client.get(API + endpoint)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "next", "previous", "results"}
    total = data["count"]
    assert total > 0 and data["previous"] is None
    assert len(data["results"]) == min(total, 100)
    for item in data["results"]:
        assert item["url"].startswith(BASE + API + endpoint)
        assert "html_url" in item

    for query in filters:
        narrowed = client.get(f"{API}{endpoint}?{query}")
        assert narrowed.status_code == 200, (query, narrowed.content)
        assert 0 < narrowed.json()["count"] < total, query

    ascending = client.get(f"{API}{endpoint}?ordering={order_field}&page_size=1000").json()["results"]
    descending = client.get(f"{API}{endpoint}?ordering=-{order_field}&page_size=1000").json()["results"]
    values = [row[order_field] for row in ascending if row[order_field] is not None]
    assert values == sorted(values)
    assert [row["url"] for row in descending] != [row["url"] for row in ascending]

    # The CSV holds every matching row (not a page), for the unfiltered list and a filtered one.
    for query in ["", filters[0]]:
        count = client.get(f"{API}{endpoint}?{query}").json()["count"]
        export = client.get(f"{API}{endpoint}?{query}&format=csv")
        assert export.status_code == 200
        assert export["Content-Type"] == "text/csv; charset=utf-8"
        assert len(_csv_rows(export)) == count


def test_pagination_is_stable_and_complete(client, dataset):
    seen = []
    url = API + "jurisdictions/?page_size=1000"
    while url:
        page = client.get(url).json()
        seen += [row["fips"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 3143


def test_successors_and_map_units_only_when_asked(client, dataset):
    assert client.get(API + "jurisdictions/").json()["count"] == 3143
    assert client.get(API + "jurisdictions/?include=successors").json()["count"] == 3150
    assert client.get(API + "jurisdictions/?on_map=true").json()["count"] == 3142
    assert client.get(API + "jurisdictions/02158/").json()["status_from"] == "02270"


# --- exact objects -----------------------------------------------------------------------------------------


def _ref(source: Source) -> dict:
    return {
        "id": source.pk,
        "title": source.label,
        "link": source.url or None,
        "url": f"{BASE}{API}sources/{source.pk}/",
    }


def test_exact_json_of_a_disputed_jurisdiction(client, dataset):
    source = _ref(Source.objects.get(key="asad-baer-bositis-2025"))
    response = client.get(API + "jurisdictions/36009/?as_of=2011-08-05")
    assert response.json() == {
        "fips": "36009",
        "name": "Cattaraugus County",
        "kind": "county",
        "state": "NY",
        "state_name": "New York",
        "status": "activated",
        "status_since": "2011-06-01",
        "activated_on": "2011-06-01",
        "disputed": True,
        "alternative_date": "2011-01-06",
        "earlier_reports": [],
        "program_status": {
            "status": "operating",
            "label": "Secure Communities in operation",
            "since": None,
            "summary": None,
            "event": None,
        },
        "in_dataset": True,
        "on_current_map": True,
        "status_from": None,
        "replaced_by": [],
        "sources": [source],
        "history": [
            {
                "date": "2011-06-01",
                "status": "activated",
                "confidence": "disputed",
                "alternative_date": "2011-01-06",
                "earlier_reports": [],
                "note": "The county dataset gives two dates for this county: its activation date, recorded here, "
                "and another in its separate month, day and year fields, shown as the disputed alternative.",
                "source": source,
            }
        ],
        "url": f"{BASE}{API}jurisdictions/36009/",
        "html_url": f"{BASE}/jurisdictions/36009/",
    }


def test_history_and_status_stop_at_as_of(client, dataset):
    before = client.get(API + "jurisdictions/36009/?as_of=2011-05-31").json()
    assert (before["status"], before["activated_on"], before["history"], before["disputed"]) == (
        "not_activated",
        None,
        [],
        False,
    )


def test_exact_json_of_a_state(client, dataset):
    illinois = Agreement.objects.get(state="IL")
    assert client.get(API + "states/IL/?as_of=2011-08-05").json() == {
        "postal": "IL",
        "fips": "17",
        "name": "Illinois",
        "activated_jurisdictions": 26,
        "total_jurisdictions": 102,
        "status_counts": {"not_activated": 76, "scheduled": 0, "activated": 26},
        "agreements": [
            {
                "id": illinois.pk,
                "state_party": "Illinois State Police",
                "signed_on": "2009-11",
                "status": "rescinded",
                "url": f"{BASE}{API}agreements/{illinois.pk}/",
            }
        ],
        "jurisdictions_url": f"{BASE}{API}jurisdictions/?state=IL",
        "url": f"{BASE}{API}states/IL/",
        "html_url": f"{BASE}/states/IL/",
    }


def test_exact_json_of_an_agreement_with_a_month_only_date(client, dataset):
    agreement = Agreement.objects.get(state="IL")
    data = client.get(f"{API}agreements/{agreement.pk}/?as_of=2010-12-31").json()
    changes = agreement.timeline
    suspended = changes[1]
    assert data == {
        "id": agreement.pk,
        "state": "IL",
        "state_name": "Illinois",
        "state_party": "Illinois State Police",
        "federal_party": "U.S. Immigration and Customs Enforcement (DHS)",
        "signed_on": "2009-11",
        "signed_precision": "month",
        "status": "suspended",
        "status_since": "2010-11-09",
        "notes": agreement.notes,
        "sources": [_ref(source) for source in agreement.sources.all()],
        "history": [
            {
                "date": "2009-11",
                "precision": "month",
                "status": "in_force",
                "note": changes[0].note,
                "event": None,
                "source": _ref(changes[0].source),
            },
            {
                "date": "2010-11-09",
                "precision": "day",
                "status": "suspended",
                "note": suspended.note,
                "event": f"{BASE}{API}events/{suspended.event_id}/",
                "source": _ref(suspended.source),
            },
        ],
        "url": f"{BASE}{API}agreements/{agreement.pk}/",
        "html_url": f"{BASE}/states/IL/#agreement-{agreement.pk}",
    }


# --- as of key dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of, jurisdictions, states",
    [("2008-10-26", 0, 0), ("2010-09-30", 661, 32), ("2011-08-05", 1475, 43), ("2013-01-22", 3143, 51)],
)
def test_as_of_answers_match_the_data_on_key_dates(client, dataset, as_of, jurisdictions, states):
    stats = client.get(f"{API}stats/?as_of={as_of}").json()
    assert stats["as_of"] == as_of
    assert stats["activated_jurisdictions"] == jurisdictions
    assert stats["states_with_activated_jurisdictions"] == states
    assert stats["total_jurisdictions"] == 3143 and stats["total_states"] == 51
    assert stats["by_status"]["activated"] == jurisdictions
    assert sum(stats["by_status"].values()) == 3143
    assert sum(row["activated"] for row in stats["by_state"]) == jurisdictions

    listed = client.get(f"{API}jurisdictions/?status=activated&as_of={as_of}&page_size=1000").json()
    assert listed["count"] == jurisdictions
    export = client.get(f"{API}jurisdictions/?status=activated&as_of={as_of}&format=csv")
    rows = _csv_rows(export)
    assert len(rows) == jurisdictions
    assert len({row["state"] for row in rows}) == states
    assert f'filename="scomm-jurisdictions-status-activated-as-of-{as_of}.csv"' in export["Content-Disposition"]


def test_csv_has_a_header_and_is_utf8(client, dataset):
    rows = _csv_rows(client.get(API + "jurisdictions/?state=NM&format=csv"))
    assert {"fips", "name", "state", "status", "activated_on", "sources", "url", "html_url"} <= set(rows[0])
    assert "history" not in rows[0]
    assert rows[0]["sources"].startswith("https://")
    sources = _body(client.get(API + "sources/?format=csv"))
    assert sources.startswith("\ufeffid,key,title,")
    assert "Vargas-Núñez" in sources


def test_ndjson_and_geojson_give_every_row(client, dataset):
    lines = _body(client.get(API + "jurisdictions/?format=ndjson")).splitlines()
    assert len(lines) == 3143
    assert json.loads(lines[0])["fips"]

    response = client.get(API + "jurisdictions/?format=geojson&as_of=2011-08-05")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(_body(response))
    assert collection["type"] == "FeatureCollection"
    # Exactly the units with a shape on today's map; the counted units without one are listed beside them.
    on_map = Jurisdiction.objects.filter(on_current_map=True).count()
    assert len(collection["features"]) == on_map == collection["counts"]["features"]
    assert all(feature["geometry"] is not None for feature in collection["features"])
    assert all(feature["properties"]["on_current_map"] for feature in collection["features"])
    stats = client.get(f"{API}stats/?as_of=2011-08-05").json()
    assert collection["counts"]["total_jurisdictions"] == stats["total_jurisdictions"]
    assert collection["counts"]["activated_jurisdictions"] == stats["activated_jurisdictions"]
    assert {entry["fips"] for entry in collection["without_shape"]} == set(
        Jurisdiction.objects.filter(on_current_map=False).values_list("fips", flat=True)
    )
    shannon = next(entry for entry in collection["without_shape"] if entry["fips"] == "46113")
    assert "Oglala Lakota County (46102)" in shannon["geometry_note"]
    oglala = next(feature for feature in collection["features"] if feature["id"] == "46102")
    assert oglala["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert oglala["properties"]["status"] == Status.ACTIVATED and oglala["properties"]["in_dataset"] is False
    harris = next(feature for feature in collection["features"] if feature["id"] == "48201")
    assert harris["properties"]["status"] == Status.ACTIVATED
    assert harris["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    lon, lat = (
        harris["geometry"]["coordinates"][0][0][0]
        if harris["geometry"]["type"] == "MultiPolygon"
        else (harris["geometry"]["coordinates"][0][0])
    )
    assert -96 < lon < -94 and 29 < lat < 31


# --- bad parameters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, param",
    [
        ("jurisdictions/?as_of=2011-13-01", "as_of"),
        ("jurisdictions/?as_of=yesterday", "as_of"),
        ("jurisdictions/?as_of=1999-01-01", "as_of"),
        ("jurisdictions/?as_of=2999-01-01", "as_of"),
        ("jurisdictions/?state=XX", "state"),
        ("jurisdictions/?state=TX,Texas", "state"),
        ("jurisdictions/?status=active", "status"),
        ("jurisdictions/?activated_after=2011-02-30", "activated_after"),
        ("jurisdictions/?activated_before=soon", "activated_before"),
        ("jurisdictions/?fips=4820", "fips"),
        ("jurisdictions/?disputed=maybe", "disputed"),
        ("jurisdictions/?on_map=perhaps", "on_map"),
        ("jurisdictions/?include=territories", "include"),
        ("jurisdictions/?kind=shire", "kind"),
        ("jurisdictions/?fips=" + ",".join(["48201"] * 501), "fips"),
        ("jurisdictions/?ordering=population", "ordering"),
        ("jurisdictions/?page_size=5000", "page_size"),
        ("jurisdictions/?page_size=ten", "page_size"),
        ("jurisdictions/?page=two", "page"),
        ("jurisdictions/48201/?as_of=2011-8-5", "as_of"),
        ("states/?state=ZZ", "state"),
        ("states/IL/?as_of=later", "as_of"),
        ("agreements/?status=signed", "status"),
        ("events/?kind=party", "kind"),
        ("events/?occurred_after=2011", "occurred_after"),
        ("stats/?as_of=2011-08-32", "as_of"),
        ("changes/?since=not-a-cursor", "since"),
        ("changes/?limit=0", "limit"),
        ("jurisdictions/?state=XX&format=csv", "state"),
        ("jurisdictions/?format=xlsx", "format"),
        ("states/?format=geojson", "format"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(client, dataset, url, param):
    response = client.get(API + url)
    assert response.status_code == 400, response.content
    errors = json.loads(_body(response))["errors"]
    assert list(errors) == [param]
    assert errors[param][0]


def test_unknown_objects_are_404(client, dataset):
    assert client.get(API + "jurisdictions/99999/").status_code == 404
    assert client.get(API + "states/ZZ/").status_code == 404
    assert client.get(API + "agreements/99999/").status_code == 404


def test_api_is_read_only(client, dataset):
    assert client.generic("POST", API + "jurisdictions/").status_code == 405
    assert client.delete(API + "jurisdictions/48201/").status_code == 405
    # With a body, refused before anything reads it.
    assert client.post(API + "jurisdictions/", {}).status_code == 413


# --- conditional GET ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["jurisdictions/?state=TX", "jurisdictions/48201/", "jurisdictions/?format=csv&state=RI", "stats/"]
)
def test_etag_gives_304_until_the_data_changes(client, dataset, url):
    first = client.get(API + url)
    etag = first["ETag"]
    assert first["Last-Modified"] and "max-age" in first["Cache-Control"]
    again = _get(client, API + url, if_none_match=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag

    harris = Jurisdiction.objects.get(fips="48201")
    harris.change_note = "edited"
    harris.save()
    changed = _get(client, API + url, if_none_match=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_etag_differs_by_query_and_format(client, dataset):
    tags = {client.get(API + url)["ETag"] for url in ["states/", "states/?state=TX", "states/?format=csv"]}
    assert len(tags) == 3


# --- limits, CORS, docs ------------------------------------------------------------------------------------


def test_anonymous_clients_are_throttled_with_retry_after(client, dataset, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "bulk": "2/min"}}
    # Each request is computed (a repeat of one query is served from the stored answer, which costs nothing; an
    # undeclared parameter is ignored, so each asks for another day).
    for number in range(3):
        assert client.get(API + f"states/?as_of=2011-0{number + 1}-01").status_code == 200
    limited = client.get(API + "states/?as_of=2011-04-01")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    # Bulk downloads have their own allowance.
    assert client.get(API + "states/?format=csv").status_code == 200


def test_cors_is_open_for_get(client, dataset):
    response = client.get(API + "stats/", HTTP_ORIGIN="https://newsroom.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        API + "jurisdictions/",
        HTTP_ORIGIN="https://newsroom.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    # The rest of the site is not shared.
    assert "Access-Control-Allow-Origin" not in client.get("/", HTTP_ORIGIN="https://newsroom.example")


def test_openapi_schema_is_valid_and_documents_the_filters(client, dataset):
    from drf_spectacular.validation import validate_schema

    response = client.get(API + "schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    params = {p["name"] for p in schema["paths"]["/api/v1/jurisdictions/"]["get"]["parameters"]}
    assert {"state", "status", "as_of", "activated_after", "activated_before", "q", "fips", "disputed"} <= params
    assert {"ordering", "page", "page_size"} <= params
    assert "/api/v1/changes/" in schema["paths"] and "/api/v1/stats/" in schema["paths"]


def test_docs_pages_use_packaged_assets_and_no_inline_code(client, dataset):
    swagger = client.get(API + "docs/")
    assert swagger.status_code == 200
    html = swagger.content.decode()
    assert "<style" not in html and "style=" not in html and "<script>" not in html
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
    human = client.get(API, HTTP_ACCEPT="text/html")
    page = human.content.decode()
    assert human.status_code == 200
    assert "format=csv" in page and "curl" in page and "Cite" in page
    assert "<style" not in page and "style=" not in page and "<script>" not in page
