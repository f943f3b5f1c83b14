"""bench/production.py's load parts: slow clients (nginx holding them, the embedded default's threads), a hung
Redis under computed API answers, and a mixed load of pages, API, downloads and static files through nginx."""

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
import threading
import time
from collections import defaultdict
from pathlib import Path

from bench.common import ROOT, VENV_BIN, free_port, wait_for
from bench.prod_stack import Stack, get, measure

BUDGET_SLOW = 0.5  # through nginx, and the embedded default with 60 of them: the rate with slow clients over without
EMBEDDED_SLOW_CLIENTS = 60
BUDGET_HUNG_REDIS = 0.95  # computed API answers with Redis hung (SIGSTOP), over the rate with Redis up
SLOW_PATH = "/api/v1/jurisdictions/48201/"


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


def mixed(stack: Stack, args, verdicts: list) -> list[str]:
    """The mixed load over 200 jurisdictions and every state, read from the database (Django in this process)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from jurisdictions.models import Jurisdiction, State

    fips_list = list(Jurisdiction.objects.filter(in_dataset=True).order_by("fips").values_list("fips", flat=True))
    fips_list = random.Random(1).sample(fips_list, 200)
    postals = list(State.objects.order_by("postal").values_list("postal", flat=True))
    return mixed_load(stack.nginx_port, args.mixed_seconds, args.clients, fips_list, postals, verdicts)
