"""The production shape, measured: gunicorn (gunicorn.conf.py, PRODUCTION=1) behind nginx (deploy/nginx.conf), side
by side with the embedded default (the server `dev.py serve` starts) and a bare WSGI app, against DESIGN.md's
budgets.

    apt-get install -y wrk nginx-light                  # Debian packages: the load generator, the proxy
    .venv/bin/python bench/production.py                # about twenty-five minutes
    .venv/bin/python bench/production.py --seconds 3 --repeat 1 --memory-requests 1000 --mixed-seconds 0   # a look

What it does, all on 127.0.0.1, and it stops everything it started:
1. The database (DATABASE_URL, or a new SQLite file loaded with the shipped dataset: bench/common.py), with five
   numbered releases (published with `manage.py publish_release` until there are five, for the parts that ask
   releases); `collectstatic` into a temporary folder; gunicorn with the repo's gunicorn.conf.py and PRODUCTION=1
   (workers from --workers, else the file's default) listening on a unix socket for nginx and on a loopback port
   for the "straight" rows; nginx with deploy/nginx.conf (deploy/run_nginx.py) in front; the embedded default,
   started with dev.py's own command (`dev.server_command`) on the same data; and a bare WSGI app returning fixed
   bytes under gunicorn with 2 workers, the ceiling for any Python answer. Everything runs over plain HTTP on
   loopback (SECURE_SSL_REDIRECT=0; TLS would cost nginx alone); TRUSTED_PROXY_COUNT=1 as in production; the
   per-address allowances off (one address asks everything). bench/prod_stack.py.
2. `repeats`: wrk (8 connections, median of --repeat runs) asks one URL again and again, through nginx and to the
   embedded default, accepting gzip as browsers do; "304" rows send the ETag the server gave. Budget: through
   nginx at least the bare app's rate; the embedded default at least half of it.
3. `memory`: 10,000 requests with distinct ignored parameters (`/api/v1/jurisdictions/?page_size=1000&x=<n>`),
   straight to the production workers, then to the embedded default, after 200 such requests to warm them up;
   the resident memory of every worker from /proc when warm, during the run and after. `memory-valid`: the same
   with 10,000 distinct valid URLs (days, list and API pages, FIPS lists, searches, releases, /es/ pages).
   Budget: no worker keeps 50 MB or more above its warm reading. bench/prod_memory.py.
4. `days`: 16 clients through nginx on county and state pages, each request on a day no other asks: median under
   50 ms. `sitemap`: /sitemap.xml once warm, straight and through nginx: median under 10 ms. `releases`: five
   releases in turn, straight to gunicorn, once each is loaded: median under 5 ms per answer. bench/prod_latency.py.
5. `slow`: N clients (default: as many as gunicorn has workers, at least 4) each send their request headers one
   byte per second and never finish (reconnecting when dropped), while wrk measures computed answers (a new
   ignored parameter on every request, so nginx must ask the app), through nginx, straight to the production
   workers and to the embedded default, and the same without slow clients. Budget: through nginx the rate keeps
   at least half its value without them. `redis`: computed API answers with a private Redis up, then hung.
   `mixed`: pages, API, downloads and static files from --clients Python threads for --mixed-seconds through
   nginx; budget: every answer a 200 or 304. bench/prod_load.py.
Prints a table per part and a summary; exits 1 when a budget is missed, 2 when wrk or nginx is missing.
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dev  # noqa: E402
from bench import prod_latency, prod_load, prod_memory  # noqa: E402
from bench.common import machine, prepare_database, wrk  # noqa: E402
from bench.prod_stack import CLIENT, CONNECTIONS, Stack, ensure_releases, get, measure  # noqa: E402
from deploy import run_nginx  # noqa: E402

BUDGET_NGINX = 1.0  # repeat requests through nginx, times the bare app's rate
BUDGET_EMBEDDED = 0.5  # repeat requests to the embedded default (dev.py serve, no nginx), times the bare rate
PARTS = ["repeats", "memory", "memory-valid", "days", "sitemap", "releases", "slow", "redis", "mixed"]

REPEATS = [
    # name, path, with If-None-Match (a client that already has the answer)
    ("home page (the map)", "/", False),
    ("jurisdiction page", "/jurisdictions/48201/", False),
    ("API page of 100", "/api/v1/jurisdictions/?page_size=100", False),
    ("API one jurisdiction", "/api/v1/jurisdictions/48201/", False),
    ("API stats", "/api/v1/stats/", False),
    ("API full CSV", "/api/v1/jurisdictions/?format=csv", False),
    ("home page, 304", "/", True),
    ("API one jurisdiction, 304", "/api/v1/jurisdictions/48201/", True),
]


# --- repeat requests ---------------------------------------------------------------------------------------


def repeat_requests(stack: Stack, args, verdicts: list) -> list[str]:
    bare = measure(stack.bare_port, ["/"], args)
    lines = [
        f"repeat requests: wrk, {CONNECTIONS} connections, median of {args.repeat} x {args.seconds:g} s, "
        f"Accept-Encoding: {CLIENT['Accept-Encoding']}",
        f"budget: through nginx >= {BUDGET_NGINX:g} x bare, embedded default (dev.py serve) >= "
        f"{BUDGET_EMBEDDED:g} x bare",
        f"{'bare WSGI app, fixed bytes, 2 workers':30} {bare['rps']:9.0f} req/s",
        f"{'URL':30} {'KB':>6} {'nginx':>9} {'x bare':>7} {'embedded':>9} {'x bare':>7}  verdict",
    ]
    print("\n".join(lines), flush=True)
    ratios = {"through nginx": [], "embedded": []}
    all_errors = 0
    for name, path, conditional in REPEATS:
        size = len(get(stack.nginx_port, path, CLIENT)[1]) / 1024
        rates, notes = {}, []
        for label, port in (("through nginx", stack.nginx_port), ("embedded", stack.embedded_port)):
            headers = dict(CLIENT)
            if conditional:
                # The tag this server gave; the answer to it must be a 304.
                headers["If-None-Match"] = get(port, path, CLIENT)[0].getheader("ETag") or '"none"'
                status = get(port, path, headers)[0].status
                if status != 304:
                    notes.append(f"{label}: {status}, not 304")
            # A repeat is a URL asked before: the same load for as long first, so that every worker has answered
            # it at least once (a first answer builds the snapshot and renders; that is not what is measured).
            wrk(port, [path], args.seconds, CONNECTIONS, headers=headers)
            result = measure(port, [path], args, headers=headers)
            rates[label] = result["rps"]
            ratios[label].append((result["rps"] / bare["rps"], name))
            all_errors += result["errors"]
            if result["errors"]:
                notes.append(f"{label}: {result['errors']} errors")
        ok = rates["through nginx"] >= BUDGET_NGINX * bare["rps"] and rates["embedded"] >= BUDGET_EMBEDDED * bare["rps"]
        line = (
            f"{name:30} {size:6.0f} {rates['through nginx']:9.0f} {rates['through nginx'] / bare['rps']:7.2f} "
            f"{rates['embedded']:9.0f} {rates['embedded'] / bare['rps']:7.2f}  {'ok' if ok and not notes else 'MISSED'}"
        )
        if notes:
            line += "  (" + "; ".join(notes) + ")"
        print(line, flush=True)
        lines.append(line)
    for label, budget in (("through nginx", BUDGET_NGINX), ("embedded", BUDGET_EMBEDDED)):
        low, name = min(ratios[label])
        verdicts.append((f"repeats {label} >= {budget:g} x bare", low >= budget, f"lowest {low:.2f}: {name}"))
    if all_errors:
        verdicts.append(("repeats: every answer 200 or 304", False, f"{all_errors} errors"))
    return lines


# --- the run -----------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4, help="each wrk run")
    parser.add_argument("--repeat", type=int, default=3, help="wrk runs per measurement; the median is shown")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py's, 2 x CPUs + 1)")
    parser.add_argument("--memory-requests", type=int, default=10_000, help="in each memory run")
    parser.add_argument("--slow-clients", type=int, help="default: as many as gunicorn's workers, at least 4")
    parser.add_argument("--clients", type=int, default=50, help="client threads in the mixed load")
    parser.add_argument("--mixed-seconds", type=float, default=30, help="the mixed load's length (0: skip it)")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"comma-separated parts to run (default: all: {','.join(PARTS)})"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if parts - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(parts - set(PARTS)))} (known: {', '.join(PARTS)})")
    missing = [tool for tool in ("wrk", run_nginx.NGINX) if not shutil.which(tool)]
    if missing:
        print(f"missing: {', '.join(missing)} (Debian: apt-get install -y wrk nginx-light)")
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="scomm-production-"))
    stack = Stack(workdir, args.workers)
    verdicts: list[tuple[str, bool, str]] = []
    header, sections = [], []
    try:
        database = prepare_database(workdir)
        releases = []
        if parts & {"memory-valid", "releases"}:
            print(f"releases: publishing until there are {prod_latency.RELEASE_COUNT} ...", flush=True)
            releases = ensure_releases(prod_latency.RELEASE_COUNT)
        stack.start()
        workers = len(stack.worker_pids())
        header = [
            f"machine: {machine()}",
            f"tracker: gunicorn {workers} sync workers (gunicorn.conf.py, PRODUCTION=1) behind nginx "
            f"(deploy/nginx.conf), database {database.split(':', 1)[0]}; embedded default: "
            f"{' '.join(dev.server_command('PORT')[1:])} (dev.py serve)",
        ]
        print("\n".join(header), flush=True)
        if "repeats" in parts:
            sections.append(repeat_requests(stack, args, verdicts))
        if "memory" in parts:
            sections.append(prod_memory.memory(stack, args.memory_requests, verdicts))
        if "memory-valid" in parts:
            sections.append(prod_memory.memory(stack, args.memory_requests, verdicts, valid=True, releases=releases))
        if "days" in parts:
            sections.append(prod_latency.distinct_days(stack, args, verdicts))
        if "sitemap" in parts:
            sections.append(prod_latency.sitemap(stack, args, verdicts))
        if "releases" in parts:
            sections.append(prod_latency.release_cycle(stack, args, releases, verdicts))
        if "slow" in parts:
            sections.append(prod_load.slow_clients(stack, args, args.slow_clients or max(4, workers), verdicts))
        if "redis" in parts:
            sections.append(prod_load.hung_redis(workdir, database, args, verdicts))
        if "mixed" in parts and args.mixed_seconds > 0:
            sections.append(prod_load.mixed(stack, args, verdicts))
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print("\n== summary (bench/README.md) ==")
    print("\n".join(header))
    for lines in sections:
        print()
        print("\n".join(lines))
    print()
    for name, ok, detail in verdicts:
        print(f"{'met   ' if ok else 'MISSED'}  {name} ({detail})")
    return 0 if all(ok for _, ok, _ in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
