"""Side-by-side benchmark: computed answers of the tracker's API v1 under gunicorn against Datasette serving the
same rows from SQLite.

    .venv/bin/pip install -e ".[bench]"      # Datasette, only for this script
    apt-get install -y wrk                   # the load generator (Debian package)
    .venv/bin/python bench/api_vs_datasette.py [--seconds 5] [--concurrency 8] [--repeat 3]

What it does, all on this machine:
1. prepares the database (DATABASE_URL, or a new SQLite file loaded with the shipped dataset: bench/common.py) and
   exports the API's own jurisdictions CSV (as of today) into a SQLite file, one table keyed by FIPS, so that
   Datasette serves exactly the rows the API serves;
2. starts the tracker under gunicorn (2 sync workers, throttling off) and Datasette (``datasette serve``);
3. for each key endpoint, runs the same closed-loop load (N connections, keep-alive where the server allows it)
   for a few seconds against each server in turn, `--repeat` times, and prints the median requests per second,
   median latency and the ratio.

Every API request is computed: the app's answer store is off (ANSWER_CACHE_MB=0, as in production, where nginx
caches) and a changing parameter the API ignores makes each URL one never asked before (Datasette has no answer
cache; SQLite's page cache keeps it warm). Two sets of cases: today's answers, and answers for days never asked
before (`as_of` rotating over the days of 2008-10 to 2013-06 in a shuffled order: the journalist walking the
history), where Datasette runs its SQL for the same question over the same dated changes (the status on the day
is the latest change on or before it). Repeat requests, memory and slow clients are measured in the production
shape, behind nginx, by bench/production.py.

The load comes from wrk when it is installed (a C load generator: it leaves the two cores to the servers). The
fallback, Python threads, spends as much CPU per request as the fastest answers cost, which adds the same cost
to both sides and pulls every ratio toward 1; its numbers are printed with a warning.

DESIGN.md's budget: page of 100, one jurisdiction, stats and the full CSV at 5x Datasette, today's and new days.
The client shares the CPU with the servers, so absolute numbers are lower than a separate load generator would
show; the ratios are the point. On a shared virtual machine single runs vary by 20% or more, hence the repeats. Exits 1
when a ratio is under 5x.
"""

import argparse
import csv
import datetime
import http.client
import io
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, VENV_BIN, free_port, prepare_database, wait_for, wrk  # noqa: E402

BUDGET = 5.0
# The days a journalist walks: 2008-10-01 to 2013-06-30, shuffled (the same order every run).
FIRST_DAY = datetime.date(2008, 10, 1)
NEW_DAYS = [FIRST_DAY + datetime.timedelta(days=n) for n in range(1734)]
random.Random(22).shuffle(NEW_DAYS)
# Datasette's SQL for a unit's standing on :day (the as-of rule: its latest change on or before the day).
STATUS_ON = (
    "coalesce((select c.status from changes c where c.fips = j.fips and c.effective_on <= :day "
    "order by c.effective_on desc, c.id desc limit 1), 'not_activated')"
)
ACTIVATED_ON = (
    "(select min(c.effective_on) from changes c where c.fips = j.fips and c.status = 'activated' "
    "and c.effective_on <= :day)"
)
ROW_SQL = f"select j.fips, j.name, j.state, {STATUS_ON} as status, {ACTIVATED_ON} as activated_on from jurisdictions j"


