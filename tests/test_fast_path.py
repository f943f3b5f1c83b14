"""Repeat anonymous API requests are answered from the cache, with the same headers, and never go stale."""

import datetime

import pytest
from django.core.cache import cache
from django.utils.http import parse_http_date

from jurisdictions.models import StatusChange

pytestmark = pytest.mark.django_db
URL = "/api/v1/jurisdictions/48201/"


@pytest.fixture(autouse=True)
def _empty_cache(settings, tmp_path):
    settings.API_EXPORT_DIR = tmp_path / "exports"
    cache.clear()
    yield
    cache.clear()


def test_a_repeat_request_costs_one_query_and_gives_the_same_answer(client, dataset, django_assert_num_queries):
    first = client.get(URL)
    with django_assert_num_queries(1):
        second = client.get(URL)
    assert second.status_code == 200
    assert second.content == first.content
    for header in ["ETag", "Content-Type", "Content-Security-Policy", "X-Content-Type-Options", "Cache-Control"]:
        assert second[header] == first[header], header


def test_a_repeat_request_with_the_etag_gets_304(client, dataset, django_assert_num_queries):
    etag = client.get(URL)["ETag"]
    with django_assert_num_queries(1):
        response = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""


def test_an_edit_is_seen_at_once(client, dataset):
    before = client.get(URL)
    change = StatusChange.objects.get(jurisdiction="48201")
    change.note = "Corrected by an editor."
    change.save()
    after = client.get(URL)
    assert after["ETag"] != before["ETag"]
    assert "Corrected by an editor." in after.content.decode()
    assert client.get(URL, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200


def test_the_answer_depends_on_the_accept_header_and_origin(client, dataset):
    client.get(URL)
    cors = client.get(URL, HTTP_ORIGIN="https://newsroom.example")
    assert cors["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get(URL)


def _tamper_with_the_stored_answer(response):
    """Replace the body stored for this response's request, so a replay is told apart from the full stack."""
    from tracker.api import cache_generation, data_version
    from tracker.fast_path import _key, _recent

    key = _key(response.wsgi_request.environ, data_version()[1])
    headers, _ = cache.get(key)
    cache.set(key, (headers, b"from the store"))
    _recent.put(cache_generation(), key, (headers, b"from the store"))
    return key


def test_requests_with_a_session_cookie_run_the_full_stack(client, dataset):
    _tamper_with_the_stored_answer(client.get(URL))
    assert client.get(URL).content == b"from the store"
    client.cookies["sessionid"] = "not-a-real-session"
    response = client.get(URL)
    assert response.status_code == 200
    assert response.content != b"from the store"
    assert b"48201" in response.content


def test_errors_are_not_stored(client, dataset, django_assert_max_num_queries):
    bad = "/api/v1/jurisdictions/?state=ZZ"
    assert client.get(bad).status_code == 400
    with django_assert_max_num_queries(20) as captured:
        assert client.get(bad).status_code == 400
    # The full stack ran again (the data version, then the view's own queries).
    assert len(captured) > 1


PAGE = "/jurisdictions/48201/"


def test_a_repeat_page_view_costs_one_query(client, dataset, django_assert_num_queries):
    first = client.get(PAGE)
    with django_assert_num_queries(1):
        second = client.get(PAGE)
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_a_page_shows_an_edit_at_once(client, dataset):
    assert "Corrected on the page." not in client.get(PAGE).content.decode()
    change = StatusChange.objects.get(jurisdiction="48201")
    change.note = "Corrected on the page."
    change.save()
    assert "Corrected on the page." in client.get(PAGE).content.decode()


def test_a_stored_page_is_kept_per_as_of_date(client, dataset):
    client.get("/jurisdictions/17031/?as_of=2011-08-05")
    page = client.get("/jurisdictions/17031/?as_of=2013-01-22").content.decode()
    assert "Status on 22 January 2013" in page


def test_a_signed_in_editor_gets_the_full_stack(client, dataset, django_user_model, django_assert_max_num_queries):
    client.get(PAGE)
    client.force_login(django_user_model.objects.create_user("editor", password="a-long-password-1"))
    with django_assert_max_num_queries(30) as captured:
        assert client.get(PAGE).status_code == 200
    assert len(captured) > 1


def test_if_modified_since_gets_304_until_the_data_changes(client, dataset):
    url = "/api/v1/jurisdictions/48201/?as_of=2011-08-05"
    last_modified = client.get(url)["Last-Modified"]
    # Replayed by the fast path (the answer is stored), then computed by the view: both honour the header.
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    cache.clear()
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE="Sat, 01 Jan 2000 00:00:00 GMT").status_code == 200
    change = StatusChange.objects.get(jurisdiction="48201")
    change.note = "Edited later."
    change.save()
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_a_today_answer_is_never_older_than_midnight(client, dataset):
    response = client.get("/api/v1/jurisdictions/48201/")
    midnight = datetime.datetime.combine(datetime.date.today(), datetime.time(), tzinfo=datetime.UTC)
    assert parse_http_date(response["Last-Modified"]) >= int(midnight.timestamp())


# --- the WSGI layer (tracker/wsgi.py), as gunicorn calls it ------------------------------------------------


def _wsgi_get(path, **headers):
    """Call the production WSGI application directly: (status line, headers, body, whether Django handled it)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test import RequestFactory

    from tracker.wsgi import application

    environ = RequestFactory().get(path, **headers).environ
    seen, started = {}, []

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(response_headers)

    def on_start(**kwargs):
        started.append(True)

    # As Django's test client does: the test's database connection (and its transaction) must outlive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_started.connect(on_start)
    try:
        body = application(environ, start_response)
        content = b"".join(body)
        if hasattr(body, "close"):
            body.close()
    finally:
        request_started.disconnect(on_start)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return seen["status"], seen["headers"], content, bool(started)


def test_the_wsgi_layer_sends_a_stored_answer_without_entering_django(dataset, django_assert_num_queries):
    status, headers, first, handled = _wsgi_get(URL)
    assert (status, handled) == ("200 OK", True)
    with django_assert_num_queries(1):
        status, replayed_headers, second, handled = _wsgi_get(URL)
    assert (status, handled) == ("200 OK", False)
    assert second == first
    assert replayed_headers == headers


def test_the_wsgi_layer_answers_a_revalidation_with_304_and_sees_an_edit_at_once(dataset):
    _, headers, _, _ = _wsgi_get(URL)
    status, not_modified, body, handled = _wsgi_get(URL, HTTP_IF_NONE_MATCH=headers["ETag"])
    assert (status, body, handled) == ("304 Not Modified", b"", False)
    assert not_modified["ETag"] == headers["ETag"]
    change = StatusChange.objects.get(jurisdiction="48201")
    change.note = "Edited while clients poll."
    change.save()
    status, _, body, handled = _wsgi_get(URL, HTTP_IF_NONE_MATCH=headers["ETag"])
    assert (status, handled) == ("200 OK", True)
    assert "Edited while clients poll." in body.decode()


def test_a_304_is_stored_as_headers_and_never_replayed_as_a_whole_answer(dataset):
    # A process that never built the 200 (each has its own store without Redis) computes the 304 once.
    etag = _wsgi_get(URL)[1]["ETag"]
    cache.clear()
    assert _wsgi_get(URL, HTTP_IF_NONE_MATCH=etag)[::3] == ("304 Not Modified", True)
    assert _wsgi_get(URL, HTTP_IF_NONE_MATCH=etag)[::3] == ("304 Not Modified", False)
    # A client without the answer gets the whole answer, from the full stack, then stored.
    status, _, body, handled = _wsgi_get(URL)
    assert (status, handled) == ("200 OK", True)
    assert b'"fips":"48201"' in body.replace(b" ", b"")
    assert _wsgi_get(URL)[::3] == ("200 OK", False)


def test_the_wsgi_layer_keys_on_host_and_scheme(dataset):
    plain = _wsgi_get(URL)[2]
    other = _wsgi_get(URL, HTTP_HOST="testserver", secure=True)
    assert other[3] is True
    assert b"https://testserver/" in other[2] and b"https://testserver/" not in plain


def test_the_wsgi_layer_passes_editors_and_writes_to_django(dataset):
    _wsgi_get(URL)
    assert _wsgi_get(URL, HTTP_COOKIE="sessionid=abc")[3] is True
    assert _wsgi_get(URL, HTTP_AUTHORIZATION="Token x")[3] is True
    assert _wsgi_get("/healthz")[3] is True


def test_recent_answers_are_kept_in_the_process_and_dropped_with_the_cache(client, dataset, settings):
    from tracker.api import cache_generation
    from tracker.fast_path import _recent

    first = client.get(URL)
    key = _tamper_with_the_stored_answer(first)
    # The shared store loses the entry; this process still has its copy.
    cache.delete(key)
    assert cache.get(key) is None
    assert client.get(URL).content == b"from the store"
    # Clearing the cache is noticed within CACHE_GENERATION_SECONDS (0 in the tests): the copies go with it.
    cache.clear()
    assert client.get(URL).content == first.content
    # The copies are bounded in bytes, the least recently used dropped first.
    settings.FAST_PATH_MEMORY_MB = 0.001
    generation = cache_generation()
    _recent.put(generation, "a", ([], b"x" * 600))
    _recent.put(generation, "b", ([], b"y" * 600))
    assert _recent.get(generation, "a") is None
    assert _recent.get(generation, "b") == ([], b"y" * 600)


def test_a_cleared_cache_is_noticed_within_the_configured_seconds(client, dataset, settings):
    settings.CACHE_GENERATION_SECONDS = 3600
    first = client.get(URL)
    _tamper_with_the_stored_answer(first)
    cache.clear()
    # Within the grace period this process keeps its copies (documented: operators' clears take that long).
    assert client.get(URL).content == b"from the store"
    settings.CACHE_GENERATION_SECONDS = 0
    assert client.get(URL).content == first.content
