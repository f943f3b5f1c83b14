"""Side-by-side benchmark: the tracker's API v1 under gunicorn against Datasette serving the same rows from SQLite.

    .venv/bin/pip install -e ".[bench]"      # Datasette, only for this script
    apt-get install -y wrk                   # the load generator (Debian package)
    .venv/bin/python bench/api_vs_datasette.py [--seconds 5] [--concurrency 8] [--repeat 3]

What it does, all on this machine:
1. exports the API's own jurisdictions CSV (as of today) into a SQLite file, one table keyed by FIPS, so that
   Datasette serves exactly the rows the API serves;
2. starts the tracker under gunicorn (2 sync workers, throttling off), Datasette (``datasette serve``) and a bare
   WSGI app that returns fixed bytes under gunicorn (2 workers): the ceiling for any Django answer;
3. for each key endpoint, runs the same closed-loop load (N connections, keep-alive where the server allows it)
   for a few seconds against each server in turn, `--repeat` times, and prints the median requests per second,
   median latency and the ratio.

The load comes from wrk when it is installed (a C load generator: it leaves the two cores to the servers). The
fallback, Python threads, spends as much CPU per request as the fastest answers cost, which adds the same cost
to both sides and pulls every ratio toward 1; its numbers are printed with a warning.

"cold" rows defeat the API's answer cache by adding a changing, ignored query parameter, so every request is
computed (Datasette has no such cache, but SQLite's page cache keeps it warm). "warm" rows repeat one URL, as a
polling client does: the API answers from its copy keyed on the data version. "304" rows send If-None-Match.

DESIGN.md's budget: page of 100, one jurisdiction, stats and the full CSV at 3x Datasette; repeat requests at half
the bare-WSGI rate. The client shares the CPU with the servers, so absolute numbers are lower than a separate
load generator would show; the ratios are the point. Numbers are printed, never asserted. On a shared virtual
machine single runs vary by 20% or more, hence the repeats.
"""

import argparse
import csv
import http.client
import io
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

BARE_APP = """
BODY = b'{"ok": true}'
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer {path}")


def export_rows(workdir: Path) -> Path:
    """The API's own full CSV, loaded into SQLite for Datasette (same rows, same columns)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    response = Client().get("/api/v1/jurisdictions/?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    path = workdir / "scomm.db"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    columns = ", ".join(f'"{name}" TEXT' + (" PRIMARY KEY" if name == "fips" else "") for name in header)
    db.execute(f"CREATE TABLE jurisdictions ({columns})")
    db.executemany(f"INSERT INTO jurisdictions VALUES ({', '.join('?' * len(header))})", body)
    db.execute('CREATE INDEX jurisdictions_state ON jurisdictions ("state", "name")')
    db.commit()
    db.close()
    print(f"exported {len(body)} rows to {path}")
    return path


