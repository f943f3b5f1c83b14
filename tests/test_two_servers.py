"""Two app servers in the production shape: two gunicorn instances on one database behind one nginx
(deploy/nginx.conf with both as upstream servers). What one server writes the other serves at once; a login,
a lockout and an allowance hold through both; stopping one costs readers nothing."""

import http.cookiejar
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from deploy import run_nginx
from tests import appserver

PASSWORD = "a-long-editor-password-42"


def _shell(app_database_url: str, code: str) -> None:
    """Run Django code in a process of its own on the shared database (a third process: neither server)."""
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=appserver.ROOT,
        env=appserver.environment(app_database_url),
        check=True,
        capture_output=True,
    )


@pytest.fixture
def site(app_database_url, tmp_path):
    if not run_nginx.NGINX or not __import__("pathlib").Path(run_nginx.NGINX).exists():
        pytest.fail("nginx is not installed: apt-get install nginx-light (`python3 dev.py test` does it as root)")
    env = {"TRUSTED_PROXY_COUNT": "1", "API_RATE": "6/minute", "AXES_FAILURE_LIMIT": "3"}
    ports = [appserver.free_port(), appserver.free_port()]
    servers = [appserver.start_gunicorn(app_database_url, port, workers=2, **env) for port in ports]
    static = tmp_path / "static"
    static.mkdir()
    nginx_port = appserver.free_port()
    nginx = run_nginx.start(
        tmp_path / "nginx",
        port=nginx_port,
        upstream=",".join(f"127.0.0.1:{port}" for port in ports),
        static_root=static,
    )
    yield {"nginx": nginx_port, "ports": ports, "servers": servers, "app_database_url": app_database_url}
    run_nginx.stop(nginx)
    for server in servers:
        appserver.stop(server)


def _name_on(port: int) -> str:
    status, _, body = appserver.get(port, "/api/v1/jurisdictions/48201/", headers={"X-Forwarded-For": "192.0.2.50"})
    assert status == 200
    return json.loads(body)["name"]


@pytest.mark.django_db(transaction=True)
def test_an_edit_is_seen_by_both_servers_at_once(site):
    first, second = site["ports"]
    assert _name_on(first) == _name_on(second) == "Harris County"  # each has built its snapshot
    _shell(
        site["app_database_url"],
        "from jurisdictions.models import Jurisdiction; j = Jurisdiction.objects.get(fips='48201'); "
        "j.name = 'Harris County (edited)'; j.save()",
    )
    assert _name_on(first) == _name_on(second) == "Harris County (edited)"


def _browser():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def _login(opener, port: int, username: str, password: str) -> int:
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/admin/login/?next=/admin/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"})
    try:
        response = opener.open(f"{base}/admin/login/?next=/admin/", data=form.encode())
        # Signed in: redirected to the admin's index; refused: the login form again.
        return 401 if "/admin/login/" in response.url else 200
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_a_login_and_a_lockout_hold_through_both_servers(site):
    _shell(
        site["app_database_url"],
        "from django.contrib.auth.models import User; "
        f"User.objects.create_superuser('edna', 'edna@example.org', '{PASSWORD}')",
    )
    opener, jar = _browser()
    assert _login(opener, site["nginx"], "edna", PASSWORD) == 200
    session = next(cookie.value for cookie in jar if cookie.name == "sessionid")
    # The session lives in the database: either server knows the editor.
    for port in site["ports"]:
        status, _, body = appserver.get(port, "/admin/", headers={"Cookie": f"sessionid={session}"})
        assert status == 200 and b"edna" in body.lower(), port
    # Failed logins through nginx land on both servers; the lockout (AXES_FAILURE_LIMIT 3) counts them all.
    attacker, _ = _browser()
    assert [_login(attacker, site["nginx"], "edna", "wrong") for _ in range(3)][:2] == [401, 401]
    assert _login(attacker, site["nginx"], "edna", PASSWORD) == 429


@pytest.mark.django_db(transaction=True)
def test_an_allowance_holds_through_both_servers(site):
    statuses = [appserver.get(site["nginx"], f"/api/v1/stats/?as_of=2010-02-{day:02d}")[0] for day in range(1, 11)]
    # API_RATE 6/minute, counted in the shared database whichever server answered.
    assert statuses == [200] * 6 + [429] * 4


@pytest.mark.django_db(transaction=True)
def test_stopping_one_server_costs_readers_nothing(site):
    assert appserver.get(site["nginx"], "/jurisdictions/48201/")[0] == 200
    appserver.stop(site["servers"][0])
    statuses = [
        appserver.get(site["nginx"], f"/jurisdictions/48201/?as_of=2011-05-{day:02d}")[0] for day in range(1, 21)
    ]
    assert statuses == [200] * 20
