"""The production shape, measured: gunicorn (gunicorn.conf.py, PRODUCTION=1) behind nginx (deploy/nginx.conf), side
by side with the embedded default (the server `dev.py serve` starts) and a bare WSGI app, against DESIGN.md's
budgets.

    apt-get install -y wrk nginx-light                  # Debian packages: the load generator, the proxy
    .venv/bin/python bench/production.py                # about ten minutes
    .venv/bin/python bench/production.py --seconds 3 --repeat 1 --mixed-seconds 0     # a quick look

What it does, all on 127.0.0.1, and it stops everything it started:
1. The database (DATABASE_URL, or a new SQLite file loaded with the shipped dataset: bench/common.py);
   `collectstatic` into a temporary folder; gunicorn with the repo's gunicorn.conf.py and PRODUCTION=1 (workers
   from --workers, else the file's default) listening on a unix socket for nginx and on a loopback port for the
   "straight" rows; nginx with deploy/nginx.conf (deploy/run_nginx.py) in front; the embedded default, started
   with dev.py's own command (`dev.server_command`) on the same data; and a bare WSGI app returning fixed bytes
   under gunicorn with 2 workers, the ceiling for any Python answer. Everything runs over plain HTTP on loopback
   (SECURE_SSL_REDIRECT=0; TLS would cost nginx alone); TRUSTED_PROXY_COUNT=1 as in production.
2. Repeat requests: wrk (8 connections, median of --repeat runs) asks one URL again and again, through nginx and
   to the embedded default, accepting gzip as browsers do; "304" rows send the ETag the server gave. Budget:
   through nginx at least the bare app's rate; the embedded default at least half of it.
3. Memory: 10,000 requests with distinct ignored parameters (`/api/v1/jurisdictions/?page_size=1000&x=<n>`),
   straight to the production workers, then to the embedded default, after 200 such requests to warm them up;
   the resident memory of every worker from /proc when warm, during the run and after. Budget: no worker keeps
   50 MB or more above its warm reading.
4. Slow clients: N clients (default: as many as gunicorn has workers, at least 4) each send their request headers
   one byte per second and never finish (reconnecting when dropped), while wrk measures computed answers (a new
   ignored parameter on every request, so nginx must ask the app), through nginx, straight to the production
   workers and to the embedded default, and the same without slow clients. Budget: through nginx the rate keeps
   at least half its value without them.
5. A mixed load through nginx: pages, API, downloads and static files from --clients Python threads for
   --mixed-seconds. Budget: every answer a 200 or 304.
Prints a table per part and a summary; exits 1 when a budget is missed, 2 when wrk or nginx is missing.
"""

import argparse
import datetime
import http.client
import os
import random
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dev  # noqa: E402
from bench.common import ROOT, VENV_BIN, free_port, machine, prepare_database, wait_for, wrk  # noqa: E402
from deploy import run_nginx  # noqa: E402

BUDGET_NGINX = 1.0  # repeat requests through nginx, times the bare app's rate
BUDGET_EMBEDDED = 0.5  # repeat requests to the embedded default (dev.py serve, no nginx), times the bare rate
BUDGET_MEMORY_MB = 50  # growth of any worker over 10,000 requests with distinct ignored parameters
BUDGET_SLOW = 0.5  # through nginx, and the embedded default with 60 of them: the rate with slow clients over without
EMBEDDED_SLOW_CLIENTS = 60
BUDGET_HUNG_REDIS = 0.95  # computed API answers with Redis hung (SIGSTOP), over the rate with Redis up
CONNECTIONS = 8

BARE_APP = """
BODY = b'{"ok": true}'
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]
"""

# What browsers, curl --compressed and Python's requests send: every answer may come compressed.
CLIENT = {"Accept-Encoding": "gzip, deflate, br"}
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
MEMORY_PATH = "/api/v1/jurisdictions/?page_size=1000"
SLOW_PATH = "/api/v1/jurisdictions/48201/"


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
            # Every simulated reader shares one address: per-address API limits would stop the load.
            "API_RATE": "off",
            "API_BULK_RATE": "off",
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
            "API_RATE": "off",
            "API_BULK_RATE": "off",
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


