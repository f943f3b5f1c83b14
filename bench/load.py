"""Load and benchmark run: the tracker as in production (gunicorn, PRODUCTION=1, hashed static files) on loopback.

    .venv/bin/pip install -e ".[bench]"            # Datasette, for the side-by-side part
    .venv/bin/python bench/load.py                 # about 4 minutes: side by side, then 50 clients for 60 s
    .venv/bin/python bench/load.py --clients 100 --seconds 120 --skip-datasette

What it does, all on 127.0.0.1 and nowhere else, and it stops by itself:
1. `collectstatic` into a temporary folder (hashed, compressed files, as a deployment would have), then gunicorn
   with the repo's gunicorn.conf.py and PRODUCTION=1 (workers from WEB_CONCURRENCY, as in production). The
   client sends `X-Forwarded-Proto: https`, as the load balancer would. Per-address API limits are off: every
   simulated reader here shares one address.
2. Side by side with Datasette serving the same rows from SQLite (exported by bench/api_vs_datasette.py's
   `export_rows`): requests per second and latency percentiles for the home page, a jurisdiction page, the API
   list (a page of 100), one jurisdiction, the stats and the full CSV, and the ratio. "computed" rows make every
   request do the work (a changing `as_of` or an ignored parameter defeats the answer caches); "repeat" rows ask
   for the same URL again, as readers on a story day do.
3. A mixed load: N concurrent clients (default 50) for S seconds (default 60) over pages, API, downloads and
   static files. Any answer other than 200/304, or a broken connection, is an error; the run exits non-zero if
   there is one.

The load generator is Python threads in the same machine (it competes with the servers for the CPU), so absolute
numbers are a floor; the ratios are the point. It prints the machine it ran on.
"""

import argparse
import datetime
import http.client
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent

from bench.api_vs_datasette import export_rows, free_port, wait_for  # noqa: E402

HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip", "User-Agent": "scomm-bench/1"}
FIRST_DAY = datetime.date(2008, 10, 27)


# --- the client --------------------------------------------------------------------------------------------


