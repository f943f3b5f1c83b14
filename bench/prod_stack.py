"""What bench/production.py's parts share: the servers in the production shape (gunicorn behind nginx, the embedded
default beside them, a bare WSGI app), requests and resident memory read from /proc, wrk runs, and the numbered
releases the release parts ask for."""

import http.client
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import dev
from bench.common import ROOT, VENV_BIN, _lua_string, free_port, wait_for, wrk
from deploy import run_nginx

CONNECTIONS = 8
# What browsers, curl --compressed and Python's requests send: every answer may come compressed.
CLIENT = {"Accept-Encoding": "gzip, deflate, br"}
# Every simulated reader shares one address: the per-address allowances (API, bulk downloads, searches, computed
# answers) would answer 429s and the bench would measure those, not the app. "off" disables each (settings.py).
ALLOWANCES_OFF = {name: "off" for name in ("API_RATE", "API_BULK_RATE", "SEARCH_RATE", "COMPUTED_RATE")}

BARE_APP = """
BODY = b'{"ok": true}'
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]
"""


# --- the servers -------------------------------------------------------------------------------------------


class Stack:
    """gunicorn in the production shape, nginx in front of it, and the bare app; all in one temporary folder."""

    def __init__(self, workdir: Path, workers: int | None):
        self.workdir = workdir
        self.workers = workers
        self.processes: list[subprocess.Popen] = []
        self.direct_port, self.nginx_port, self.bare_port = free_port(), free_port(), free_port()
        self.embedded_port = free_port()
        self.gunicorn: subprocess.Popen | None = None
        self.embedded: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None

    def start(self) -> None:
        static = self.workdir / "static"
        socket_path = self.workdir / "gunicorn.sock"
        env = {
            **os.environ,
            "PRODUCTION": "1",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or os.urandom(32).hex(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback: no redirect to HTTPS (nginx would terminate TLS in production).
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_PROXY_SSL_HEADER_NAME": "HTTP_X_FORWARDED_PROTO",
            "TRUSTED_PROXY_COUNT": "1",
            **ALLOWANCES_OFF,
            "STATIC_ROOT": str(static),
            "GUNICORN_ACCESS_LOG": "0",
            "GUNICORN_LOG_LEVEL": "warning",
            "LOG_LEVEL": "ERROR",
        }
        if self.workers:
            env["WEB_CONCURRENCY"] = str(self.workers)
        print("collectstatic (hashed, compressed files, as in production) ...", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        # gunicorn.conf.py gives workers, timeouts and logging; the command line adds the two places it listens.
        self.gunicorn = self._spawn(
            [str(VENV_BIN / "gunicorn"), "--bind", f"unix:{socket_path}", "--bind", f"127.0.0.1:{self.direct_port}"]
            + ["tracker.wsgi"],
            cwd=ROOT,
            env=env,
        )
        wait_for(self.direct_port, "/healthz")
        self.nginx = run_nginx.start(
            self.workdir / "nginx", port=self.nginx_port, upstream=f"unix:{socket_path}", static_root=static
        )
        self.processes.append(self.nginx)
        (self.workdir / "bare.py").write_text(BARE_APP)
        self._spawn(
            [str(VENV_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{self.bare_port}", "--log-level", "warning"]
            + ["bare:application"],
            cwd=self.workdir,
            env={k: v for k, v in os.environ.items() if k != "WEB_CONCURRENCY"},
        )
        wait_for(self.bare_port, "/")
        # The embedded default: the server README.md's first command starts (dev.py serve), on the same data,
        # without PRODUCTION and without nginx.
        embedded_env = {
            **os.environ,
            "PRODUCTION": "",
            **ALLOWANCES_OFF,
            "GUNICORN_LOG_LEVEL": "warning",
            "LOG_LEVEL": "ERROR",
        }
        if self.workers:
            embedded_env["WEB_CONCURRENCY"] = str(self.workers)
        self.embedded = self._spawn(dev.server_command(str(self.embedded_port)), cwd=ROOT, env=embedded_env)
        wait_for(self.embedded_port, "/healthz")

    def _spawn(self, command, **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(command, **kwargs)
        self.processes.append(process)
        return process

    def worker_pids(self, master: subprocess.Popen | None = None) -> list[int]:
        """gunicorn's workers (of the production server unless `master` says which): the processes whose parent
        is its master. A server with no worker processes (waitress, the embedded default) is its own worker."""
        master = master or self.gunicorn
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    # The command may contain spaces and parentheses: the fields after the last ")" are fixed.
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                if int(fields[1]) == master.pid:
                    pids.append(int(entry.name))
        return sorted(pids) or [master.pid]

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process is self.nginx:
                run_nginx.stop(process)
                continue
            process.terminate()
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def get(port: int, path: str, headers=None) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


# --- wrk, and the releases ----------------------------------------------------------------------------


def measure(port: int, paths, args, headers=None, cold=False) -> dict:
    """The median of --repeat wrk runs, with every run's errors."""
    runs = sorted(
        (wrk(port, paths, args.seconds, CONNECTIONS, headers=headers, cold=cold) for _ in range(args.repeat)),
        key=lambda run: run["rps"],
    )
    middle = dict(runs[len(runs) // 2])
    middle["errors"] = sum(run["errors"] for run in runs)
    return middle


LATENCY_SCRIPT = """
-- Asks PATHS in turn, each once while there are more (thread t of T takes paths t, t+T, t+2T, ...), then prints
-- the latency percentiles (microseconds) and the count of requests and errors.
local paths = {PATHS}
local threads = THREADS
local n = 0
local id = 0
setup = function(thread) id = id + 1; thread:set("id", id) end
request = function()
  local path = paths[((n * threads + id - 1) % #paths) + 1]
  n = n + 1
  return wrk.format("GET", path, HEADERS)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def latencies(port: int, paths: list[str], seconds: float, connections: int, headers=None) -> dict:
    """wrk asking `paths` in turn, every path once before any is asked again, for `seconds` over `connections`
    connections (one wrk thread per connection up to two). Returns requests, req/s, p50 and p95 in ms, errors
    (non-2xx/3xx answers, socket errors) and whether the paths ran out (`repeated`: some path was asked twice)."""
    threads = min(2, connections)
    script = (
        LATENCY_SCRIPT.replace("PATHS", ", ".join(_lua_string(path) for path in paths))
        .replace("THREADS", str(threads))
        .replace(
            "HEADERS",
            "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in (headers or CLIENT).items()) + "}",
        )
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "60s"]
            + ["-s", handle.name, f"http://127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    requests, duration, p50, p95, errors = (
        int(n) for n in re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+)", output).groups()
    )
    return {
        "requests": requests,
        "rps": requests / (duration / 1e6) if duration else float("nan"),
        "p50_ms": p50 / 1000,
        "p95_ms": p95 / 1000,
        "errors": errors,
        "repeated": requests > len(paths),
    }


def ensure_releases(count: int) -> list[str]:
    """Publish numbered releases (`manage.py publish_release`, the editors' command) until the database holds at
    least `count`; returns the ids of the latest `count` (r1 ...). A release needs no change in the data: one
    published right after another freezes the same rows, which is all the release parts need (each is still its
    own snapshot, built from its own stored file). With DATABASE_URL set they are published in that database."""
    env = {**os.environ, "PRODUCTION": "", "LOG_LEVEL": "ERROR"}
    manage = [sys.executable, "manage.py"]
    script = (
        "from releases.models import Release; "
        "print('RELEASES', *(f'r{n}' for n in Release.objects.order_by('number').values_list('number', flat=True)))"
    )

    def published() -> list[str]:
        shell = subprocess.run([*manage, "shell", "-c", script], cwd=ROOT, env=env, check=True, capture_output=True)
        # Only the line printed here: Django's system checks may print on stdout too.
        line = next(line for line in shell.stdout.decode().splitlines() if line.startswith("RELEASES"))
        return line.split()[1:]

    for _ in range(count - len(published())):
        subprocess.run(
            [*manage, "publish_release", "--note", "bench/production.py: one of the releases it cycles over."],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return published()[-count:]
