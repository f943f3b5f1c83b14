"""Real app servers for tests: gunicorn with the repo's gunicorn.conf.py, on a database every process shares.

`app_database_url` (a fixture in tests/conftest.py) gives a DATABASE_URL the servers and the test both
reach: on PostgreSQL the test database itself (a transactional test, the dataset loaded); on SQLite a file
database made for the module by `manage.py migrate` and `load_dataset` (the test run's own is in memory).
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from deploy import run_nginx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str, **extra: str) -> dict:
    # Browser test modules allow sync database access from async code; a deployment never would. No Redis: the
    # servers share what the database holds.
    drop = {"DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "PYTEST_CURRENT_TEST"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env.update(DATABASE_URL=database_url, GUNICORN_ACCESS_LOG="0", GUNICORN_LOG_LEVEL="warning", **extra)
    return env


def manage(database_url: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment(database_url), check=True, capture_output=True
    )


def postgres_url(settings_dict: dict) -> str:
    user, password = settings_dict["USER"] or "", settings_dict["PASSWORD"] or ""
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or "5432"
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def sqlite_database(folder: Path) -> str:
    """A migrated file database holding the shipped dataset."""
    url = f"sqlite:///{folder / 'shared.sqlite3'}"
    manage(url, "migrate", "--noinput")
    manage(url, "load_dataset")
    return url


def wait_until_listening(process: subprocess.Popen, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: {process.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"the server did not listen on {port} within {timeout:g} s")


def start(command: list[str], database_url: str, port: int, **env: str) -> subprocess.Popen:
    """`command` run from the repository on the shared database, once it listens on loopback `port`."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment(database_url, **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until_listening(process, port)
    return process


def start_gunicorn(database_url: str, port: int, *, workers: int = 3, **env: str) -> subprocess.Popen:
    """gunicorn as production runs it (gunicorn.conf.py), `workers` processes, listening on loopback `port`."""
    command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "tracker.wsgi"]
    return start(command, database_url, port, **env)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, up to 20 s for the workers to finish their requests, then SIGKILL."""
    run_nginx.stop(process, timeout=20)


def start_embedded(database_url: str, port: int, **env: str) -> subprocess.Popen:
    """`python3 dev.py serve`'s server (dev.server_command), listening on loopback `port`."""
    from dev import server_command

    return start(server_command(str(port)), database_url, port, **env)


def get(port: int, path: str, headers=None, timeout: float = 30) -> tuple[int, dict, bytes]:
    """(status, headers with lower-case names, body) of one GET on a fresh connection."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()
