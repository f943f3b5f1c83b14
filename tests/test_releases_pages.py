"""The releases' pages, files and API: lists, manifests, served files with their types, the sitemap and
downloads page, the schema's release parameter, and the queries each page runs."""

import json

import pytest

from releases import services
from releases.models import Release
from releases.services import release_publish
from tests.releases_helpers import response_bytes, stored_bytes

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
        "changelog": json.loads(stored_bytes(1, "changelog.json")),
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
        assert response_bytes(response) == stored_bytes(1, name)
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