def load(port: int, paths, seconds: float, concurrency: int, headers=None) -> dict:
    """Closed loop: each thread sends the next request when the previous answer is read. Paths cycle."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def worker(offset: int):
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad, i = [], 0, offset
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += concurrency
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                response.read()
                if response.status not in (200, 304):
                    bad += 1
                if response.getheader("Connection", "").lower() == "close" or response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "errors": errors,
    }


WRK_SCRIPT = """
-- Cycles through the paths given in PATHS; COLD adds a parameter the API ignores, new on every request.
local paths = {PATHS}
local cold = COLD
local n = 0
local id = 0
setup = function(thread) id = id + 1; thread:set("id", id) end
request = function()
  n = n + 1
  local path = paths[(n % #paths) + 1]
  if cold then
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "_bench=" .. id .. "-" .. n
  end
  return wrk.format("GET", path, HEADERS)
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def load_wrk(port: int, paths, seconds: float, concurrency: int, headers=None, cold=False) -> dict:
    """The same closed loop, driven by wrk: `concurrency` connections on two threads."""
    script = (
        WRK_SCRIPT.replace("PATHS", ", ".join(_lua_string(path) for path in paths))
        .replace("COLD", "true" if cold else "false")
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
                str(concurrency),
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


def measure(args, port: int, paths, headers=None, cold=False) -> dict:
    """The median run of `--repeat` (requests per second, its median latency, all errors)."""
    runs = []
    for _ in range(args.repeat):
        if args.client == "wrk":
            runs.append(load_wrk(port, paths, args.seconds, args.concurrency, headers, cold))
        else:
            todo = paths
            if cold:
                stamp = time.monotonic_ns()
                todo = [
                    f"{paths[n % len(paths)]}{'&' if '?' in paths[n % len(paths)] else '?'}_bench={stamp}-{n}"
                    for n in range(50000)
                ]
            runs.append(load(port, todo, args.seconds, args.concurrency, headers))
    runs.sort(key=lambda run: run["rps"])
    middle = dict(runs[len(runs) // 2])
    middle["errors"] = sum(run["errors"] for run in runs)
    return middle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="load duration per endpoint and server")
    parser.add_argument("--concurrency", type=int, default=8, help="client connections")
    parser.add_argument("--repeat", type=int, default=3, help="runs per endpoint and server; the median is shown")
    parser.add_argument(
        "--client",
        choices=["wrk", "python"],
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator (default: wrk when installed)",
    )
    args = parser.parse_args()
    if args.client == "python":
        print("WARNING: no wrk (apt-get install -y wrk): Python client threads share the CPU with the servers and")
        print("         pull every ratio toward 1; install wrk for numbers to compare with the budgets.")

    workdir = Path(tempfile.mkdtemp(prefix="scomm-bench-"))
    db_path = export_rows(workdir)
    (workdir / "bare.py").write_text(BARE_APP)
    api_port, ds_port, bare_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "API_RATE": "off",
        "API_BULK_RATE": "off",
        "API_EXPORT_DIR": str(workdir / "exports"),
        "LOG_LEVEL": "ERROR",
    }
    env.pop("DEBUG", None)
    gunicorn = str(VENV_BIN / "gunicorn")
    servers = [
        subprocess.Popen(
            [gunicorn, "-w", "2", "-b", f"127.0.0.1:{api_port}", "--log-level", "error", "tracker.wsgi"],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [
                str(VENV_BIN / "datasette"),
                "serve",
                str(db_path),
                "--port",
                str(ds_port),
                "--setting",
                "sql_time_limit_ms",
                "10000",
                "--setting",
                "max_returned_rows",
                "5000",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [gunicorn, "-w", "2", "-b", f"127.0.0.1:{bare_port}", "--log-level", "error", "bare:application"],
            cwd=workdir,
            env=env,
        ),
    ]
    try:
        wait_for(api_port, "/api/v1/stats/")
        wait_for(ds_port, "/scomm/jurisdictions.json?_size=1")
        wait_for(bare_port, "/")
        run(args, db_path, api_port, ds_port, bare_port)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)


def _etag(port: int, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.getheader("ETag")


def run(args, db_path: Path, api_port: int, ds_port: int, bare_port: int) -> None:
    stats_sql = "select state, status, count(*) as n from jurisdictions group by state, status order by state, status"
    ds_stats = "/scomm.json?_shape=array&sql=" + stats_sql.replace(" ", "+").replace(",", "%2C")
    # Datasette pages by key: start each page after every 100th FIPS code.
    db = sqlite3.connect(db_path)
    every_fips = [row[0] for row in db.execute("select fips from jurisdictions order by fips")]
    boundaries = every_fips[99::100][:31]
    db.close()
    pages = [f"/api/v1/jurisdictions/?page_size=100&page={n}" for n in range(1, 32)]
    ds_pages = [f"/scomm/jurisdictions.json?_size=100&_next={fips}" for fips in boundaries]
    one, ds_one = ["/api/v1/jurisdictions/48201/"], ["/scomm/jurisdictions/48201.json"]
    stats = ["/api/v1/stats/"]
    csv_all, ds_csv = ["/api/v1/jurisdictions/?format=csv"], ["/scomm/jurisdictions.csv?_stream=on&_size=max"]
    cases = [
        # name, API paths, Datasette paths, cold (every API request computed: a new ignored parameter each time)
        ("page of 100 (cold)", pages, ds_pages, True),
        ("one jurisdiction (cold)", one, ds_one, True),
        (
            "every jurisdiction in turn",
            [f"/api/v1/jurisdictions/{fips}/" for fips in every_fips],
            [f"/scomm/jurisdictions/{fips}.json" for fips in every_fips],
            True,
        ),
        ("stats (cold)", stats, [ds_stats], True),
        ("full CSV (cold)", csv_all, ds_csv, True),
        ("page of 100 (warm)", pages[:1], ["/scomm/jurisdictions.json?_size=100"], False),
        ("one jurisdiction (warm)", one, ds_one, False),
        ("stats (warm)", stats, [ds_stats], False),
        ("full CSV (warm)", csv_all, ds_csv, False),
    ]
    print(
        f"\n{args.client}: {args.concurrency} connections, {args.seconds:g} s per run, median of {args.repeat} runs, "
        f"{os.cpu_count()} CPUs\n"
    )
    print(f"{'endpoint':28} {'API req/s':>10} {'p50 ms':>8} {'Datasette':>10} {'p50 ms':>8} {'ratio':>7}")
    for name, api_paths, ds_paths, cold in cases:
        api = measure(args, api_port, api_paths, cold=cold)
        ds = measure(args, ds_port, ds_paths)
        ratio = api["rps"] / ds["rps"] if ds["rps"] else float("inf")
        errors = f"  errors: API {api['errors']}, Datasette {ds['errors']}" if api["errors"] or ds["errors"] else ""
        print(
            f"{name:28} {api['rps']:10.1f} {api['p50_ms']:8.1f} {ds['rps']:10.1f} {ds['p50_ms']:8.1f} "
            f"{ratio:6.1f}x{errors}",
            flush=True,
        )

    print("\nrepeat requests against the bare-WSGI ceiling (budget: half its rate or better)")
    bare = measure(args, bare_port, ["/"])
    print(f"{'bare WSGI, fixed bytes':28} {bare['rps']:10.1f} {bare['p50_ms']:8.1f}")
    repeats = [
        ("same URL, one jurisdiction", one[0], None),
        ("304, one jurisdiction", one[0], {"If-None-Match": _etag(api_port, one[0])}),
        ("same URL, stats", stats[0], None),
        ("304, full CSV", csv_all[0], {"If-None-Match": _etag(api_port, csv_all[0])}),
    ]
    for name, path, headers in repeats:
        result = measure(args, api_port, [path], headers=headers)
        errors = f"  errors: {result['errors']}" if result["errors"] else ""
        print(
            f"{name:28} {result['rps']:10.1f} {result['p50_ms']:8.1f}   {result['rps'] / bare['rps']:.2f} of bare WSGI"
            f"{errors}",
            flush=True,
        )


if __name__ == "__main__":
    main()
