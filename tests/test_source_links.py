"""`manage.py check_source_links` against a local HTTP server (no network is reachable here): live, dead (404),
refusing HEAD and slow addresses; a timeout and a bounded rate; the dead ones reported in the output and the
admin; no public data changed."""

import http.server
import io
import threading
import time

import pytest
from django.core.management import call_command

from common.reading import read_version
from jurisdictions.archive import LinkCheck
from jurisdictions.models import Source
from tests.factories import make_source

pytestmark = pytest.mark.django_db

SLOW_SECONDS = 2.0


class _Handler(http.server.BaseHTTPRequestHandler):
    asked: list = []

    def _answer(self, with_body: bool):
        type(self).asked.append((time.monotonic(), self.command, self.path))
        if self.path == "/slow":
            time.sleep(SLOW_SECONDS)
        if self.path == "/dead":
            self.send_error(404)
            return
        if self.path == "/get-only" and self.command == "HEAD":
            self.send_error(405)
            return
        body = b"<html><body>a press release</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_HEAD(self):  # noqa: N802 - the name http.server calls
        self._answer(False)

    def do_GET(self):  # noqa: N802
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site():
    _Handler.asked = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def sources(dataset, local_site):
    return {
        name: make_source(title=f"{name} page", url=f"{local_site}/{name}")
        for name in ("live", "dead", "slow", "get-only")
    }


def _run(sources, **options) -> str:
    out = io.StringIO()
    ids = [source.pk for source in sources.values()]
    call_command("check_source_links", source=ids, stdout=out, **options)
    return out.getvalue()


def test_dead_and_slow_addresses_are_reported_and_live_ones_are_not(sources):
    version = read_version().number
    before = list(Source.objects.order_by("pk").values())
    started = time.monotonic()
    output = _run(sources, timeout=0.5, rate=50)
    assert time.monotonic() - started < SLOW_SECONDS + 1
    dead_lines = [line for line in output.splitlines() if line.startswith("DEAD")]
    assert len(dead_lines) == 2
    assert any("\t404\t" in line and line.split("\t")[2].endswith("/dead") for line in dead_lines)
    assert any("\ttimed out\t" in line and line.split("\t")[2].endswith("/slow") for line in dead_lines)
    assert "Checked 4 addresses: 2 alive, 2 dead." in output
    checks = {check.source_id: check for check in LinkCheck.objects.all()}
    assert checks[sources["live"].pk].alive and checks[sources["live"].pk].status_code == 200
    # A server that refuses HEAD is asked again with GET.
    assert checks[sources["get-only"].pk].alive
    assert (checks[sources["dead"].pk].alive, checks[sources["dead"].pk].status_code) == (False, 404)
    assert (checks[sources["slow"].pk].alive, checks[sources["slow"].pk].error) == (False, "timed out")
    # No public data changed: the sources are as they were and the data version did not move.
    assert list(Source.objects.order_by("pk").values()) == before
    assert read_version().number == version


def test_addresses_are_asked_no_faster_than_the_rate(sources):
    _run(sources, timeout=0.5, rate=5)
    # The first request of each address (a GET after a refused HEAD follows at once).
    starts = sorted(at for at, method, path in _Handler.asked if method == "HEAD")
    assert len(starts) == 4
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    # 5 a second: 0.2 s apart as the checker sends them; the server sees them within a few milliseconds of that.
    # Unbounded, the three quick addresses would come a millisecond or two apart.
    assert min(gaps) >= 0.15, gaps


def test_editors_see_the_dead_addresses_in_the_admin(sources, editor_client):
    _run(sources, timeout=0.5, rate=50)
    page = editor_client.get("/admin/jurisdictions/source/?address=dead").content.decode()
    assert "dead page" in page and "slow page" in page
    assert "live page" not in page
    assert "dead: 404" in page and "dead: timed out" in page


def test_a_bad_option_is_refused(dataset):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("check_source_links", rate=0, stdout=io.StringIO())
