"""nginx with deploy/nginx.conf in front of the app, as in production (docs/production.md).

The real nginx (Debian's package, run unprivileged by deploy/run_nginx.py) sits in front of pytest-django's live
server, which stands in for gunicorn. It must answer what the app answers, keep anonymous answers for a few
seconds, never keep an editor's answer or one the app marks private or no-store, compress, refuse large bodies
where the public site takes none, serve static files itself, and tell the app who the client is.
"""

import gzip
import http.client
import itertools
import json
import re
import socket
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.urls import LocalePrefixPattern, URLResolver, get_resolver, path
from django.utils import translation

from deploy import run_nginx
from tracker import urls as project_urls
from tracker.api import docs as api_docs

_reached_app = itertools.count()
_CACHE_CONTROL = {"public": "public, max-age=60", "private": "private, max-age=60", "no-store": "no-store"}


def _echo(request, kind):
    """A page with the Cache-Control named by `kind` ("cookie": one that sets a cookie); it says how many requests
    reached the app so far and what the app was told about the client."""
    meta = request.META
    response = HttpResponse(
        json.dumps(
            {
                "reached_app": next(_reached_app),
                "forwarded_for": meta.get("HTTP_X_FORWARDED_FOR"),
                "forwarded_proto": meta.get("HTTP_X_FORWARDED_PROTO"),
                "forwarded_host": meta.get("HTTP_X_FORWARDED_HOST"),
                "forwarded_ssl": meta.get("HTTP_X_FORWARDED_SSL"),
                "host": meta.get("HTTP_HOST"),
                "accept": meta.get("HTTP_ACCEPT"),
            }
        ),
        content_type="application/json",
    )
    if kind in _CACHE_CONTROL:
        response["Cache-Control"] = _CACHE_CONTROL[kind]
    if kind == "cookie":
        response.set_cookie("flavour", "plain")
    return response


# The project's pages plus the one above, also under /api/ (ROOT_URLCONF points here during these tests).
urlpatterns = [
    path("nginx-test/<slug:kind>/", _echo),
    path("api/nginx-test/<slug:kind>/", _echo),
    *project_urls.urlpatterns,
]


class Proxy:
    def __init__(self, port: int, app_port: int):
        self.port, self.app_port = port, app_port

    def get(self, path: str, headers=None, method="GET", body=None, direct=False):
        """(status, headers with lower-case names, body). `direct` asks the app itself, with the Host header nginx
        passes on, so that absolute links in the answers are the same."""
        conn = http.client.HTTPConnection("127.0.0.1", self.app_port if direct else self.port, timeout=30)
        headers = dict(headers or {})
        if direct:
            headers.setdefault("Host", f"127.0.0.1:{self.port}")
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, content


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def nginx(live_server, tmp_path_factory):
    if not Path(run_nginx.NGINX).exists():
        pytest.fail("nginx is not installed: apt-get install nginx-light (`python3 dev.py test` does it as root)")
    static = tmp_path_factory.mktemp("static")
    (static / "css").mkdir()
    (static / "css" / "site.0123456789ab.css").write_text("body { color: #222; }\n")
    (static / "css" / "site.css").write_text("body { color: #222; }\n")
    app_port = int(live_server.url.rsplit(":", 1)[1])
    port = _free_port()
    process = run_nginx.start(
        tmp_path_factory.mktemp("nginx"), port=port, upstream=f"127.0.0.1:{app_port}", static_root=static
    )
    yield Proxy(port, app_port)
    run_nginx.stop(process)


@pytest.fixture(autouse=True)
def _echo_page(settings):
    settings.ROOT_URLCONF = __name__


def test_an_answer_through_nginx_is_the_answer_of_the_app(live_dataset, nginx):
    for url in ["/api/v1/jurisdictions/48201/?t=same", "/jurisdictions/48201/?t=same", "/api/v1/stats/?t=same"]:
        status, headers, body = nginx.get(url)
        direct_status, direct_headers, direct_body = nginx.get(url, direct=True)
        assert status == direct_status == 200, url
        assert headers["content-type"] == direct_headers["content-type"], url
        assert body == direct_body, url


def test_a_second_anonymous_request_is_answered_by_nginx_alone(live_dataset, nginx):
    for url in ["/api/v1/jurisdictions/48201/?t=second", "/jurisdictions/48201/?t=second"]:
        first = nginx.get(url)
        second = nginx.get(url)
        assert first[1]["x-cache-status"] == "MISS"
        assert second[1]["x-cache-status"] == "HIT"
        assert second[2] == first[2]
    first = json.loads(nginx.get("/nginx-test/public/?t=second")[2])
    again = json.loads(nginx.get("/nginx-test/public/?t=second")[2])
    assert again["reached_app"] == first["reached_app"]


