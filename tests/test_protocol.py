"""The public-answer protocol (common/public.py, common/params.py): every public route parses its parameters the
same strict way, refuses with one vocabulary (never a 500), and shares one canonical query between its ETag and
the answer store (common/answer_cache.py), which no client header can steer."""

import gzip
import html

import pytest

from common import params
from common.compression import accepts_gzip

pytestmark = pytest.mark.django_db

# Every kind of public route: pages, embeds, API lists and details, stats, the changes feed, releases.
PAGES = ["/", "/jurisdictions/", "/jurisdictions/48201/", "/states/", "/states/TX/", "/agreements/", "/about/"]
PAGES += ["/downloads/", "/es/jurisdictions/", "/embed/jurisdictions/48201/", "/embed/states/IL/"]
API = ["/api/v1/jurisdictions/", "/api/v1/jurisdictions/48201/", "/api/v1/states/", "/api/v1/states/TX/"]
API += ["/api/v1/agreements/", "/api/v1/sources/", "/api/v1/events/", "/api/v1/stats/"]
LISTS = ["/jurisdictions/", "/es/jurisdictions/", "/api/v1/jurisdictions/", "/api/v1/agreements/"]
LISTS += ["/api/v1/events/", "/api/v1/releases/", "/corrections/", "/es/corrections/"]

# (query, the parameter refused, routes it applies to)
HOSTILE = [
    ("as_of=2011-W31-5", "as_of", PAGES + API),
    ("as_of=2011-217", "as_of", PAGES + API),
    ("as_of=20110805", "as_of", PAGES + API),
    ("as_of=２０１１-０８-０５", "as_of", PAGES + API),
    ("as_of=٢٠١١-٠٨-٠٥", "as_of", PAGES + API),
    ("page=²", "page", LISTS),
    ("page=٣", "page", LISTS),
    ("page=３", "page", LISTS),
    ("page=0", "page", LISTS),
    ("page=-1", "page", LISTS),
    ("page=last", "page", LISTS),
    ("page=" + "9" * 10_000, "page", LISTS),
    ("page_size=²", "page_size", ["/api/v1/jurisdictions/", "/api/v1/releases/"]),
    ("limit=²", "limit", ["/api/v1/changes/"]),
    ("limit=" + "9" * 10_000, "limit", ["/api/v1/changes/"]),
    ("q=" + "a" * 5_000, "q", ["/jurisdictions/", "/api/v1/jurisdictions/", "/search/suggest"]),
]
CASES = [(path, query, name) for query, name, paths in HOSTILE for path in paths]


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "bulk": None}}


@pytest.mark.parametrize("path, query, name", CASES, ids=[f"{p}?{q[:24]}" for p, q, _ in CASES])
def test_every_public_route_refuses_a_badly_written_parameter_with_one_400(client, dataset, path, query, name):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400, (path, query, response.status_code)
    if path.startswith("/api/") or path == "/search/suggest":
        assert list(response.json()["errors"]) == [name]
        message = response.json()["errors"][name][0]
    else:
        message = response.content.decode()
    assert name in message
    # The one vocabulary: digits 0-9, YYYY-MM-DD, or a length.
    assert any(words in message for words in ("digits 0-9", "YYYY-MM-DD", "at most", "AAAA-MM-DD", "dígitos"))


