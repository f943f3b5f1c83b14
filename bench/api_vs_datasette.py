"""Side-by-side benchmark: the tracker's API v1 under gunicorn against Datasette serving the same rows from SQLite.

    .venv/bin/pip install -e ".[bench]"      # Datasette, only for this script
    .venv/bin/python bench/api_vs_datasette.py [--seconds 5] [--concurrency 8]

What it does, all on this machine:
1. exports the API's own jurisdictions CSV (as of today) into a SQLite file, one table keyed by FIPS, so that
   Datasette serves exactly the rows the API serves;
2. starts the tracker under gunicorn (2 sync workers, throttling off), Datasette (``datasette serve``) and a bare
   WSGI app that returns fixed bytes under gunicorn (2 workers): the ceiling for any Django answer;
3. for each key endpoint, runs the same closed-loop load (N client threads, keep-alive where the server allows it)
   for a few seconds against each server in turn, and prints requests per second, median latency and the ratio.

"cold" rows defeat the API's answer cache by adding a changing, ignored query parameter, so every request is
computed (Datasette has no such cache, but SQLite's page cache keeps it warm). "warm" rows repeat one URL, as a
polling client does: the API answers from its copy keyed on the data version. "304" rows send If-None-Match.

DESIGN.md's budget: page of 100, one jurisdiction, stats and the full CSV at 3x Datasette; repeat requests at half
the bare-WSGI rate. The client shares the CPU with the servers, so absolute numbers are lower than a separate
load generator would show; the ratios are the point. Numbers are printed, never asserted.
"""

import argparse
import csv
import http.client
import io
import os
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="load duration per endpoint and server")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    args = parser.parse_args()

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
    cold = [f"&_bench={n}" for n in range(5000)]
    # Datasette pages by key: start each page after every 100th FIPS code.
    db = sqlite3.connect(db_path)
    boundaries = [row[0] for row in db.execute("select fips from jurisdictions order by fips")][99::100][:31]
    db.close()
    cases = [
        # name, API paths, Datasette paths
        (
            "page of 100 (cold)",
            [f"/api/v1/jurisdictions/?page_size=100&page={1 + n % 31}{cold[n]}" for n in range(5000)],
            [f"/scomm/jurisdictions.json?_size=100&_next={fips}" for fips in boundaries],
        ),
        (
            "one jurisdiction (cold)",
            [f"/api/v1/jurisdictions/48201/?_bench={n}" for n in range(50000)],
            ["/scomm/jurisdictions/48201.json"],
        ),
        (
            "stats (cold)",
            [f"/api/v1/stats/?_bench={n}" for n in range(50000)],
            [ds_stats],
        ),
        (
            "full CSV (cold)",
            [f"/api/v1/jurisdictions/?format=csv&_bench={n}" for n in range(50000)],
            ["/scomm/jurisdictions.csv?_stream=on&_size=max"],
        ),
        ("page of 100 (warm)", ["/api/v1/jurisdictions/?page_size=100"], ["/scomm/jurisdictions.json?_size=100"]),
        ("one jurisdiction (warm)", ["/api/v1/jurisdictions/48201/"], ["/scomm/jurisdictions/48201.json"]),
        ("stats (warm)", ["/api/v1/stats/"], [ds_stats]),
        ("full CSV (warm)", ["/api/v1/jurisdictions/?format=csv"], ["/scomm/jurisdictions.csv?_stream=on&_size=max"]),
    ]
    print(f"\n{args.concurrency} client threads, {args.seconds:g} s per run, {os.cpu_count()} CPUs\n")
    print(f"{'endpoint':28} {'API req/s':>10} {'p50 ms':>8} {'Datasette':>10} {'p50 ms':>8} {'ratio':>7}")
    for name, api_paths, ds_paths in cases:
        api = load(api_port, api_paths, args.seconds, args.concurrency)
        ds = load(ds_port, ds_paths, args.seconds, args.concurrency)
        ratio = api["rps"] / ds["rps"] if ds["rps"] else float("inf")
        errors = f"  errors: API {api['errors']}, Datasette {ds['errors']}" if api["errors"] or ds["errors"] else ""
        print(
            f"{name:28} {api['rps']:10.1f} {api['p50_ms']:8.1f} {ds['rps']:10.1f} {ds['p50_ms']:8.1f} "
            f"{ratio:6.1f}x{errors}"
        )

    bare = load(bare_port, ["/"], args.seconds, args.concurrency)
    print(f"\n{'bare WSGI, fixed bytes':28} {bare['rps']:10.1f} {bare['p50_ms']:8.1f}")
    for name, path in [
        ("304, one jurisdiction", "/api/v1/jurisdictions/48201/"),
        ("304, full CSV", "/api/v1/jurisdictions/?format=csv"),
    ]:
        result = load(
            api_port, [path], args.seconds, args.concurrency, headers={"If-None-Match": _etag(api_port, path)}
        )
        print(
            f"{name:28} {result['rps']:10.1f} {result['p50_ms']:8.1f}   {result['rps'] / bare['rps']:.2f} of bare WSGI"
        )


if __name__ == "__main__":
    main()
