"""What a reader (and a search engine, and a newsroom's link preview) notices: canonical addresses, page
descriptions and Open Graph tags on every page, the sitemap, the data licence, the Dataset description, the
nav's API link, and downloads named for what they hold."""

import json
import re
from xml.etree import ElementTree

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/?as_of=2011-08-05",
    "/jurisdictions/",
    "/jurisdictions/48201/",
    "/jurisdictions/48201/?as_of=2011-08-05&utm_source=x",
    "/states/",
    "/states/IL/",
    "/agreements/",
    "/about/",
    "/downloads/",
]


def _head(page: str) -> dict:
    meta = dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', page))
    meta["canonical"] = re.search(r'<link rel="canonical" href="([^"]+)"', page).group(1)
    meta["title"] = re.search(r"<title>([^<]+)</title>", page).group(1)
    return meta


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_canonical_address_a_description_and_open_graph_tags(client, dataset, path):
    head = _head(client.get(path, HTTP_ACCEPT_ENCODING="identity").content.decode())
    assert head["og:title"] == head["title"] and head["og:description"] == head["description"]
    assert len(head["description"]) > 40
    assert head["og:url"] == head["canonical"]
    # The canonical address keeps the date the page answers for, and nothing else of the query.
    expected = "http://testserver" + path.split("?")[0] + ("?as_of=2011-08-05" if "as_of" in path else "")
    assert head["canonical"] == expected


def test_the_sitemap_lists_the_pages_every_state_and_every_jurisdiction(client, dataset):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    locations = {node.text for node in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert "http://testserver/jurisdictions/48201/" in locations
    assert "http://testserver/states/TX/" in locations and "http://testserver/downloads/" in locations
    english = {location for location in locations if not location.startswith("http://testserver/es/")}
    assert sum(1 for location in english if "/jurisdictions/" in location and location[-6:-1].isdigit()) == 3150
    # And each in Spanish (tests/test_i18n.py checks the alternates).
    assert len(locations) == 2 * len(english)


def test_downloads_say_which_terms_are_ours_and_describe_the_dataset(client, dataset):
    page = client.get("/downloads/").content.decode()
    licence = page.split('id="licence"')[1].split("</section>")[0]
    assert "CC BY 4.0" in licence and "states no licence of its own" in licence
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    dataset_ld = json.loads(found.group(1))
    assert dataset_ld["@type"] == "Dataset" and dataset_ld["license"].endswith("/by/4.0/")
    assert {item["encodingFormat"] for item in dataset_ld["distribution"]} >= {"text/csv", "application/geo+json"}


def test_the_api_docs_link_their_examples_and_state_the_licence(client, dataset):
    page = client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert '<a href="http://testserver/api/v1/jurisdictions/48201/">' in page
    assert "CC BY 4.0" in page
    home = client.get("/", HTTP_ACCEPT_ENCODING="identity").content.decode()
    assert '<a href="/api/v1/">API</a>' in home


@pytest.mark.parametrize(
    "query, filename",
    [
        (
            "jurisdictions/?format=csv&state=TX,CA&status=activated&as_of=2011-08-05",
            # The canonical query: a list's values sorted (common/params.py).
            "scomm-jurisdictions-state-CA-TX-status-activated-as-of-2011-08-05.csv",
        ),
        ("jurisdictions/?format=geojson&as_of=2011-08-05", "scomm-jurisdictions-as-of-2011-08-05.geojson"),
        (
            'jurisdictions/?format=csv&q=st"/../louis&as_of=2011-08-05',
            "scomm-jurisdictions-q-st-louis-as-of-2011-08-05.csv",
        ),
        ("events/?format=ndjson&state=US&as_of=2011-08-05", "scomm-events-state-US-as-of-2011-08-05.ndjson"),
    ],
)
def test_downloads_are_named_for_the_filters_they_hold(client, dataset, query, filename):
    response = client.get("/api/v1/" + query)
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