@pytest.mark.parametrize("path", ["/api/v1/agreements/²/", "/api/v1/sources/٣/", "/api/v1/events/" + "9" * 40 + "/"])
def test_an_api_id_in_other_digits_is_a_400_not_a_500(client, dataset, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "digits 0-9" in response.json()["errors"]["id"][0]


# Every kind of refusal a Spanish page can give: the syntax (common/params.py) and the values the FilterSets check
# against the data (common/api/filters.py), with a phrase of the Spanish message and an English one it must not use.
SPANISH_REFUSALS = [
    ("/es/jurisdictions/?page=last", "dígitos 0-9", "digits 0-9"),
    ("/es/jurisdictions/?as_of=2011-W31-5", "AAAA-MM-DD", "YYYY-MM-DD"),
    ("/es/jurisdictions/?state=ZZ", "Valor desconocido 'ZZ': use códigos postales", "Unknown value"),
    ("/es/jurisdictions/?status=pending", "use uno de estos: not_activated", "Unknown value"),
    ("/es/jurisdictions/?kind=township", "use uno de estos:", "Unknown value"),
    ("/es/jurisdictions/?fips=4820", "códigos FIPS de condado de cinco dígitos", "Unknown value"),
    ("/es/jurisdictions/?include=everything", "use uno de estos: successors", "Unknown value"),
    ("/es/jurisdictions/?disputed=maybe", "debe ser true o false", "must be true or false"),
    (
        "/es/jurisdictions/?activated_after=2012-01-01&activated_before=2011-01-01",
        "debe ser igual o anterior",
        "must be on or before",
    ),
]


@pytest.mark.parametrize("path, spanish, english", SPANISH_REFUSALS, ids=[case[0] for case in SPANISH_REFUSALS])
def test_a_refusal_on_a_spanish_page_is_in_spanish(client, dataset, path, spanish, english):
    response = client.get(path)
    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert spanish in body
    assert english not in body


def test_an_unknown_value_is_refused_in_english_on_an_english_page(client, dataset):
    body = html.unescape(client.get("/jurisdictions/?state=ZZ").content.decode())
    assert "Unknown value 'ZZ': use two-letter postal codes" in body


def test_a_page_past_the_last_is_a_404_on_the_corrections_log(client, dataset):
    assert client.get("/corrections/?page=1").status_code == 200
    assert client.get("/corrections/?page=2").status_code == 404


def test_unknown_parameters_are_ignored(client, dataset):
    assert client.get("/jurisdictions/?nonsense=²").status_code == 200
    assert client.get("/api/v1/stats/?nonsense=2011-W31-5").status_code == 200


def test_repeated_and_comma_separated_values_are_one_query():
    declared = {"state": params.Codes(str.upper), "page": params.PAGE}
    from django.http import QueryDict

    one = params.parse(declared, QueryDict("state=tx,ca&page=1&utm=x"))
    two = params.parse(declared, QueryDict("state=CA&state=TX"))
    assert one.canonical == two.canonical == "state=CA%2CTX"


@pytest.mark.parametrize("path", ["/jurisdictions/", "/api/v1/jurisdictions/"])
def test_two_spellings_of_one_query_have_one_etag_and_one_stored_answer(client, dataset, path):
    from tests.test_answer_cache import _body, _kept, _middleware

    first = client.get(f"{path}?state=tx&status=activated")
    second = client.get(f"{path}?status=activated&state=TX")
    assert first.status_code == second.status_code == 200
    assert first["ETag"] == second["ETag"]
    assert _kept(second) and _body(second) == _body(first)
    assert len(_middleware(client).store) == 1


def test_the_cite_box_and_download_names_use_the_canonical_query(client, dataset):
    export = client.get("/api/v1/jurisdictions/?status=ACTIVATED&format=csv&state=tx,ca&as_of=2011-08-05")
    name = "scomm-jurisdictions-state-CA-TX-status-activated-as-of-2011-08-05.csv"
    assert f'filename="{name}"' in export["Content-Disposition"]
    page = client.get("/jurisdictions/?status=activated&state=tx&utm_source=x").content.decode()
    assert "utm_source" not in page
    assert 'href="/api/v1/jurisdictions/?format=csv&amp;state=TX&amp;status=activated"' in page


def test_the_store_is_never_keyed_on_a_client_sent_script_name(client, dataset):
    from tests.test_answer_cache import _kept, _middleware

    prefixed = client.get("/api/v1/stats/", SCRIPT_NAME="/elsewhere")
    assert prefixed.status_code == 200
    assert len(_middleware(client).store) == 0
    plain = client.get("/api/v1/stats/")
    assert not _kept(plain)
    assert b"/elsewhere" not in plain.content
    assert _kept(client.get("/api/v1/stats/"))


@pytest.mark.parametrize(
    "accept", ["application/json", "application/json, */*;q=0.8", "*/*", "application/json;q=0.9, text/html;q=0.1"]
)
def test_accept_strings_of_one_negotiated_type_share_one_entry(client, dataset, accept):
    from tests.test_answer_cache import _kept, _middleware

    client.get("/api/v1/stats/", HTTP_ACCEPT="application/json")
    again = client.get("/api/v1/stats/", HTTP_ACCEPT=accept)
    assert _kept(again)
    assert len(_middleware(client).store) == 1


@pytest.mark.parametrize(
    "header, compressed",
    [("gzip", True), ("gzip;q=0", False), ("gzip; q=0.0, identity", False), ("*", True), ("*;q=0", False)]
    + [("br, gzip;q=0.5", True), ("identity", False), ("x-gzip", True), ("gzip;q=abc", False), ("*, gzip;q=0", False)],
)
def test_gzip_honours_quality_values(header, compressed):
    assert accepts_gzip(header) is compressed


def test_a_client_that_refuses_gzip_gets_identity(client, dataset):
    refused = client.get("/api/v1/stats/", HTTP_ACCEPT_ENCODING="gzip;q=0")
    assert "Content-Encoding" not in refused
    taken = client.get("/api/v1/stats/", HTTP_ACCEPT_ENCODING="gzip")
    assert gzip.decompress(taken.content) == refused.content


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_a_streamed_csv_starts_before_its_body_is_built(client, dataset, monkeypatch, encoding):
    """The answer store passes a download on as the view makes it (it once read up to 8 MB before the first
    byte); it keeps a copy only once the whole stream was sent."""
    from common.api import viewsets
    from tests.test_answer_cache import _kept

    made = []

    def counted(pieces, size=64 * 1024):
        for block in viewsets_in_blocks(pieces, size):
            made.append(len(block))
            yield block

    viewsets_in_blocks = viewsets.in_blocks
    monkeypatch.setattr(viewsets, "in_blocks", counted)
    response = client.get("/api/v1/jurisdictions/?format=csv", HTTP_ACCEPT_ENCODING=encoding)
    stream = iter(response.streaming_content)
    assert next(stream)
    assert len(made) <= 2, "the first bytes came only after the body was built"
    rest = b"".join(stream)
    assert len(made) > 5 and rest
    again = client.get("/api/v1/jurisdictions/?format=csv", HTTP_ACCEPT_ENCODING=encoding)
    assert _kept(again)