def test_the_key_holds_the_host_and_for_the_api_the_accept_header(transactional_db, nginx):
    url = "/api/v1/sources/?t=key"
    json_answer = nginx.get(url, {"Accept": "application/json"})
    csv_answer = nginx.get(url, {"Accept": "text/csv"})
    assert csv_answer[1]["x-cache-status"] == "MISS"
    assert json_answer[1]["content-type"].startswith("application/json")
    assert csv_answer[1]["content-type"].startswith("text/csv")
    assert nginx.get(url, {"Accept": "text/csv"})[1]["x-cache-status"] == "HIT"
    # Even where the app would forget its Vary header.
    for accept in ["application/json", "text/csv"]:
        told = nginx.get("/api/nginx-test/public/?t=key", {"Accept": accept})
        assert (told[1]["x-cache-status"], json.loads(told[2])["accept"]) == ("MISS", accept)
    nginx.get("/nginx-test/public/?t=host")
    assert nginx.get("/nginx-test/public/?t=host", {"Host": "localhost"})[1]["x-cache-status"] == "MISS"


@pytest.mark.parametrize(
    "name, credentials",
    [
        ("session", {"Cookie": "theme=dark; sessionid=abc123"}),
        ("authorization", {"Authorization": "Basic eDp5"}),
    ],
)
def test_a_signed_in_request_is_never_answered_from_or_stored_in_the_cache(transactional_db, nginx, name, credentials):
    url = f"/nginx-test/public/?t={name}"
    first = nginx.get(url, credentials)
    second = nginx.get(url, credentials)
    assert first[1]["x-cache-status"] == second[1]["x-cache-status"] == "BYPASS"
    assert json.loads(second[2])["reached_app"] > json.loads(first[2])["reached_app"]
    # Nothing the signed-in requests got was stored for anyone else.
    assert nginx.get(url)[1]["x-cache-status"] == "MISS"


def test_a_csrftoken_cookie_is_answered_from_the_cache(transactional_db, nginx):
    """A reader who filed a correction holds a csrftoken: public answers are the same for them, so cached."""
    url = "/nginx-test/public/?t=csrf"
    # As Django writes it (32 letters and digits): a malformed one is replaced, and an answer setting it not stored.
    token = "Zq3" * 10 + "x7"
    first = nginx.get(url, {"Cookie": f"csrftoken={token}"})
    second = nginx.get(url, {"Cookie": f"theme=dark; csrftoken={token}"})
    assert (first[1]["x-cache-status"], second[1]["x-cache-status"]) == ("MISS", "HIT")
    assert json.loads(second[2])["reached_app"] == json.loads(first[2])["reached_app"]


@pytest.mark.parametrize("kind", ["private", "no-store", "cookie"])
def test_an_answer_marked_private_or_no_store_or_setting_a_cookie_is_never_stored(transactional_db, nginx, kind):
    url = f"/nginx-test/{kind}/?t=private"
    first = nginx.get(url)
    second = nginx.get(url)
    assert second[1]["x-cache-status"] == "MISS"
    assert json.loads(second[2])["reached_app"] > json.loads(first[2])["reached_app"]


def test_the_admin_is_never_cached(transactional_db, nginx):
    for _ in range(2):
        status, headers, _ = nginx.get("/admin/login/")
        assert status == 200
        assert "no-store" in headers["cache-control"]
        assert "x-cache-status" not in headers


def test_text_answers_are_compressed_for_clients_that_take_gzip(live_dataset, nginx):
    for url, kind in [
        ("/jurisdictions/48201/", "text/html"),
        ("/", "text/html"),
        ("/api/v1/jurisdictions/?page_size=100", "application/json"),
        ("/api/v1/jurisdictions/?format=csv", "text/csv"),
        ("/api/v1/jurisdictions/?format=ndjson", "application/x-ndjson"),
        ("/api/v1/jurisdictions/?format=geojson", "application/geo+json"),
    ]:
        # Back to back, well within the micro-cache's 5 s: the second comes from the cache, stored compressed.
        answers = [nginx.get(url, {"Accept-Encoding": "gzip, deflate, br"}) for _ in range(2)]
        plain = nginx.get(url)
        direct = nginx.get(url, direct=True)
        for (status, headers, body), cache in zip(answers, ["MISS", "HIT"], strict=True):
            assert (status, headers["content-type"].split(";")[0]) == (200, kind), url
            assert (headers["x-cache-status"], headers["content-encoding"]) == (cache, "gzip"), url
            assert gzip.decompress(body) == direct[2], url
        assert "content-encoding" not in plain[1]
        assert plain[2] == direct[2], url


