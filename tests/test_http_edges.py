"""HTTP done right at the edges (issue 23): formats a detail does not offer, conditional requests on missing
pages, `/es`, error pages, robots.txt, CORS on every API answer, and Vary naming what an answer depends on."""

import json

import pytest
from django.utils.cache import has_vary_header

from agreements.models import Agreement
from jurisdictions.models import Source

pytestmark = pytest.mark.django_db

API = "/api/v1/"
FUTURE = "Tue, 01 Jan 2036 00:00:00 GMT"
ORIGIN = "https://someone.example"
CITE_MARK = 'id="cite-this"'
DETAILS = ["jurisdictions/48201/", "states/TX/", "agreements/{agreement}/", "sources/{source}/"]


def _existing(client, url):
    """The detail address of a record of the dataset (agreements and sources by their first id on this database)."""
    agreement, source = Agreement.objects.order_by("pk").first(), Source.objects.order_by("pk").first()
    url = API + url.format(agreement=agreement.pk, source=source.pk)
    assert client.get(url).status_code == 200
    return url


@pytest.mark.parametrize("url", DETAILS)
@pytest.mark.parametrize("fmt", ["csv", "ndjson", "geojson"])
def test_a_detail_asked_for_a_list_format_is_a_406_naming_what_it_offers(client, dataset, url, fmt):
    url = _existing(client, url)
    media = {"csv": "text/csv", "ndjson": "application/x-ndjson", "geojson": "application/geo+json"}[fmt]
    for response, parameter in [
        (client.get(f"{url}?format={fmt}"), "format"),
        (client.get(url, HTTP_ACCEPT=media), "accept"),
    ]:
        assert response.status_code == 406
        assert response["Content-Type"] == "application/json"
        errors = json.loads(response.content)["errors"]
        assert list(errors) == [parameter]
        assert "json only" in errors[parameter][0]
    # A client taking anything still gets the JSON.
    assert client.get(url, HTTP_ACCEPT=f"{media}, */*;q=0.1")["Content-Type"] == "application/json"


def test_the_schema_says_a_detail_is_json_only_and_a_list_offers_the_files(client, dataset):
    schema = client.get(API + "schema/?format=json")
    paths = json.loads(schema.content)["paths"]
    detail = paths["/api/v1/jurisdictions/{fips}/"]["get"]["responses"]
    assert list(detail["200"]["content"]) == ["application/json"]
    assert "406" in detail
    listing = paths["/api/v1/jurisdictions/"]["get"]["responses"]["200"]["content"]
    assert {"text/csv", "application/x-ndjson", "application/geo+json"} <= set(listing)


@pytest.mark.parametrize(
    "url", ["/jurisdictions/99999/", "/es/jurisdictions/99999/", "/states/ZZ/", API + "jurisdictions/99999/"]
)
@pytest.mark.parametrize("header", [{"HTTP_IF_NONE_MATCH": "*"}, {"HTTP_IF_MODIFIED_SINCE": FUTURE}])
def test_a_conditional_request_for_a_missing_page_is_a_404_never_a_304(client, dataset, url, header):
    assert client.get(url, **header).status_code == 404


@pytest.mark.parametrize("url", ["/jurisdictions/48201/", API + "jurisdictions/48201/", API + "stats/"])
def test_a_conditional_request_for_a_page_that_exists_is_still_a_304(client, dataset, url):
    etag = client.get(url)["ETag"]
    for header in [{"HTTP_IF_NONE_MATCH": "*"}, {"HTTP_IF_MODIFIED_SINCE": FUTURE}, {"HTTP_IF_NONE_MATCH": etag}]:
        answer = client.get(url, **header)
        assert answer.status_code == 304, header
        assert answer["ETag"] == etag


def test_es_without_its_slash_redirects_like_every_other_spanish_page(client, dataset):
    for bare, slashed in [("/es", "/es/"), ("/es/states", "/es/states/")]:
        response = client.get(bare)
        assert (response.status_code, response["Location"]) == (301, slashed)


def _page(client, url, status):
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


@pytest.mark.parametrize(
    "url, status",
    [
        ("/no-such-page/", 404),
        ("/es/no-such-page/", 404),
        ("/jurisdictions/99999/", 404),
        ("/jurisdictions/48201/?as_of=2011-13-45", 400),
        ("/es/states/TX/?as_of=later", 400),
    ],
)
def test_error_pages_are_not_for_indexing_citing_or_sharing(client, dataset, url, status):
    page = _page(client, url, status)
    assert '<meta name="robots" content="noindex">' in page
    for kept_out in ['rel="canonical"', 'rel="alternate"', 'property="og:', CITE_MARK]:
        assert kept_out not in page, kept_out


def test_the_500_page_is_not_for_indexing(client, dataset, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something internal went wrong")

    monkeypatch.setattr("common.reading.current", broken)
    page = _page(client, "/states/", 500)
    assert '<meta name="robots" content="noindex">' in page
    assert 'rel="canonical"' not in page and "something internal" not in page


def test_a_normal_page_keeps_its_canonical_address_and_cite_box(client, dataset):
    page = _page(client, "/jurisdictions/48201/", 200)
    assert 'rel="canonical"' in page and 'property="og:url"' in page and CITE_MARK in page
    assert "noindex" not in page


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_the_admin_downloads_and_dated_variants(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    for rule in ["/admin/", "/*format=csv", "/*format=ndjson", "/*format=geojson", "/*as_of=", "/*release="]:
        assert f"Disallow: {rule}" in lines, rule
    assert lines[0] == "User-agent: *"


@pytest.mark.parametrize(
    "request_args",
    [
        {"path": API + "jurisdictions/%00/"},
        {"path": API + "jurisdictions/?state=%00"},
        {"path": API + "jurisdictions/", "method": "post", "data": b"x" * 10, "content_type": "text/plain"},
        {"path": API + "jurisdictions/99999/"},
        {"path": API + "jurisdictions/?as_of=later"},
        {"path": API + "jurisdictions/48201/?format=csv"},
        {"path": API + "jurisdictions/48201/"},
    ],
)
def test_every_api_answer_errors_included_carries_the_cors_headers(client, dataset, request_args):
    args = dict(request_args)
    method = args.pop("method", "get")
    response = getattr(client, method)(**args, HTTP_ORIGIN=ORIGIN)
    assert response["Access-Control-Allow-Origin"] == "*", response.status_code
    assert "ETag" in response["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(
    "url",
    [
        API,
        "/es" + API,
        API + "jurisdictions/",
        API + "jurisdictions/48201/",
        API + "jurisdictions/?format=csv&state=RI",
        API + "stats/",
        API + "changes/?limit=1",
        API + "jurisdictions/48201/?format=csv",
    ],
)
def test_every_answer_that_negotiates_its_format_says_vary_accept(client, dataset, url):
    for accept in ["application/json", "text/html", "text/csv"]:
        response = client.get(url, HTTP_ACCEPT=accept)
        assert has_vary_header(response, "Accept"), (url, accept, response.get("Vary"))


def test_the_docs_page_and_the_endpoint_map_share_an_address_and_say_so(client, dataset):
    for url in [API, "/es" + API]:
        html = client.get(url, HTTP_ACCEPT="text/html")
        data = client.get(url, HTTP_ACCEPT="application/json")
        assert html["Content-Type"].startswith("text/html") and data["Content-Type"] == "application/json"
        assert has_vary_header(html, "Accept") and has_vary_header(data, "Accept")