def export_rows(workdir: Path) -> Path:
    """The API's own full CSV, loaded into SQLite for Datasette (same rows, same columns)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
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
    # Each unit's dated history (a successor's is the history it borrows), for Datasette's as-of SQL.
    from common import reading

    timelines = reading.current().timelines
    changes = [
        (row[0], change.status, change.effective_on.isoformat(), change.pk)
        for row in body
        for change in timelines[row[0]]
    ]
    db.execute("CREATE TABLE changes (fips TEXT, status TEXT, effective_on TEXT, id INTEGER)")
    db.executemany("INSERT INTO changes VALUES (?, ?, ?, ?)", changes)
    db.execute("CREATE INDEX changes_fips_day ON changes (fips, effective_on, id)")
    db.commit()
    db.close()
    print(f"exported {len(body)} rows and {len(changes)} dated changes to {path}")
    return path


def load(port: int, paths, seconds: float, concurrency: int) -> dict:
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
                conn.request("GET", path)
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


def measure(args, port: int, paths, cold=False) -> dict:
    """The median run of `--repeat` (requests per second, its median latency, all errors)."""
    runs = []
    for _ in range(args.repeat):
        if args.client == "wrk":
            runs.append(wrk(port, paths, args.seconds, args.concurrency, cold=cold))
        else:
            todo = paths
            if cold:
                stamp = time.monotonic_ns()
                todo = [
                    f"{paths[n % len(paths)]}{'&' if '?' in paths[n % len(paths)] else '?'}_bench={stamp}-{n}"
                    for n in range(50000)
                ]
            runs.append(load(port, todo, args.seconds, args.concurrency))
    runs.sort(key=lambda run: run["rps"])
    middle = dict(runs[len(runs) // 2])
    middle["errors"] = sum(run["errors"] for run in runs)
    return middle


def main() -> int:
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
    if shutil.which("datasette", path=str(VENV_BIN)) is None:
        print('Datasette is not installed: .venv/bin/pip install -e ".[bench]"')
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="scomm-bench-"))
    prepare_database(workdir)
    db_path = export_rows(workdir)
    api_port, ds_port = free_port(), free_port()
    env = {**os.environ, "API_RATE": "off", "API_BULK_RATE": "off", "LOG_LEVEL": "ERROR", "ANSWER_CACHE_MB": "0"}
    env.pop("DEBUG", None)
    servers = [
        subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{api_port}", "--log-level", "error"]
            + ["tracker.wsgi"],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [str(VENV_BIN / "datasette"), "serve", str(db_path), "--port", str(ds_port)]
            + ["--setting", "sql_time_limit_ms", "10000", "--setting", "max_returned_rows", "5000"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        wait_for(api_port, "/api/v1/stats/")
        wait_for(ds_port, "/scomm/jurisdictions.json?_size=1")
        return run(args, db_path, api_port, ds_port)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, db_path: Path, api_port: int, ds_port: int) -> int:
    stats_sql = "select state, status, count(*) as n from jurisdictions group by state, status order by state, status"
    ds_stats = "/scomm.json?_shape=array&sql=" + stats_sql.replace(" ", "+").replace(",", "%2C")
    # Datasette pages by key: start each page after every 100th FIPS code.
    db = sqlite3.connect(db_path)
    every_fips = [row[0] for row in db.execute("select fips from jurisdictions order by fips")]
    boundaries = every_fips[99::100][:31]
    db.close()
    pages = [f"/api/v1/jurisdictions/?page_size=100&page={n}" for n in range(1, 32)]
    ds_pages = [f"/scomm/jurisdictions.json?_size=100&_next={fips}" for fips in boundaries]
    cases = [
        # name, API paths (each request computed: a new ignored parameter every time), Datasette paths
        ("page of 100", pages, ds_pages),
        ("one jurisdiction", ["/api/v1/jurisdictions/48201/"], ["/scomm/jurisdictions/48201.json"]),
        (
            "every jurisdiction in turn",
            [f"/api/v1/jurisdictions/{fips}/" for fips in every_fips],
            [f"/scomm/jurisdictions/{fips}.json" for fips in every_fips],
        ),
        ("stats", ["/api/v1/stats/"], [ds_stats]),
        ("full CSV", ["/api/v1/jurisdictions/?format=csv"], ["/scomm/jurisdictions.csv?_stream=on&_size=max"]),
    ]
    starts = ["", *boundaries[:30]]
    days = [day.isoformat() for day in NEW_DAYS]

    def sql(query, fmt="json", **params):
        return f"/scomm.{fmt}?" + urlencode({"sql": query, **params, **({"_shape": "array"} if fmt == "json" else {})})

    stats_on = f"select state, status, count(*) as n from (select j.state, {STATUS_ON} as status from jurisdictions j) "
    stats_on += "group by state, status order by state, status"
    cases += [
        (
            "stats, new day",
            [f"/api/v1/stats/?as_of={day}" for day in days],
            [sql(stats_on, day=day) for day in days],
        ),
        (
            "page of 100, new day",
            [f"/api/v1/jurisdictions/?page_size=100&page={1 + n % 31}&as_of={day}" for n, day in enumerate(days)],
            [
                sql(f"{ROW_SQL} where j.fips > :after order by j.fips limit 100", day=day, after=starts[n % 31])
                for n, day in enumerate(days)
            ],
        ),
        (
            "one jurisdiction, new day",
            [f"/api/v1/jurisdictions/{every_fips[n * 7 % len(every_fips)]}/?as_of={day}" for n, day in enumerate(days)],
            [
                sql(f"{ROW_SQL} where j.fips = :fips", day=day, fips=every_fips[n * 7 % len(every_fips)])
                for n, day in enumerate(days)
            ],
        ),
        (
            "full CSV, new day",
            [f"/api/v1/jurisdictions/?format=csv&as_of={day}" for day in days],
            [sql(f"{ROW_SQL} order by j.fips", fmt="csv", day=day) for day in days],
        ),
    ]
    print(
        f"\n{args.client}: {args.concurrency} connections, {args.seconds:g} s per run, median of {args.repeat} runs, "
        f"{os.cpu_count()} CPUs; every API request computed (a URL never asked before)\n"
    )
    print(f"{'endpoint':28} {'API req/s':>10} {'p50 ms':>8} {'Datasette':>10} {'p50 ms':>8} {'ratio':>7}")
    failed = []
    for name, api_paths, ds_paths in cases:
        api = measure(args, api_port, api_paths, cold=True)
        ds = measure(args, ds_port, ds_paths)
        ratio = api["rps"] / ds["rps"] if ds["rps"] else float("inf")
        errors = f"  errors: API {api['errors']}, Datasette {ds['errors']}" if api["errors"] or ds["errors"] else ""
        if ratio < BUDGET or api["errors"]:
            failed.append(name)
        print(
            f"{name:28} {api['rps']:10.1f} {api['p50_ms']:8.1f} {ds['rps']:10.1f} {ds['p50_ms']:8.1f} "
            f"{ratio:6.1f}x{errors}",
            flush=True,
        )
    # No budget: what each server answers when there is no data to read, its whole stack around a fixed answer. A
    # ratio can be no higher than the tracker's floor over Datasette's rate for that case.
    floor = measure(args, api_port, ["/robots.txt"], cold=True)
    ds_floor = measure(args, ds_port, ["/-/versions.json"])
    print(
        f"{'floor: a fixed answer':28} {floor['rps']:10.1f} {floor['p50_ms']:8.1f} {ds_floor['rps']:10.1f} "
        f"{ds_floor['p50_ms']:8.1f}   (no budget: /robots.txt and /-/versions.json, no data read)"
    )
    print(f"\nbudget {BUDGET:g}x Datasette:", "met" if not failed else "MISSED for " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
