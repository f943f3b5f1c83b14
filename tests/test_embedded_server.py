"""The embedded default (`python3 dev.py serve`: waitress, dev.server_command) faces clients with nothing in front:
slow clients cannot starve it, forwarded headers from loopback change nothing, and two instances do not meet."""

import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from tests import appserver

SLOW_CLIENTS = 60


@pytest.fixture
def embedded(app_database_url):
    port = appserver.free_port()
    process = appserver.start_embedded(app_database_url, port, API_RATE="3/minute")
    yield port
    appserver.stop(process)


def _drip(port: int, stop: threading.Event, opened: list) -> None:
    """A client that sends its request line and headers one byte at a time and never finishes."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    opened.append(sock)
    request = b"GET /api/v1/stats/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: " + b"x" * 10_000
    for byte in request:
        if stop.is_set():
            break
        try:
            sock.send(bytes([byte]))
        except OSError:
            break
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_sixty_slow_clients_leave_the_embedded_server_answering(embedded):
    # The first answer of a process builds its snapshot: before the clock starts.
    assert appserver.get(embedded, "/jurisdictions/48201/")[0] == 200
    stop, opened = threading.Event(), []
    drippers = [threading.Thread(target=_drip, args=(embedded, stop, opened), daemon=True) for _ in range(SLOW_CLIENTS)]
    for dripper in drippers:
        dripper.start()
    try:
        deadline = time.monotonic() + 10
        while len(opened) < SLOW_CLIENTS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(opened) == SLOW_CLIENTS
        time.sleep(1)  # every slow client is connected and dripping
        # A server with a thread per connection (gunicorn's gthread: 5 workers x 4 threads) stops here.
        for day in range(1, 21):
            started = time.monotonic()
            status, _, _ = appserver.get(embedded, f"/jurisdictions/48201/?as_of=2011-03-{day:02d}", timeout=5)
            assert status == 200
            assert time.monotonic() - started < 2
    finally:
        stop.set()
        for sock in opened:
            sock.close()


@pytest.mark.django_db(transaction=True)
def test_forwarded_headers_from_loopback_change_nothing(embedded):
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Prefix": "/evil",
        "Script-Name": "/evil",
        "Forwarded": "for=198.51.100.7;proto=https;host=evil.example",
    }
    status, _, body = appserver.get(embedded, "/api/v1/jurisdictions/48201/", headers=headers)
    assert status == 200
    assert json.loads(body)["url"] == f"http://127.0.0.1:{embedded}/api/v1/jurisdictions/48201/"
    # Nor does X-Forwarded-For make a new client for the allowance (API_RATE 3/minute here): it is ignored.
    statuses = [
        appserver.get(embedded, f"/api/v1/stats/?as_of=2010-01-0{n}", headers={"X-Forwarded-For": f"203.0.113.{n}"})[0]
        for n in range(1, 5)
    ]
    assert statuses == [200, 200, 429, 429]  # the first answer above counted too


@pytest.mark.django_db(transaction=True)
def test_two_embedded_servers_run_side_by_side_and_stop_alone(app_database_url):
    first_port, second_port = appserver.free_port(), appserver.free_port()
    first = appserver.start_embedded(app_database_url, first_port)
    second = appserver.start_embedded(app_database_url, second_port)
    try:
        assert appserver.get(first_port, "/healthz")[0] == appserver.get(second_port, "/healthz")[0] == 200
        appserver.stop(first)
        assert appserver.get(second_port, "/healthz")[0] == 200
        assert appserver.get(second_port, "/jurisdictions/48201/")[0] == 200
    finally:
        appserver.stop(first)
        appserver.stop(second)


@pytest.mark.django_db(transaction=True)
def test_two_gunicorn_instances_of_one_user_share_no_control_socket(app_database_url, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_RUNTIME_DIR": str(tmp_path / "runtime")}
    (tmp_path / "runtime").mkdir()
    first_port, second_port = appserver.free_port(), appserver.free_port()
    first = appserver.start_gunicorn(app_database_url, first_port, workers=1, **env)
    second = appserver.start_gunicorn(app_database_url, second_port, workers=1, **env)
    try:
        sockets = [path for path in [home, tmp_path / "runtime"] for path in Path(path).rglob("*.ctl")]
        assert sockets == []
        appserver.stop(first)
        assert appserver.get(second_port, "/healthz")[0] == 200
    finally:
        appserver.stop(first)
        appserver.stop(second)
    assert os.path.exists(home)