class Results:
    """Latencies and failures per route, from every client thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(int)
        self.error_samples = []
        self.statuses = defaultdict(int)
        self.bytes = 0

    def merge(self, latencies, errors, samples, statuses, size):
        with self.lock:
            for route, values in latencies.items():
                self.latencies[route].extend(values)
            for route, n in errors.items():
                self.errors[route] += n
            self.error_samples.extend(samples[: max(0, 10 - len(self.error_samples))])
            for key, n in statuses.items():
                self.statuses[key] += n
            self.bytes += size


def closed_loop(port: int, choose, seconds: float, clients: int, headers=None) -> tuple[Results, float]:
    """Each client sends its next request when the previous answer has been read in full, until time is up.

    ``choose(rng)`` returns (route name, path). Connections are kept alive when the server allows it.
    """
    results = Results()
    deadline = time.monotonic() + seconds
    headers = {**HEADERS, **(headers or {})}

    def client(seed: int):
        rng = random.Random(seed)
        latencies, errors, samples, statuses, size = defaultdict(list), defaultdict(int), [], defaultdict(int), 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            route, path = choose(rng)
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - started
                statuses[(route, response.status)] += 1
                if response.status in (200, 304):
                    latencies[route].append(elapsed)
                    size += len(body)
                else:
                    errors[route] += 1
                    samples.append(f"{response.status} {path[:100]}")
                if response.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            except (OSError, http.client.HTTPException) as error:
                errors[route] += 1
                samples.append(f"{type(error).__name__} {path[:100]}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()
        results.merge(latencies, errors, samples, statuses, size)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return results, time.monotonic() - began


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return (float("nan"),) * 3
    if len(values) == 1:
        return (values[0] * 1000,) * 3
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


# --- the servers -------------------------------------------------------------------------------------------


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
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.2f} at start"
    return (
        f"{os.cpu_count()} CPUs ({cpu}){memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}{load}"
    )


def start_tracker(workdir: Path, workers: int) -> tuple[subprocess.Popen, int, dict]:
    port = free_port()
    env = {
        **os.environ,
        "PRODUCTION": "1",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or os.urandom(32).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_PROXY_SSL_HEADER_NAME": "HTTP_X_FORWARDED_PROTO",
        "API_RATE": "off",
        "API_BULK_RATE": "off",
        "API_EXPORT_DIR": str(workdir / "exports"),
        "STATIC_ROOT": str(workdir / "static"),
        "WEB_CONCURRENCY": str(workers),
        "PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "GUNICORN_ACCESS_LOG": "0",
        "GUNICORN_LOG_LEVEL": "warning",
        "LOG_LEVEL": "ERROR",
    }
    print("collectstatic (hashed, compressed files, as in production) ...", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    server = subprocess.Popen([str(VENV_BIN / "gunicorn"), "tracker.wsgi"], cwd=ROOT, env=env)
    wait_for(port, "/healthz")
    return server, port, env


def start_datasette(db_path: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(VENV_BIN / "datasette"),
            "serve",
            str(db_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--setting",
            "sql_time_limit_ms",
            "10000",
            "--setting",
            "max_returned_rows",
            "5000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port, "/scomm/jurisdictions.json?_size=1")
    return server, port


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- the runs ----------------------------------------------------------------------------------------------


def _cycle(paths):
    counter = iter(range(10**12))

    def choose(rng):
        return "", paths[next(counter) % len(paths)]

    return choose


def side_by_side(api_port: int, ds_port: int | None, seconds: float, clients: int, fips_list) -> list[str]:
    days = [(FIRST_DAY + datetime.timedelta(days=n)).isoformat() for n in range(0, 1550)]
    stats_sql = "select state, status, count(*) as n from jurisdictions group by state, status order by state, status"
    ds_stats = "/scomm.json?_shape=array&sql=" + stats_sql.replace(" ", "+").replace(",", "%2C")
    bust = [f"_bench={n}" for n in range(200_000)]
    cases = [
        # name, tracker paths (computed), tracker path (repeat), Datasette paths
        (
            "home page (map)",
            [f"/?as_of={day}" for day in days],
            "/",
            ["/scomm/jurisdictions"],
        ),
        (
            "jurisdiction page",
            [f"/jurisdictions/{fips}/" for fips in fips_list],
            "/jurisdictions/48201/",
            [f"/scomm/jurisdictions/{fips}" for fips in fips_list],
        ),
        (
            "API page of 100",
            [f"/api/v1/jurisdictions/?page_size=100&page={1 + n % 31}&{bust[n]}" for n in range(100_000)],
            "/api/v1/jurisdictions/?page_size=100",
            ["/scomm/jurisdictions.json?_size=100"],
        ),
        (
            "API one jurisdiction",
            [f"/api/v1/jurisdictions/{fips}/?{bust[n]}" for n, fips in enumerate(fips_list * 30)],
            "/api/v1/jurisdictions/48201/",
            [f"/scomm/jurisdictions/{fips}.json" for fips in fips_list],
        ),
        ("API stats", [f"/api/v1/stats/?{b}" for b in bust], "/api/v1/stats/", [ds_stats]),
        (
            "API full CSV",
            [f"/api/v1/jurisdictions/?format=csv&{b}" for b in bust[:50_000]],
            "/api/v1/jurisdictions/?format=csv",
            ["/scomm/jurisdictions.csv?_stream=on&_size=max"],
        ),
    ]
    lines = [
        f"{'endpoint':24} {'mode':9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"
        f" {'Datasette req/s':>15} {'p50 ms':>7} {'ratio':>7}",
    ]
    print("\n" + lines[0], flush=True)
    for name, computed, repeat, ds_paths in cases:
        ds = None
        if ds_port:
            ds_results, ds_elapsed = closed_loop(ds_port, _cycle(ds_paths), seconds, clients, headers={})
            ds_all = [v for values in ds_results.latencies.values() for v in values]
            ds = (len(ds_all) / ds_elapsed, percentiles(ds_all)[0], sum(ds_results.errors.values()))
        for mode, paths in (("computed", computed), ("repeat", [repeat])):
            results, elapsed = closed_loop(api_port, _cycle(paths), seconds, clients)
            values = [v for values in results.latencies.values() for v in values]
            rps = len(values) / elapsed
            p50, p95, p99 = percentiles(values)
            errors = sum(results.errors.values())
            line = f"{name:24} {mode:9} {rps:8.1f} {p50:8.1f} {p95:8.1f} {p99:8.1f} {errors:6d}"
            if ds:
                line += f" {ds[0]:15.1f} {ds[1]:7.1f} {rps / ds[0]:6.1f}x"
                if ds[2]:
                    line += f" (Datasette errors: {ds[2]})"
            print(line, flush=True)
            lines.append(line)
    return lines


def mixed_chooser(fips_list, postals):
    days = [(FIRST_DAY + datetime.timedelta(days=n)).isoformat() for n in range(0, 1550, 7)]
    routes = [
        # weight, route, path maker
        (14, "home", lambda r: "/" if r.random() < 0.8 else f"/?as_of={r.choice(days)}"),
        (22, "jurisdiction page", lambda r: f"/jurisdictions/{r.choice(fips_list)}/"),
        (6, "jurisdiction list", lambda r: f"/jurisdictions/?state={r.choice(postals)}"),
        (3, "search list", lambda r: f"/jurisdictions/?q={r.choice(['harris', 'st+louis', 'miami+dade', 'cook'])}"),
        (5, "state page", lambda r: f"/states/{r.choice(postals)}/"),
        (2, "agreements page", lambda r: "/agreements/"),
        (4, "search suggest", lambda r: f"/search/suggest?q={r.choice(['har', 'los', 'cook', 'king', 'tx'])}"),
        (10, "API list", lambda r: f"/api/v1/jurisdictions/?state={r.choice(postals)}"),
        (12, "API detail", lambda r: f"/api/v1/jurisdictions/{r.choice(fips_list)}/"),
        (5, "API stats", lambda r: "/api/v1/stats/" if r.random() < 0.7 else f"/api/v1/stats/?as_of={r.choice(days)}"),
        (2, "API full CSV", lambda r: "/api/v1/jurisdictions/?format=csv"),
        (1, "API changes", lambda r: "/api/v1/changes/"),
        (12, "static files", lambda r: r.choice(STATIC_PATHS)),
        (2, "healthz", lambda r: "/healthz"),
    ]
    population = [(route, maker) for weight, route, maker in routes for _ in range(weight)]

    def choose(rng):
        route, maker = rng.choice(population)
        return route, maker(rng)

    return choose


STATIC_PATHS: list[str] = []


def find_static_paths(port: int) -> list[str]:
    """The hashed static file names the home page links to (what a browser would fetch next)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/", headers={"X-Forwarded-Proto": "https"})
    html = conn.getresponse().read().decode()
    conn.close()
    found = []
    for piece in html.split('"'):
        if piece.startswith("/static/") and piece not in found:
            found.append(piece)
    return found or ["/healthz"]


