"""What the benchmark scripts share: the database they measure, free ports, waiting for a server, the machine's
description, and wrk (Debian's package), the load generator."""

import http.client
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def prepare_database(workdir: Path) -> str:
    """The database to measure, migrated and holding the shipped dataset: DATABASE_URL when it is set, else a new
    SQLite file in `workdir`. Sets DATABASE_URL in this process (before Django is set up) and returns it."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    env = {**os.environ, "PRODUCTION": "", "LOG_LEVEL": "ERROR"}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_dataset"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, path: str, timeout: float = 60, host: str = "127.0.0.1") -> None:
    """Until `path` answers something other than a 5xx."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path, headers={"Host": host})
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer {path}")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kib / 1024 / 1024:.1f} GB RAM"
    except (OSError, IndexError, ValueError):
        pass
    load = f", load average {os.getloadavg()[0]:.2f} at start" if hasattr(os, "getloadavg") else ""
    return (
        f"{os.cpu_count()} CPUs ({cpu}){memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}{load}"
    )


WRK_SCRIPT = """
-- Cycles through PATHS; with COLD, adds a parameter the app ignores, new on every request of every run.
local paths = {PATHS}
local cold = COLD
local run = "RUN"
local n = 0
local id = 0
setup = function(thread) id = id + 1; thread:set("id", id) end
request = function()
  n = n + 1
  local path = paths[(n % #paths) + 1]
  if cold then
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "_bench=" .. run .. "-" .. id .. "-" .. n
  end
  return wrk.format("GET", path, HEADERS)
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk(port: int, paths, seconds: float, connections: int, headers=None, cold=False) -> dict:
    """A closed loop driven by wrk on two threads: `connections` connections, keep-alive where the server allows
    it. Returns requests per second, median latency in ms and errors (non-2xx/3xx answers, socket errors)."""
    script = (
        WRK_SCRIPT.replace("PATHS", ", ".join(_lua_string(path) for path in paths))
        .replace("COLD", "true" if cold else "false")
        # A new prefix per run: a URL of an earlier run may still be in nginx's cache.
        .replace("RUN", os.urandom(6).hex())
        .replace(
            "HEADERS",
            "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in (headers or {}).items()) + "}",
        )
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{seconds:g}s",
                # Datasette's full CSV takes over a second: wrk's default 2 s timeout would count it as errors.
                "--timeout",
                "60s",
                "--latency",
                "-s",
                handle.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p50_ms = float(p50.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p50.group(2)] if p50 else float("nan")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return {"rps": rps, "p50_ms": p50_ms, "errors": errors}