# --- the parts ---------------------------------------------------------------------------------------------


def measure(port: int, paths, args, headers=None, cold=False) -> dict:
    """The median of --repeat wrk runs, with every run's errors."""
    runs = sorted(
        (wrk(port, paths, args.seconds, CONNECTIONS, headers=headers, cold=cold) for _ in range(args.repeat)),
        key=lambda run: run["rps"],
    )
    middle = dict(runs[len(runs) // 2])
    middle["errors"] = sum(run["errors"] for run in runs)
    return middle


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


def memory(stack: Stack, requests: int, verdicts: list) -> list[str]:
    lines = []
    for name, port, master in (
        ("production workers (gunicorn.conf.py, PRODUCTION=1), straight", stack.direct_port, stack.gunicorn),
        ("embedded default (dev.py serve)", stack.embedded_port, stack.embedded),
    ):
        lines += memory_of(name, port, lambda master=master: stack.worker_pids(master), requests, verdicts)
    return lines


def memory_of(name: str, port: int, worker_pids, requests: int, verdicts: list) -> list[str]:
    def send(count: int) -> int:
        """`count` requests from four client threads, each with a new random parameter; returns the failures."""
        todo = [f"{MEMORY_PATH}&x={random.getrandbits(64):x}" for _ in range(count)]
        failures = []

        def client(paths):
            for path in paths:
                try:
                    ok = get(port, path)[0].status == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                if not ok:
                    failures.append(path)

        threads = [threading.Thread(target=client, args=(todo[n::4],)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return len(failures)

    print(f"\nmemory: {requests:,} requests to {MEMORY_PATH}&x=<random>, {name} ...", flush=True)
    fresh = {pid: rss_mb(pid) for pid in worker_pids()}
    failures = send(200)
    before = {pid: rss_mb(pid) for pid in worker_pids()}
    # Resident memory is read after every tenth of the run, not only at the end: it swings by tens of MB as the
    # allocator takes and returns memory, so one reading could land anywhere in the swing.
    samples: dict[int, list[float]] = {pid: [] for pid in before}
    began = time.monotonic()
    step = max(1, requests // 10)
    for done in range(0, requests, step):
        failures += send(min(step, requests - done))
        for pid in worker_pids():
            samples.setdefault(pid, []).append(rss_mb(pid))
    elapsed = time.monotonic() - began
    after = {pid: rss_mb(pid) for pid in worker_pids()}
    lines = [
        f"memory, {name}: {requests:,} requests with distinct ignored parameters ({requests / elapsed:.0f} req/s), "
        f"budget: each worker keeps < {BUDGET_MEMORY_MB} MB more after the run than warm; the largest reading "
        "during the run is shown beside it",
        f"{'worker':>8} {'fresh MB':>9} {'warm MB':>8} {'largest MB':>11} {'after MB':>9} {'growth MB':>10}",
    ]
    growths, peaks = [], []
    for pid in sorted(set(before) | set(after)):
        if pid in before and pid in after:
            largest = max(samples[pid] + [after[pid]])
            growths.append(after[pid] - before[pid])
            peaks.append(largest - before[pid])
            lines.append(
                f"{pid:8d} {fresh.get(pid, float('nan')):9.1f} {before[pid]:8.1f} {largest:11.1f} "
                f"{after[pid]:9.1f} {after[pid] - before[pid]:10.1f}"
            )
        else:
            lines.append(f"{pid:8d} replaced during the run (gunicorn recycled or restarted it)")
    worst = max(growths) if growths else float("nan")
    ok = bool(growths) and worst < BUDGET_MEMORY_MB and failures == 0 and len(growths) == len(before)
    if failures:
        lines.append(f"{failures} answers were not 200")
    print("\n".join(lines), flush=True)
    peak = max(peaks) if peaks else float("nan")
    verdicts.append(
        (
            f"memory, {name}: worker growth < {BUDGET_MEMORY_MB} MB",
            ok,
            f"largest {worst:.1f} MB; during the run {peak:.1f} MB",
        )
    )
    return lines


def hung_redis(workdir: Path, database: str, args, verdicts: list) -> list[str]:
    """Computed API answers from gunicorn (production workers, no nginx: every answer counts its allowance) with a
    private Redis up, then stopped with SIGSTOP (hung: connections accepted, nothing answered)."""
    server = shutil.which("redis-server")
    lines = [
        f"hung Redis: computed API answers ({SLOW_PATH}?_bench=<new>) straight to gunicorn with REDIS_URL set; "
        f"budget: with Redis hung (SIGSTOP) >= {BUDGET_HUNG_REDIS:g} x the rate with Redis up",
    ]
    if not server:
        lines.append("skipped: no redis-server (Debian: apt-get install -y redis-server)")
        print("\n".join(lines), flush=True)
        return lines
    redis_port, app_port = free_port(), free_port()
    redis = subprocess.Popen(
        [server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "API_RATE": "100000000/minute",
        "PRODUCTION": "",
        "GUNICORN_LOG_LEVEL": "warning",
        "LOG_LEVEL": "ERROR",
    }
    app = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{app_port}", "tracker.wsgi"], cwd=ROOT, env=env
    )
    try:
        wait_for(app_port, "/healthz")
        # Every worker builds its snapshot and opens its connections before the clock starts.
        measure(app_port, [SLOW_PATH], args, cold=True)
        up = measure(app_port, [SLOW_PATH], args, cold=True)
        redis.send_signal(signal.SIGSTOP)
        hung = measure(app_port, [SLOW_PATH], args, cold=True)
    finally:
        redis.send_signal(signal.SIGCONT)
        for process in (app, redis):
            process.terminate()
            process.wait(timeout=40)
    ratio = hung["rps"] / up["rps"] if up["rps"] else float("nan")
    ok = ratio >= BUDGET_HUNG_REDIS and not hung["errors"]
    verdicts.append((f"hung Redis costs < {100 - 100 * BUDGET_HUNG_REDIS:g}% of API throughput", ok, f"{ratio:.2f}"))
    lines.append(f"{'Redis up req/s':>16} {'Redis hung req/s':>17} {'ratio':>6}  errors")
    lines.append(f"{up['rps']:16.0f} {hung['rps']:17.0f} {ratio:6.2f}  {hung['errors']}  " + ("ok" if ok else "MISSED"))
    print("\n".join(lines), flush=True)
    return lines


class SlowClients:
    """Clients that open a connection and send their request headers one byte per second, never finishing;
    when the server drops one, it connects again."""

    def __init__(self, port: int, count: int):
        self.port, self.count = port, count
        self.stopping = threading.Event()
        self.dropped = 0
        self.threads = [threading.Thread(target=self._drip, daemon=True) for _ in range(count)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        # Let every one of them be accepted (by an idle sync worker, when gunicorn faces them).
        time.sleep(2)
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)

    def _drip(self) -> None:
        while not self.stopping.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                    sock.sendall(b"GET /api/v1/stats/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                    while not self.stopping.is_set():
                        # A second between bytes; anything readable means the server answered (408) or closed.
                        if select.select([sock], [], [], 1.0)[0]:
                            self.dropped += 1
                            break
                        sock.sendall(b"a")
            except OSError:
                self.dropped += 1
                self.stopping.wait(0.2)


def slow_clients(stack: Stack, args, count: int, verdicts: list) -> list[str]:
    lines = [
        f"slow clients: {count} clients dripping their headers (1 byte/s) while wrk asks for computed answers "
        f"({SLOW_PATH}?_bench=<new>); budget: through nginx, rate with them >= {BUDGET_SLOW:g} x without",
        f"{'':24} {'without req/s':>14} {'with req/s':>11} {'ratio':>6}  dropped by the server",
    ]
    print("\n" + "\n".join(lines), flush=True)
    for name, port in (
        ("through nginx", stack.nginx_port),
        ("straight to gunicorn", stack.direct_port),
        (f"embedded default, {EMBEDDED_SLOW_CLIENTS}", stack.embedded_port),
    ):
        without = measure(port, [SLOW_PATH], args, cold=True)
        with SlowClients(port, EMBEDDED_SLOW_CLIENTS if name.startswith("embedded") else count) as slow:
            with_slow = measure(port, [SLOW_PATH], args, cold=True)
        ratio = with_slow["rps"] / without["rps"] if without["rps"] else float("nan")
        line = f"{name:24} {without['rps']:14.0f} {with_slow['rps']:11.0f} {ratio:6.2f}  {slow.dropped}"
        if name == "through nginx":
            ok = ratio >= BUDGET_SLOW and not without["errors"]
            verdicts.append((f"slow clients: nginx keeps >= {BUDGET_SLOW:g} of its rate", ok, f"{ratio:.2f}"))
            line += "  " + ("ok" if ok else "MISSED")
        elif name == "straight to gunicorn":
            line += "  (what nginx prevents)"
        else:
            ok = ratio >= BUDGET_SLOW and not without["errors"]
            verdicts.append(
                (f"slow clients: the embedded default keeps >= {BUDGET_SLOW:g} of its rate with 60", ok, f"{ratio:.2f}")
            )
            line += "  " + ("ok" if ok else "MISSED") + " (waitress reads whole requests before a thread sees them)"
        print(line, flush=True)
        lines.append(line)
        # Workers freed by the slow clients' departure: the next part starts on a healthy server.
        wait_for(port, "/healthz")
    return lines


# --- the mixed load (Python client threads: per-route latencies and errors) --------------------------------

FIRST_DAY = datetime.date(2008, 10, 27)


def mixed_load(port: int, seconds: float, clients: int, fips_list, postals, verdicts: list) -> list[str]:
    days = [(FIRST_DAY + datetime.timedelta(days=n)).isoformat() for n in range(0, 1550, 7)]
    home = get(port, "/")[1].decode()
    static = [piece for piece in dict.fromkeys(home.split('"')) if piece.startswith("/static/")] or ["/healthz"]
    routes = [
        # weight, route, path maker
        (14, "home", lambda r: "/" if r.random() < 0.8 else f"/?as_of={r.choice(days)}"),
        (22, "jurisdiction page", lambda r: f"/jurisdictions/{r.choice(fips_list)}/"),
        (6, "jurisdiction list", lambda r: f"/jurisdictions/?state={r.choice(postals)}"),
        (3, "search list", lambda r: f"/jurisdictions/?q={r.choice(['harris', 'st+louis', 'miami+dade', 'cook'])}"),
        (5, "state page", lambda r: f"/states/{r.choice(postals)}/"),
        (2, "agreements page", lambda r: "/agreements/"),
        (10, "API list", lambda r: f"/api/v1/jurisdictions/?state={r.choice(postals)}"),
        (12, "API detail", lambda r: f"/api/v1/jurisdictions/{r.choice(fips_list)}/"),
        (5, "API stats", lambda r: "/api/v1/stats/" if r.random() < 0.7 else f"/api/v1/stats/?as_of={r.choice(days)}"),
        (2, "API full CSV", lambda r: "/api/v1/jurisdictions/?format=csv"),
        (1, "API changes", lambda r: "/api/v1/changes/"),
        (12, "static files", lambda r: r.choice(static)),
        (2, "healthz", lambda r: "/healthz"),
    ]
    population = [(route, maker) for weight, route, maker in routes for _ in range(weight)]
    latencies, errors, samples = defaultdict(list), defaultdict(int), []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    print(f"\nmixed load through nginx: {clients} clients for {seconds:g} s ...", flush=True)

    def client(seed: int):
        rng = random.Random(seed)
        mine, bad, seen = defaultdict(list), defaultdict(int), []
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            route, maker = rng.choice(population)
            path = maker(rng)
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = conn.getresponse()
                response.read()
                if response.status in (200, 304):
                    mine[route].append(time.perf_counter() - started)
                else:
                    bad[route] += 1
                    seen.append(f"{response.status} {path[:80]}")
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as error:
                bad[route] += 1
                seen.append(f"{type(error).__name__} {path[:80]}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()
        with lock:
            for route, values in mine.items():
                latencies[route].extend(values)
            for route, n in bad.items():
                errors[route] += n
            samples.extend(seen[: max(0, 10 - len(samples))])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    lines = [
        f"mixed load through nginx, {clients} clients, {seconds:g} s",
        f"{'route':20} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}",
    ]
    for route in sorted(set(latencies) | set(errors), key=lambda r: -len(latencies[r])):
        lines.append(_route_line(route, latencies[route], errors[route], elapsed))
    everything = [v for values in latencies.values() for v in values]
    total_errors = sum(errors.values())
    lines.append(_route_line("all", everything, total_errors, elapsed))
    if samples:
        lines.append("first errors: " + "; ".join(samples))
    print("\n".join(lines), flush=True)
    verdicts.append(("mixed load: every answer 200 or 304", total_errors == 0, f"{total_errors} errors"))
    return lines


def _route_line(route: str, values: list[float], errors: int, elapsed: float) -> str:
    if len(values) > 1:
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        p50, p95, p99 = cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000
    else:
        p50 = p95 = p99 = values[0] * 1000 if values else float("nan")
    return f"{route:20} {len(values):9d} {len(values) / elapsed:8.1f} {p50:8.1f} {p95:8.1f} {p99:8.1f} {errors:6d}"


# --- the run -----------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4, help="each wrk run")
    parser.add_argument("--repeat", type=int, default=3, help="wrk runs per measurement; the median is shown")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py's, 2 x CPUs + 1)")
    parser.add_argument("--memory-requests", type=int, default=10_000)
    parser.add_argument("--slow-clients", type=int, help="default: as many as gunicorn's workers, at least 4")
    parser.add_argument("--clients", type=int, default=50, help="client threads in the mixed load")
    parser.add_argument("--mixed-seconds", type=float, default=30, help="the mixed load's length (0: skip it)")
    parser.add_argument(
        "--parts", default="repeats,memory,slow,redis,mixed", help="comma-separated parts to run (default: all five)"
    )
    args = parser.parse_args()
    missing = [tool for tool in ("wrk", run_nginx.NGINX) if not shutil.which(tool)]
    if missing:
        print(f"missing: {', '.join(missing)} (Debian: apt-get install -y wrk nginx-light)")
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="scomm-production-"))
    stack = Stack(workdir, args.workers)
    verdicts: list[tuple[str, bool, str]] = []
    try:
        database = prepare_database(workdir)
        stack.start()
        workers = len(stack.worker_pids())
        header = [
            f"machine: {machine()}",
            f"tracker: gunicorn {workers} sync workers (gunicorn.conf.py, PRODUCTION=1) behind nginx "
            f"(deploy/nginx.conf), database {database.split(':', 1)[0]}; embedded default: "
            f"{' '.join(dev.server_command('PORT')[1:])} (dev.py serve)",
        ]
        print("\n".join(header), flush=True)
        parts = set(args.parts.split(","))
        sections = []
        if "repeats" in parts:
            sections.append(repeat_requests(stack, args, verdicts))
        if "memory" in parts:
            sections.append(memory(stack, args.memory_requests, verdicts))
        if "slow" in parts:
            sections.append(slow_clients(stack, args, args.slow_clients or max(4, workers), verdicts))
        if "redis" in parts:
            sections.append(hung_redis(workdir, database, args, verdicts))
        if "mixed" in parts and args.mixed_seconds > 0:
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
            import django

            django.setup()
            from jurisdictions.models import Jurisdiction, State

            fips_list = list(
                Jurisdiction.objects.filter(in_dataset=True).order_by("fips").values_list("fips", flat=True)
            )
            fips_list = random.Random(1).sample(fips_list, 200)
            postals = list(State.objects.order_by("postal").values_list("postal", flat=True))
            sections.append(
                mixed_load(stack.nginx_port, args.mixed_seconds, args.clients, fips_list, postals, verdicts)
            )
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
