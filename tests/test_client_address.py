"""The client's address with no proxy, behind an overwriting balancer and behind appending ones: the real admin
login lockout (django-axes) and the real API throttle on /api/v1/stats/ count each client once, and a client
cannot escape either by writing its own X-Forwarded-For (TRUSTED_PROXY_COUNT, common/client_address.py)."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import resolve

from common.client_address import client_address

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
STATS = "/api/v1/stats/"
API_LIMIT = 3
PASSWORD = "the-right-password-42"
BALANCER, NGINX = "10.0.0.10", "10.0.0.20"
ATTACKER, EDITOR = "198.51.100.7", "203.0.113.5"


@pytest.fixture
def proxies(settings):
    """Configure N trusted proxies the way the settings file does from TRUSTED_PROXY_COUNT, with a low API rate
    (the throttles read their rates on each request)."""

    def configure(count):
        settings.TRUSTED_PROXY_COUNT = count
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "NUM_PROXIES": count,
            "DEFAULT_THROTTLE_RATES": {"anon": f"{API_LIMIT}/minute", "bulk": None},
        }

    return configure


@pytest.fixture
def editor(db):
    return User.objects.create_user("edna", password=PASSWORD, is_staff=True)


def login(client, password, remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"username": "edna", "password": password}, **headers)


_days = iter(range(10_000))


def stats(client, remote, forwarded=None):
    """One computed answer: a new day each time, so no stored copy (which skips the throttle) can answer it."""
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    day = datetime.date(2009, 1, 1) + datetime.timedelta(days=next(_days))
    return client.get(STATS, {"as_of": day.isoformat()}, **headers)


def spoofed(i):
    return f"192.0.2.{i + 1}"


# The rule itself, on every shape of header.


@pytest.mark.parametrize(
    "count, remote, forwarded, expected",
    [
        # No proxy: the header is ignored entirely, whatever it holds.
        (0, ATTACKER, None, ATTACKER),
        (0, ATTACKER, "192.0.2.1", ATTACKER),
        (0, ATTACKER, "192.0.2.1, 192.0.2.2", ATTACKER),
        # One proxy (nginx with $proxy_add_x_forwarded_for, or a balancer that overwrites): the rightmost entry.
        (1, NGINX, EDITOR, EDITOR),
        (1, NGINX, f"192.0.2.1, 192.0.2.2,{EDITOR}", EDITOR),
        (1, NGINX, f"192.0.2.1, {EDITOR}", EDITOR),
        # Two proxies (a cloud balancer, then nginx): the second from the right; what the client sent is left of it.
        (2, NGINX, f"{EDITOR}, {BALANCER}", EDITOR),
        (2, NGINX, f"192.0.2.1, {EDITOR}, {BALANCER}", EDITOR),
        # Fewer entries than proxies: a proxy was bypassed, nothing in the header is trustworthy.
        (2, NGINX, "192.0.2.1", NGINX),
        (1, NGINX, None, NGINX),
        (1, NGINX, " , ", NGINX),
        # Not an address where our proxy should have written one: misconfigured, so the peer.
        (1, NGINX, "192.0.2.1, unknown", NGINX),
        # Ports are dropped and forms made canonical: one client, one bucket.
        (1, NGINX, "203.0.113.5:51234", EDITOR),
        (1, NGINX, "[2001:DB8::0001]:443", "2001:db8::1"),
        (1, NGINX, "::ffff:203.0.113.5", EDITOR),
        (0, "::ffff:203.0.113.5", None, EDITOR),
        (0, "", None, None),
    ],
)
def test_the_client_is_the_entry_n_hops_from_the_right(count, remote, forwarded, expected):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(meta, proxy_count=count) == expected
    request = RequestFactory().get("/", **meta)
    assert client_address(request, proxy_count=count) == expected


def test_the_setting_is_read_on_each_call(settings):
    meta = {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": EDITOR}
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(meta) == NGINX
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(meta) == EDITOR


# No proxy: the app faces clients, and X-Forwarded-For is whatever the client wrote.


def test_no_proxy_a_rotating_forwarded_header_does_not_escape_the_lockout(client, editor, proxies, settings):
    proxies(0)
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "wrong", ATTACKER, spoofed(i)).status_code == 200
    # The last allowed failure locks, whatever made-up address the header names; so do the right password and
    # a fresh made-up address afterwards.
    assert login(client, "wrong", ATTACKER, spoofed(50)).status_code == 429
    assert login(client, PASSWORD, ATTACKER, spoofed(99)).status_code == 429
    assert login(client, PASSWORD, ATTACKER).status_code == 429
    # The editor at her own address is not affected.
    assert login(client, PASSWORD, EDITOR).status_code == 302


def test_no_proxy_a_rotating_forwarded_header_does_not_escape_the_throttle(client, dataset, proxies):
    proxies(0)
    for i in range(API_LIMIT):
        assert stats(client, ATTACKER, spoofed(i)).status_code == 200
    assert stats(client, ATTACKER, spoofed(99)).status_code == 429
    assert stats(client, EDITOR).status_code == 200


# An overwriting balancer: X-Forwarded-For holds just the client, REMOTE_ADDR is the balancer for everyone.


def test_overwriting_balancer_gives_each_client_its_own_lockout(client, editor, proxies, settings):
    proxies(1)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "wrong", BALANCER, ATTACKER).status_code == 200
    assert login(client, "wrong", BALANCER, ATTACKER).status_code == 429
    assert login(client, PASSWORD, BALANCER, ATTACKER).status_code == 429
    # Five failures from one address do not lock the real editor out from another, behind the same balancer.
    assert login(client, PASSWORD, BALANCER, EDITOR).status_code == 302


def test_overwriting_balancer_gives_each_client_its_own_throttle(client, dataset, proxies):
    proxies(1)
    for _ in range(API_LIMIT):
        assert stats(client, BALANCER, ATTACKER).status_code == 200
    assert stats(client, BALANCER, ATTACKER).status_code == 429
    assert stats(client, BALANCER, EDITOR).status_code == 200


# Appending balancers: the client's own entries are on the left, ours on the right.


@pytest.mark.parametrize(
    "count, remote, ours",
    [
        (1, NGINX, f"{ATTACKER}"),  # nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for
        (2, NGINX, f"{ATTACKER}, {BALANCER}"),  # a cloud balancer appends the client, nginx appends the balancer
    ],
)
def test_appending_balancer_ignores_spoofed_entries_for_the_lockout(
    client, editor, proxies, settings, count, remote, ours
):
    proxies(count)
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "wrong", remote, f"{spoofed(i)}, {ours}").status_code == 200
    assert login(client, "wrong", remote, f"{spoofed(50)}, {ours}").status_code == 429
    assert login(client, PASSWORD, remote, f"{spoofed(99)}, {ours}").status_code == 429
    assert login(client, PASSWORD, remote, ours).status_code == 429
    editor_hops = ours.replace(ATTACKER, EDITOR)
    assert login(client, PASSWORD, remote, f"{ATTACKER}, {editor_hops}").status_code == 302


@pytest.mark.parametrize(
    "count, remote, ours",
    [(1, NGINX, f"{ATTACKER}"), (2, NGINX, f"{ATTACKER}, {BALANCER}")],
)
def test_appending_balancer_ignores_spoofed_entries_for_the_throttle(client, dataset, proxies, count, remote, ours):
    proxies(count)
    for i in range(API_LIMIT):
        assert stats(client, remote, f"{spoofed(i)}, {ours}").status_code == 200
    assert stats(client, remote, f"{spoofed(99)}, {ours}").status_code == 429
    # Another client behind the same proxies, even one that names the attacker on the left, is counted apart.
    assert stats(client, remote, f"{ATTACKER}, {ours.replace(ATTACKER, EDITOR)}").status_code == 200


# Every use agrees: the lockout's address is the rule's, and so is the throttle's.


@pytest.mark.parametrize("count", [0, 1, 2])
@pytest.mark.parametrize(
    "remote, forwarded",
    [
        (ATTACKER, None),
        (NGINX, f"192.0.2.1, {EDITOR}, {BALANCER}"),
        (NGINX, f"{EDITOR}:4711"),
        (NGINX, "not-an-address"),
    ],
)
def test_the_lockout_counts_by_the_rule(count, remote, forwarded, settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = count
    meta = {"REMOTE_ADDR": remote, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})}
    request = RequestFactory().post("/admin/login/", **meta)
    assert get_client_ip_address(request) == client_address(meta, proxy_count=count)


@pytest.mark.parametrize(
    "count, remote, forwarded",
    [
        (0, ATTACKER, f"192.0.2.1, {EDITOR}"),
        (1, BALANCER, EDITOR),
        (1, NGINX, f"192.0.2.1, {EDITOR}"),
        (2, NGINX, f"{EDITOR}, {BALANCER}"),
        (2, NGINX, f"192.0.2.1, {EDITOR}, {BALANCER}"),
    ],
)
def test_the_api_throttles_count_by_the_rule_for_requests_through_the_proxies(count, remote, forwarded, proxies):
    from rest_framework.request import Request

    proxies(count)
    request = Request(RequestFactory().get(STATS, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded))
    throttles = resolve(STATS).func.cls.throttle_classes
    assert throttles
    for throttle in throttles:
        assert throttle().get_ident(request) == client_address(request, proxy_count=count)


@pytest.mark.parametrize(
    "remote, forwarded",
    [(NGINX, "192.0.2.1"), (NGINX, f"{EDITOR}:4711, {BALANCER}")],
)
def test_the_api_throttles_count_by_the_rule_for_every_header(remote, forwarded, proxies):
    from rest_framework.request import Request

    proxies(2)
    request = Request(RequestFactory().get(STATS, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded))
    for throttle in resolve(STATS).func.cls.throttle_classes:
        assert throttle().get_ident(request) == client_address(request, proxy_count=2)


# The access log: gunicorn itself, with the logger class gunicorn.conf.py can use.

ACCESS_APP = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


@pytest.mark.parametrize(
    "count, forwarded, logged",
    [
        (0, f"192.0.2.1, {EDITOR}", "127.0.0.1"),
        (1, f"192.0.2.1, {EDITOR}", EDITOR),
        (2, f"192.0.2.1, {EDITOR}, {BALANCER}", EDITOR),
    ],
)
def test_gunicorns_access_log_names_the_client_by_the_rule(tmp_path, count, forwarded, logged):
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "access_app.py").write_text(ACCESS_APP)
    (tmp_path / "conf.py").write_text(
        "from common.client_address import gunicorn_logger_class\n"
        f"logger_class = gunicorn_logger_class({count})\n"
        f"bind = '127.0.0.1:{port}'\nworkers = 1\naccesslog = '-'\naccess_log_format = '%(h)s %(r)s'\n"
    )
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{root}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(tmp_path / "conf.py"), "access_app:app"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/logged", headers={"X-Forwarded-For": forwarded}
                )
                assert urllib.request.urlopen(request, timeout=5).read() == b"ok"
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"{logged} GET /logged HTTP/1.1" in output.splitlines()
