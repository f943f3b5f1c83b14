"""Two app servers in the production shape: two gunicorn instances on one database behind one nginx
(deploy/nginx.conf with both as upstream servers). Everything goes through real HTTP, as editors and readers reach
the site: an edit saved in one server's admin is served by the other at once; a release published through one is
served byte for byte alike by both; a sign-in, a lockout and an allowance hold through both; stopping either
server while a reader keeps reading costs that reader nothing."""

import datetime
import hashlib
import http.cookiejar
import json
import threading
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest

from deploy import run_nginx
from tests import appserver

PASSWORD = "a-long-editor-password-42"
HARRIS = "/api/v1/jurisdictions/48201/"
# Harris County's activation as shipped (fixtures/activations.csv), and the date an editor corrects it to.
SHIPPED_DATE, EDITED_DATE = "2008-10-27", "2008-10-28"
# deploy/nginx.conf's proxy_cache_valid: how long nginx may answer an anonymous reader from its micro-cache before
# revalidating with the app (docs/production.md: "Anonymous readers see an edit within about 5 s").
MICRO_CACHE_SECONDS = 5


@pytest.fixture
def site(request, app_database_url, tmp_path):
    """Two gunicorn servers (A, B) on the test database, each with its own release file cache, behind one nginx.
    Extra server settings come from an indirect parametrisation (`request.param`)."""
    if not run_nginx.NGINX or not Path(run_nginx.NGINX).exists():
        pytest.fail("nginx is not installed: apt-get install nginx-light (`python3 dev.py test` does it as root)")
    env = {"TRUSTED_PROXY_COUNT": "1", "AXES_FAILURE_LIMIT": "3", **getattr(request, "param", {})}
    ports = [appserver.free_port(), appserver.free_port()]
    servers = [
        appserver.start_gunicorn(app_database_url, port, workers=2, RELEASES_DIR=str(tmp_path / name), **env)
        for port, name in zip(ports, ("releases-a", "releases-b"), strict=True)
    ]
    static = tmp_path / "static"
    static.mkdir()
    nginx_port = appserver.free_port()
    nginx = run_nginx.start(
        tmp_path / "nginx",
        port=nginx_port,
        upstream=",".join(f"127.0.0.1:{port}" for port in ports),
        static_root=static,
    )
    started = {"nginx": nginx_port, "ports": ports, "servers": servers, "env": env, "tmp": tmp_path}
    started["app_database_url"] = app_database_url
    yield started
    run_nginx.stop(nginx)
    for server in started["servers"]:
        appserver.stop(server)


@pytest.fixture
def editor_account(site):
    """A staff member of the Editors group with a password, written where both servers read it (in a process of
    its own: on SQLite the servers' database is a file, not this test run's in-memory one). Its username."""
    code = (
        "from django.contrib.auth.models import Group, User; from django.core.management import call_command; "
        "call_command('create_editors_group', verbosity=0); "
        "user = User.objects.filter(username='edna').first() or User(username='edna', is_staff=True); "
        f"user.set_password('{PASSWORD}'); user.save(); user.groups.add(Group.objects.get(name='Editors'))"
    )
    appserver.manage(site["app_database_url"], "shell", "-c", code)
    return "edna"


class Browser:
    """What a browser keeps and sends: its cookies (per host, so one jar for every port of 127.0.0.1, as the
    session of a site is one across its servers) and, on a visit straight to an app server, the
    X-Forwarded-For that nginx would have added for its address."""

    def __init__(self, address: str):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("X-Forwarded-For", address)]

    def open(self, port: int, path: str, data=None) -> tuple[int, str, str]:
        """(status, final address after redirects, page text); `data` (pairs or a dict) is POSTed form-encoded."""
        body = urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(f"http://127.0.0.1:{port}{path}", data=body, timeout=60) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.jar if cookie.name == name), None)


