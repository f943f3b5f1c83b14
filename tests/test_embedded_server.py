"""The embedded default (`python3 dev.py serve`: waitress, dev.server_command) faces clients with nothing in front:
slow clients cannot starve it, forwarded headers from loopback change nothing, and two instances do not meet."""

import json
import os
import signal
import socket
import subprocess
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


def _children(parent: int) -> list[int]:
    """The pids of `parent`'s child processes, from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == parent:
                children.append(int(entry.name))
    return sorted(children)


def _wait_for(condition, seconds: float = 15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.django_db(transaction=True)
def test_the_embedded_server_answers_from_several_processes_and_replaces_one_that_dies(app_database_url):
    port = appserver.free_port()
    server = appserver.start_embedded(app_database_url, port, SERVE_PROCESSES="3", SERVE_THREADS="2")
    try:
        children = _wait_for(lambda: len(_children(server.pid)) == 3 and _children(server.pid))
        assert children and len(children) == 3
        assert appserver.get(port, "/jurisdictions/48201/")[0] == 200
        os.kill(children[0], signal.SIGKILL)
        replaced = _wait_for(
            lambda: (now := _children(server.pid)) and len(now) == 3 and children[0] not in now and now
        )
        assert replaced, "a server process that died was not started again"
        # Every request is answered while and after one process is replaced.
        assert {appserver.get(port, f"/api/v1/stats/?as_of=2011-0{n}-01")[0] for n in range(1, 10)} == {200}
    finally:
        appserver.stop(server)
    assert server.returncode == 0
    assert not any(_alive(pid) for pid in children + replaced), "SIGTERM to the server left a process running"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


@pytest.mark.django_db(transaction=True)
def test_no_server_process_outlives_a_killed_parent(app_database_url):
    port = appserver.free_port()
    server = appserver.start_embedded(app_database_url, port, SERVE_PROCESSES="2")
    children = _wait_for(lambda: len(_children(server.pid)) == 2 and _children(server.pid))
    assert children
    server.kill()  # SIGKILL: the parent cannot tell its children
    server.wait()
    assert _wait_for(lambda: not any(_alive(pid) for pid in children), seconds=10), "an orphan kept answering"


@pytest.mark.parametrize("value", ["0", "-1", "two", "²", "1.5", "١"])
def test_a_bad_process_or_thread_count_stops_the_server_with_a_message(value, tmp_path):
    for name in ("SERVE_PROCESSES", "SERVE_THREADS"):
        env = appserver.environment(f"sqlite:///{tmp_path / 'unused.sqlite3'}", **{name: value})
        from dev import server_command

        result = subprocess.run(
            server_command(str(appserver.free_port())),
            cwd=appserver.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode != 0
        assert f"{name} must be a whole number of at least 1" in result.stderr
