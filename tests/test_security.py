"""Security in practice: admin login lockout, headers on every kind of answer, no debug page, and the shared Redis
cache: it holds the throttle counters every app server shares, and its outage costs those limits, never an answer."""

import os
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches

from common.models import Allowance

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def editor(db):
    return User.objects.create_user("edna", password="the-right-password-42", is_staff=True)


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_admin_login_locks_out_after_repeated_failures(client, editor, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "edna", "wrong").status_code == 200  # the form again, with its error
    locked = _login(client, "edna", "wrong")
    assert locked.status_code == 429
    # Locked out: even the right password is refused now, and nobody is signed in.
    assert _login(client, "edna", "the-right-password-42").status_code == 429
    assert client.get("/admin/").status_code == 302


def test_a_lockout_is_per_username_and_address(client, editor, settings):
    User.objects.create_user("otto", password="otto-password-42", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "edna", "wrong")
    # Another editor at the same address, and the same editor from elsewhere, can still sign in.
    assert _login(client, "otto", "otto-password-42").status_code == 302
    client.logout()
    elsewhere = _login_from(client, "10.9.8.7", "edna", "the-right-password-42")
    assert elsewhere.status_code == 302


def _login_from(client, address, username, password):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_a_successful_login_resets_the_failure_count(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "edna", "wrong")
    assert _login(client, "edna", "the-right-password-42").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "edna", "wrong").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/", "/jurisdictions/", "/jurisdictions/48201/", "/states/TX/", "/api/v1/jurisdictions/?page_size=2", LOGIN],
)
def test_every_kind_of_answer_sends_the_security_headers(client, dataset, path, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(path, secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_policy_header_is_django_csps_own_and_follows_the_settings(client, dataset, settings):
    # common.middleware.CSPMiddleware builds the header once per process; it must be what django-csp builds.
    from csp.utils import build_policy

    def directives(policy):  # django-csp's order of directives varies between processes
        return sorted(policy.split("; "))

    assert directives(client.get("/about/")["Content-Security-Policy"]) == directives(build_policy())
    assert "Content-Security-Policy-Report-Only" not in client.get("/about/")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "data:"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    response = client.get("/api/v1/sources/?as_of=2012-01-01")
    assert directives(response["Content-Security-Policy"]) == ["default-src 'self'", "img-src 'self' data:"]
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'none'"


def test_production_cookies_are_secure_and_http_only(client, editor, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    form = client.get(LOGIN, secure=True)
    assert form.cookies["csrftoken"]["secure"]
    signed_in = client.post(
        LOGIN,
        {"username": "edna", "password": "the-right-password-42"},
        secure=True,
        HTTP_REFERER="https://testserver/",
    )
    assert signed_in.status_code == 302
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]


def test_an_error_shows_no_debug_page_or_secret(client, monkeypatch, settings):
    assert settings.DEBUG is False

    def broken(*args, **kwargs):
        raise RuntimeError("something internal went wrong")

    monkeypatch.setattr("common.reading.read_version", broken)
    client.raise_request_exception = False
    response = client.get("/healthz")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Traceback" not in body and "something internal" not in body and settings.SECRET_KEY not in body


def test_an_unknown_page_shows_no_url_list(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"URLconf" not in response.content and b"admin/" not in response.content


# --- Redis: the cache every app server shares --------------------------------------------------------------


def _redis_settings(location, prefix):
    return {
        "default": {
            "BACKEND": "tracker.redis_breaker.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25},
        }
    }


@pytest.fixture
def redis_cache(settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REQUIRE_REDIS"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL} (set REQUIRE_REDIS=1 to make this a failure)")
    prefix = f"scomm-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = _redis_settings(REDIS_URL, prefix)
    client = redis.Redis.from_url(REDIS_URL)
    yield client, prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_the_throttle_counters_live_in_redis_for_every_app_server(client, dataset, redis_cache, settings):
    redis, prefix = redis_cache
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "bulk": None}}
    from django_redis.cache import RedisCache

    assert isinstance(caches["default"], RedisCache)
    # Distinct addresses, each computed: a repeat answered from a kept copy costs nothing and counts for nothing
    # (common/answer_cache.py), as a repeat answered by nginx's micro-cache in production.
    for month in range(1, 4):
        assert client.get(f"/api/v1/stats/?as_of=2011-0{month}-01").status_code == 200
    assert [key for key in redis.scan_iter(f"{prefix}:*") if b"throttle" in key], "no counter in Redis"
    assert client.get("/api/v1/stats/?as_of=2011-04-01").status_code == 429


def test_with_redis_down_every_answer_is_still_given(client, dataset, settings):
    """A cache outage costs speed (and the shared limits), never answers; /healthz says it is degraded."""
    settings.CACHES = _redis_settings("redis://127.0.0.1:1/0", "scomm-down")  # nothing listens on port 1
    # The allowances are then counted in the database (common/allowances.py): within them, every answer is given.
    Allowance.objects.all().delete()  # counters another test's threads committed (outside its transaction)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "4/min", "bulk": "1/min"}}
    for url in [
        "/",
        "/jurisdictions/?state=TX",
        "/jurisdictions/48201/",
        "/states/TX/",
        "/agreements/",
        "/search/suggest?q=harris",
        "/api/v1/jurisdictions/48201/",
        "/api/v1/stats/",
        "/api/v1/jurisdictions/?format=csv&state=RI",
        "/api/v1/changes/?limit=5",
    ]:
        assert client.get(url).status_code == 200, url
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded" and health.json()["cache"].startswith("degraded")


@pytest.mark.parametrize(
    "method, path, editors_context",
    [
        ("get", "/api/v1/stats/", False),
        ("head", "/api/v1/jurisdictions/48201/", False),
        ("options", "/api/v1/jurisdictions/", False),
        ("get", "/admin/", True),
        ("get", "/jurisdictions/48201/", True),
        ("post", "/api/v1/jurisdictions/", True),
    ],
)
def test_read_only_api_requests_skip_only_the_editors_middleware(method, path, editors_context):
    """Sessions, users and messages are loaded for every request except a read of the API, which uses none."""
    from django.test import RequestFactory

    from common.middleware import AuthenticationMiddleware, MessageMiddleware, SessionMiddleware

    seen = {}

    def view(request):
        seen.update(session=hasattr(request, "session"), user=hasattr(request, "user"))
        seen.update(messages=hasattr(request, "_messages"))
        from django.http import HttpResponse

        return HttpResponse("ok")

    chain = SessionMiddleware(AuthenticationMiddleware(MessageMiddleware(view)))
    response = chain(getattr(RequestFactory(), method)(path))
    assert response.status_code == 200
    assert seen == {"session": editors_context, "user": editors_context, "messages": editors_context}