def test_a_large_body_is_refused_where_the_public_site_takes_none(transactional_db, nginx):
    megabyte = b"x" * 1024 * 1024
    for url in ["/", "/api/v1/jurisdictions/", "/nginx-test/public/"]:
        assert nginx.get(url, method="POST", body=megabyte)[0] == 413
    # The admin takes uploads (imports): the body reaches the app, which wants its CSRF token.
    assert nginx.get("/admin/login/", method="POST", body=megabyte)[0] == 403


def test_static_files_come_from_nginx_hashed_ones_for_a_year(nginx):
    status, headers, body = nginx.get("/static/css/site.0123456789ab.css")
    assert (status, body) == (200, b"body { color: #222; }\n")
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-type"] == "text/css"
    assert nginx.get("/static/css/site.css")[1]["cache-control"] == "public, max-age=60"
    # Only what collectstatic wrote: nothing is asked of the app.
    assert nginx.get("/static/css/missing.css")[0] == 404


def test_the_app_is_told_the_client_and_scheme_and_nothing_a_client_made_up(transactional_db, nginx):
    forged = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "evil.example", "X-Forwarded-Ssl": "on"}
    told = json.loads(nginx.get("/nginx-test/none/?t=told", forged)[2])
    # nginx appends the address it saw: with TRUSTED_PROXY_COUNT=1 the app takes the last one.
    assert told["forwarded_for"] == "203.0.113.9, 127.0.0.1"
    assert told["forwarded_proto"] == "http"
    assert told["forwarded_host"] is None
    assert told["forwarded_ssl"] is None
    assert told["host"] == f"127.0.0.1:{nginx.port}"


def _accept_keyed_pattern():
    """The regular expression of paths whose cache key holds Accept, from the rendered config."""
    config = run_nginx.render(
        listen="8080", upstream="127.0.0.1:8000", static_root="/s", temp="/t", cache="/c", pid="/p", compressing_port=1
    )
    block = config[config.index("map $uri $scomm_key_accept") :]
    block = block[: block.index("}")]
    (pattern,) = re.findall(r'"~([^"]+)"\s+\$http_accept;', block)
    return re.compile(pattern)


def _literal_prefix(pattern) -> str:
    """The fixed start of a URL pattern: `api/v1/` of `api/v1/`, `states/` of `^states/(?P<postal>...)/$`."""
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix
    text = str(pattern).removeprefix("^")
    return re.split(r"[<(\\$\[.?*+]", text, maxsplit=1)[0]


def _negotiating_routes() -> set[str]:
    """The fixed start of every route whose answer is chosen by Accept (DRF views, the API docs page), in every
    language, walked from the URLconf."""
    found = set()

    def walk(patterns, prefix):
        for entry in patterns:
            here = prefix + _literal_prefix(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, here)
            elif hasattr(entry.callback, "cls") or entry.callback is api_docs.api_index:
                found.add("/" + here)

    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            walk(get_resolver(project_urls).url_patterns, "")
    return found


def test_nginx_keys_accept_on_every_route_that_negotiates_and_only_there():
    keyed = _accept_keyed_pattern()
    routes = _negotiating_routes()
    assert {"/api/v1/", "/es/api/v1/", "/api/v1/stats/", "/api/v1/jurisdictions/"} <= routes
    for route in routes:
        assert keyed.match(route), route
    for page in ["/", "/es/", "/jurisdictions/48201/", "/es/states/TX/", "/about/", "/sitemap.xml", "/apiary/"]:
        assert not keyed.match(page), page


@pytest.mark.parametrize("url", ["/api/v1/?t=docs", "/es/api/v1/?t=docs"])
def test_the_api_docs_page_and_its_json_are_kept_apart_in_every_language(live_dataset, nginx, url):
    json_first = nginx.get(url, {"Accept": "application/json"})
    html = nginx.get(url, {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    json_again = nginx.get(url, {"Accept": "application/json"})
    assert json_first[1]["content-type"] == "application/json"
    assert (html[1]["x-cache-status"], html[1]["content-type"].split(";")[0]) == ("MISS", "text/html")
    assert (json_again[1]["x-cache-status"], json_again[2]) == ("HIT", json_first[2])
