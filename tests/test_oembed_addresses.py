"""oEmbed as newsroom systems call it: from a browser (CORS, like the API's), and with the site's own page
address in any of the forms they send; any other site's address is still a 404."""

import json

import pytest

pytestmark = pytest.mark.django_db
PAGE = "/jurisdictions/48201/"

# (the address sent, whether it is this site's page) for a site served over HTTPS at testserver (port 443).
BEHIND_HTTPS = [
    (f"https://testserver{PAGE}", True),
    (f"http://testserver{PAGE}", True),
    (f"//testserver{PAGE}", True),
    (PAGE, True),
    (f"https://TESTSERVER{PAGE}", True),
    (f"HTTPS://TestServer{PAGE}", True),
    (f"https://testserver.{PAGE}", True),
    (f"https://testserver:443{PAGE}", True),
    (f"http://testserver:80{PAGE}", True),
    (f"//testserver:443{PAGE}", True),
    (f"https://testserver{PAGE.rstrip('/')}", True),
    (f"http://testserver{PAGE.rstrip('/')}", True),
    (f"//testserver{PAGE.rstrip('/')}", True),
    (f"  https://testserver{PAGE}  ", True),
    (f"https://testserver/es{PAGE}", True),
    ("https://testserver/states/tx", True),
    (f"https://testserver{PAGE}?as_of=2011-08-05", True),
    (f"https://elsewhere.example{PAGE}", False),
    (f"//elsewhere.example{PAGE}", False),
    (f"https://testserver.elsewhere.example{PAGE}", False),
    (f"https://testserver@elsewhere.example{PAGE}", False),
    (f"https://user:secret@testserver{PAGE}", False),
    (f"https://testserver:8443{PAGE}", False),
    (f"http://testserver:8080{PAGE}", False),
    (f"ftp://testserver{PAGE}", False),
    (f"https:testserver{PAGE}", False),
    ("https://testserver/about/", False),
]

# A development server on a port of its own: only that port is the site.
ON_A_PORT = [
    (f"http://localhost:8000{PAGE}", True),
    (f"//localhost:8000{PAGE}", True),
    (f"http://LOCALHOST:8000{PAGE.rstrip('/')}", True),
    (f"http://localhost{PAGE}", False),
    (f"https://localhost{PAGE}", False),
    (f"http://localhost:8001{PAGE}", False),
]


@pytest.mark.parametrize("url, ours", BEHIND_HTTPS)
def test_every_form_of_the_sites_own_address_behind_https(client, dataset, url, ours):
    response = client.get("/oembed", {"url": url}, secure=True)
    assert response.status_code == (200 if ours else 404), (url, response.content)
    if ours:
        assert 'src="https://testserver/' in json.loads(response.content)["html"]


@pytest.mark.parametrize("url, ours", ON_A_PORT)
def test_every_form_of_the_sites_own_address_on_a_port(client, dataset, url, ours):
    response = client.get("/oembed", {"url": url}, HTTP_HOST="localhost:8000")
    assert response.status_code == (200 if ours else 404), (url, response.content)


@pytest.mark.parametrize("url", [PAGE, "https://elsewhere.example/states/TX/"])
def test_oembed_answers_a_browser_on_another_site_like_the_api(client, dataset, url):
    for path in ("/oembed", "/api/v1/stats/"):
        response = client.get(path, {"url": url}, HTTP_ORIGIN="https://newsroom.example")
        assert response["Access-Control-Allow-Origin"] == "*", path
    # The error is readable too: the newsroom's editor says why.
    assert response.status_code == 200 or json.loads(response.content)


def test_a_preflight_to_oembed_is_answered(client, dataset):
    response = client.options(
        "/oembed",
        HTTP_ORIGIN="https://newsroom.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_pages_still_send_no_cors_header(client, dataset):
    assert "Access-Control-Allow-Origin" not in client.get(PAGE, HTTP_ORIGIN="https://newsroom.example")