class _FormFields(HTMLParser):
    """The (name, value) pairs a browser submits for the form with id `form_id`, as rendered: text, hidden and
    checked inputs, each select's chosen options (else its first), each textarea's text; no buttons, no files,
    nothing disabled."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.pairs = form_id, False, []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name, kind = attrs.get("name"), (attrs.get("type") or "text").lower()
        if tag == "input" and name and kind not in {"submit", "button", "image", "reset", "file"}:
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.pairs.append((name, attrs.get("value") or ("on" if kind in {"checkbox", "radio"} else "")))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "chosen": [], "first": None}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value") or ""
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["chosen"].append(value)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"]
            if not chosen and not self.select["multiple"] and self.select["first"] is not None:
                chosen = [self.select["first"]]
            self.pairs += [(self.select["name"], value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            self.pairs.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def form_fields(page: str, form_id: str) -> dict[str, str]:
    """The fields of the form `form_id` in `page`, by name (the admin's change forms name each field once)."""
    parser = _FormFields(form_id)
    parser.feed(page)
    fields = dict(parser.pairs)
    assert fields, f"no form {form_id!r} on the page"
    assert len(fields) == len(parser.pairs), "a field sent more than once (a multiple select): not for a dict"
    return fields


def sign_in(browser: Browser, port: int, username: str = "edna", password: str = PASSWORD) -> int:
    """The admin's login form, filled in and sent: 200 signed in, 401 refused (the form again), else the status
    (django-axes answers a locked-out pair with 429)."""
    status, _, page = browser.open(port, "/admin/login/?next=/admin/")
    assert status == 200, status
    fields = form_fields(page, "login-form")
    status, url, _ = browser.open(
        port, "/admin/login/?next=/admin/", {**fields, "username": username, "password": password}
    )
    if status != 200:
        return status
    return 401 if "/admin/login/" in url else 200


def api(port: int, path: str, address: str, **headers) -> tuple[int, dict, dict]:
    """(status, headers, JSON answer) of one GET as the client at `address` (through nginx: nginx's own)."""
    status, response_headers, body = appserver.get(port, path, headers={"X-Forwarded-For": address, **headers})
    return status, response_headers, json.loads(body) if status == 200 else {}


def page_text(port: int, path: str) -> str:
    """The text of an answer that must be a 200."""
    status, _, body = appserver.get(port, path)
    assert status == 200, (path, status)
    return body.decode()


def edit_activation_date(browser: Browser, port: int) -> None:
    """Through `port`'s admin: open Harris County's change form, move its activation row to EDITED_DATE, give the
    reason the admin asks for, save, and check the admin said so."""
    change = "/admin/jurisdictions/jurisdiction/48201/change/"
    status, _, page = browser.open(port, change)
    assert status == 200, status
    fields = form_fields(page, "jurisdiction_form")
    row = next(name for name, value in fields.items() if name.endswith("-effective_on") and value == SHIPPED_DATE)
    assert fields[row.replace("-effective_on", "-source")], "the row has its source"
    fields[row] = EDITED_DATE
    fields["change_reason"] = "ICE's list gives 2008-10-28"
    status, url, page = browser.open(port, change, fields)
    assert status == 200 and url.endswith("/admin/jurisdictions/jurisdiction/"), (status, url, page[-3000:])
    assert "was changed successfully" in page


def publish_release(browser: Browser, port: int, note: str) -> str:
    """Through `port`'s admin: add a release (adding is publishing, releases/admin.py); the admin's message."""
    add = "/admin/releases/release/add/"
    status, _, page = browser.open(port, add)
    assert status == 200, status
    status, url, page = browser.open(port, add, {**form_fields(page, "release_form"), "note": note})
    assert status == 200 and url.endswith("/admin/releases/release/"), (status, url, page[-3000:])
    return page


@pytest.mark.django_db(transaction=True)
def test_an_edit_and_a_release_made_through_one_server_are_served_by_the_other(site, editor_account):
    first, second = site["ports"]
    nginx = site["nginx"]
    # Both servers have built their snapshot, and nginx holds Harris County in its micro-cache.
    for port in (first, second):
        assert api(port, HARRIS, "192.0.2.50")[2]["activated_on"] == SHIPPED_DATE, port
    _, headers, answer = api(nginx, HARRIS, "192.0.2.50")
    stored = time.monotonic()  # nginx stored its copy before answering
    assert (headers["x-cache-status"], answer["activated_on"]) == ("MISS", SHIPPED_DATE)
    _, headers, answer = api(nginx, HARRIS, "192.0.2.50")
    assert (headers["x-cache-status"], answer["activated_on"]) == ("HIT", SHIPPED_DATE)

    editor = Browser("192.0.2.10")
    assert sign_in(editor, first) == 200
    edit_activation_date(editor, first)
    # The other server (and the one that saved) answer with the edit at once: the data version moved in the
    # edit's transaction, and each process rebuilds its snapshot on its next request.
    for port in (second, first):
        status, _, answer = api(port, HARRIS, "192.0.2.50")
        assert (status, answer["activated_on"]) == (200, EDITED_DATE), port
    page = page_text(second, "/jurisdictions/48201/")
    assert f'<time datetime="{EDITED_DATE}">' in page
    # Through nginx the editor (a session cookie) bypasses the micro-cache: at once, too.
    session = {"Cookie": f"sessionid={editor.cookie('sessionid')}"}
    assert api(nginx, HARRIS, "192.0.2.50", **session)[2]["activated_on"] == EDITED_DATE

    # Meanwhile the editor publishes a release through the other server, signed in by the same cookie.
    assert "Published r2." in publish_release(editor, second, "Harris County date")
    # A lists it (the list revalidates every time), and A, B and nginx serve every file of it alike: the bytes the
    # manifest hashes, under the same ETag, although each server keeps a file cache of its own.
    assert "/releases/r2/" in page_text(first, "/releases/")
    manifest = json.loads(page_text(first, "/releases/r2/manifest.json"))
    assert (manifest["release"], manifest["previous"], manifest["note"]) == ("r2", "r1", "Harris County date")
    for name in ["manifest.json", *manifest["files"]]:
        answers = [appserver.get(port, f"/releases/r2/{name}") for port in (first, second, nginx)]
        assert [status for status, _, _ in answers] == [200, 200, 200], name
        assert answers[0][2] == answers[1][2] == answers[2][2], name
        assert answers[0][1]["etag"] == answers[1][1]["etag"] == answers[2][1]["etag"], name
        if name != "manifest.json":
            assert hashlib.sha256(answers[0][2]).hexdigest() == manifest["files"][name]["sha256"], name
    changelog = page_text(first, "/releases/r2/changelog.json")
    assert "48201" in changelog and EDITED_DATE in changelog
    # The release's API answers, asked for one public address (nginx passes the reader's Host, which links and
    # the ETag name): the same bytes and ETag from each server; the edit is in r2, not in r1.
    public = {"Host": f"127.0.0.1:{nginx}", "X-Forwarded-For": "192.0.2.51"}
    for number, date in ((2, EDITED_DATE), (1, SHIPPED_DATE)):
        answers = [appserver.get(port, f"{HARRIS}?release=r{number}", headers=public) for port in (first, second)]
        assert answers[0][0] == answers[1][0] == 200, number
        assert answers[0][2] == answers[1][2] and answers[0][1]["etag"] == answers[1][1]["etag"], number
        assert json.loads(answers[0][2])["activated_on"] == date, number

    # An anonymous reader through nginx may be answered from nginx's copy, stored before the edit, for
    # MICRO_CACHE_SECONDS (HIT). The first request after that still gets the old copy (STALE, and UPDATING for any
    # that come while it is refreshed: proxy_cache_use_stale updating, proxy_cache_background_update) while nginx
    # revalidates with the app's ETag, which the edit changed; the next ones get the edit. Each a whole 200.
    seen, deadline = [], time.monotonic() + MICRO_CACHE_SECONDS + 10
    while time.monotonic() < deadline:
        age = round(time.monotonic() - stored, 1)
        status, headers, answer = api(nginx, HARRIS, "192.0.2.50")
        seen.append((status, answer.get("activated_on"), headers.get("x-cache-status"), age))
        if seen[-1][:2] == (200, EDITED_DATE):
            break
        time.sleep(0.2)
    assert seen[-1][:2] == (200, EDITED_DATE), seen
    for status, date, cache, age in seen[:-1]:
        assert (status, date) == (200, SHIPPED_DATE), seen
        # nginx counts a copy's lifetime in whole seconds: up to one more.
        assert cache in {"STALE", "UPDATING"} or (cache == "HIT" and age <= MICRO_CACHE_SECONDS + 1), seen


@pytest.mark.django_db(transaction=True)
def test_a_sign_in_and_a_lockout_hold_through_both_servers(site, editor_account):
    first, second = site["ports"]
    editor = Browser("192.0.2.20")
    assert sign_in(editor, first) == 200
    # The session lives in the database: the other server, and nginx, know the editor by the cookie A set.
    for port in (second, site["nginx"]):
        status, _, page = editor.open(port, "/admin/")
        assert status == 200 and "edna" in page.lower() and "Site administration" in page, port
    # Failed sign-ins from one address, split across the servers, are counted together: the third
    # (AXES_FAILURE_LIMIT) locks the pair out on both, even with the right password.
    attacker = Browser("192.0.2.66")
    assert [sign_in(attacker, port, password="wrong") for port in (first, second)] == [401, 401]
    assert sign_in(attacker, first, password="wrong") == 429
    assert [sign_in(attacker, port) for port in (second, first)] == [429, 429]
    # The lockout is of that address and username: the editor elsewhere (here through nginx) still signs in.
    assert sign_in(Browser("192.0.2.21"), site["nginx"]) == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("site", [{"API_RATE": "6/minute", "SEARCH_RATE": "4/minute"}], indirect=True)
def test_allowances_hold_through_both_servers(site):
    first, second = site["ports"]
    # One client alternating between the servers: its allowances are counted in the shared database, not per
    # server (API_RATE 6/minute, SEARCH_RATE 4/minute).
    statuses = [
        api((first, second)[day % 2], f"/api/v1/stats/?as_of=2010-02-{day:02d}", "192.0.2.30")[0]
        for day in range(1, 11)
    ]
    assert statuses == [200] * 6 + [429] * 4
    address = {"X-Forwarded-For": "192.0.2.31"}
    statuses = [appserver.get((first, second)[n % 2], f"/search/suggest?q=cook+{n}", address)[0] for n in range(7)]
    assert statuses == [200] * 4 + [429] * 3
    # Through nginx the client is nginx's address, whichever server answers; each search is a new URL, so none is
    # answered from nginx's cache (nor is a 429 kept there).
    statuses = [appserver.get(site["nginx"], f"/search/suggest?q=harris+{n}")[0] for n in range(7)]
    assert statuses == [200] * 4 + [429] * 3


class Reader(threading.Thread):
    """Reads county pages through nginx one after another, each for a day no one asked before (so nginx has no copy
    to fall back on: every answer comes from an app server), and records every status or failure."""

    def __init__(self, port: int, first_day: datetime.date):
        super().__init__(daemon=True)
        self.port, self.day, self.answers, self.running = port, first_day, [], True

    def run(self):
        while self.running:
            try:
                status = appserver.get(self.port, f"/jurisdictions/48201/?as_of={self.day.isoformat()}")[0]
            except OSError as error:
                status = repr(error)
            self.answers.append(status)
            self.day += datetime.timedelta(days=1)
            # A reader, not a load test: the servers' restarts keep some of the machine's CPU.
            time.sleep(0.05)

    def keep_reading(self, count: int, timeout: float = 30) -> None:
        """Return once `count` more answers have come (failing after `timeout` seconds)."""
        wanted, deadline = len(self.answers) + count, time.monotonic() + timeout
        while len(self.answers) < wanted:
            assert time.monotonic() < deadline, f"{len(self.answers)} answers, {wanted} wanted"
            time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_stopping_either_server_costs_readers_nothing(site):
    readers = [Reader(site["nginx"], datetime.date(2009, 1, 1)), Reader(site["nginx"], datetime.date(2011, 1, 1))]
    for reader in readers:
        reader.start()

    def keep_reading(count):
        for reader in readers:
            reader.keep_reading(count)

    try:
        keep_reading(3)
        # SIGTERM, as a process manager stops gunicorn; stop() returns once it has exited.
        appserver.stop(site["servers"][0])
        keep_reading(6)
        # A again (it answers on its own before nginx is relied on to use it); then B goes.
        first = site["ports"][0]
        site["servers"][0] = appserver.start_gunicorn(
            site["app_database_url"], first, workers=2, RELEASES_DIR=str(site["tmp"] / "releases-a"), **site["env"]
        )
        assert appserver.get(first, "/jurisdictions/48201/")[0] == 200
        keep_reading(3)
        appserver.stop(site["servers"][1])
        keep_reading(6)
    finally:
        for reader in readers:
            reader.running = False
        for reader in readers:
            reader.join(timeout=30)
    for reader in readers:
        assert set(reader.answers) == {200}, [answer for answer in reader.answers if answer != 200]
    # Not for want of trying: nginx did send readers' requests to each stopped server, and passed them on to the
    # other when the connection was refused or dropped (proxy_next_upstream "error").
    failures = (site["tmp"] / "nginx" / "error.log").read_text()
    for port in site["ports"]:
        assert f'upstream: "http://127.0.0.1:{port}/jurisdictions/48201/' in failures, port