def mixed_load(port: int, seconds: float, clients: int, fips_list, postals) -> tuple[list[str], int]:
    print(f"\nmixed load: {clients} concurrent clients for {seconds:g} s ...", flush=True)
    results, elapsed = closed_loop(port, mixed_chooser(fips_list, postals), seconds, clients)
    total = sum(len(v) for v in results.latencies.values())
    errors = sum(results.errors.values())
    everything = [v for values in results.latencies.values() for v in values]
    p50, p95, p99 = percentiles(everything)
    lines = [
        f"{'route':20} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}",
    ]
    for route in sorted(set(results.latencies) | set(results.errors), key=lambda r: -len(results.latencies[r])):
        values = results.latencies[route]
        q50, q95, q99 = percentiles(values)
        lines.append(
            f"{route:20} {len(values):9d} {len(values) / elapsed:8.1f} {q50:8.1f} {q95:8.1f} {q99:8.1f} "
            f"{results.errors[route]:6d}"
        )
    lines.append(
        f"{'all':20} {total:9d} {total / elapsed:8.1f} {p50:8.1f} {p95:8.1f} {p99:8.1f} {errors:6d}"
        f"   ({results.bytes / elapsed / 1e6:.1f} MB/s, {elapsed:.0f} s)"
    )
    if results.error_samples:
        lines.append("first errors: " + "; ".join(results.error_samples))
    print("\n".join(lines), flush=True)
    return lines, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients in the mixed load")
    parser.add_argument("--seconds", type=float, default=60, help="duration of the mixed load")
    parser.add_argument("--bench-seconds", type=float, default=5, help="duration of each side-by-side run")
    parser.add_argument("--bench-clients", type=int, default=8, help="client threads in the side-by-side runs")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2 * os.cpu_count() + 1)))
    parser.add_argument("--skip-datasette", action="store_true", help="no side-by-side comparison")
    parser.add_argument("--skip-bench", action="store_true", help="only the mixed load")
    args = parser.parse_args()

    print("machine:", machine(), flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="scomm-load-"))
    servers = []
    try:
        db_path = export_rows(workdir)  # also sets Django up in this process, on the same database
        from django.conf import settings

        from jurisdictions.models import Jurisdiction, State

        fips_list = list(Jurisdiction.objects.counted().order_by("fips").values_list("fips", flat=True))
        fips_list = random.Random(1).sample(fips_list, 200)
        postals = list(State.objects.order_by("postal").values_list("postal", flat=True))
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        cache_backend = "Redis" if os.environ.get("REDIS_URL") else "in-process (LocMem)"

        tracker, api_port, _ = start_tracker(workdir, args.workers)
        servers.append(tracker)
        STATIC_PATHS.extend(find_static_paths(api_port))
        print(f"tracker: gunicorn, {args.workers} sync workers, PRODUCTION=1, database {engine}, cache {cache_backend}")
        header = [f"machine: {machine()}", f"tracker: gunicorn {args.workers} workers, {engine}, cache {cache_backend}"]
        bench_lines = []
        if not args.skip_bench:
            ds_port = None
            if not args.skip_datasette:
                if shutil.which("datasette", path=str(VENV_BIN)) is None:
                    print('Datasette is not installed: .venv/bin/pip install -e ".[bench]" (or --skip-datasette)')
                    return 2
                datasette, ds_port = start_datasette(db_path)
                servers.append(datasette)
                header.append("Datasette: one process, same rows from SQLite")
            print(f"\nside by side: {args.bench_clients} clients, {args.bench_seconds:g} s per run", flush=True)
            bench_lines = side_by_side(api_port, ds_port, args.bench_seconds, args.bench_clients, fips_list)
            if ds_port:
                stop(servers.pop())
        mixed_lines, errors = mixed_load(api_port, args.seconds, args.clients, fips_list, postals)
        print("\n== summary (paste into README: Benchmarks) ==")
        print("\n".join(header))
        if bench_lines:
            print(f"side by side, {args.bench_clients} clients, {args.bench_seconds:g} s each:")
            print("\n".join(bench_lines))
        print(f"mixed load, {args.clients} clients, {args.seconds:g} s:")
        print("\n".join(mixed_lines))
        print("RESULT:", "zero errors" if errors == 0 else f"{errors} ERRORS")
        return 0 if errors == 0 else 1
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
