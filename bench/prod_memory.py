"""bench/production.py's memory parts: the resident memory of every worker (from /proc) while 10,000 distinct URLs
are asked, straight to the production workers and to the embedded default. Two runs of URLs: made-up ones (one
list with a new ignored parameter each time) and valid ones (days, pages, FIPS lists, searches, releases, in both
languages), each a URL never asked before. Budget (DESIGN.md): each grows no worker by 50 MB or more."""

import csv
import datetime
import functools
import http.client
import itertools
import random
import threading
import time
from collections import Counter
from urllib.parse import quote_plus

from bench.common import ROOT
from bench.prod_stack import Stack, get, rss_mb

BUDGET_MEMORY_MB = 50  # growth of any worker over 10,000 distinct URLs, made-up or valid
MEMORY_PATH = "/api/v1/jurisdictions/?page_size=1000"
WARM_REQUESTS = 200
# The jurisdiction list page and the API's default page: 100 rows.
PAGE_SIZE = 100
FIXTURES = ROOT / "fixtures"


def memory(stack: Stack, requests: int, verdicts: list, *, valid: bool = False, releases=()) -> list[str]:
    """Both servers in turn; with `valid`, distinct valid URLs (`valid_paths`, over `releases`) instead of made-up
    ones. Returns the printed lines; appends one verdict per server."""
    lines = []
    servers = (
        ("production workers (gunicorn.conf.py, PRODUCTION=1), straight", stack.direct_port, stack.gunicorn),
        ("embedded default (dev.py serve)", stack.embedded_port, stack.embedded),
    )
    for seed, (name, port, master) in enumerate(servers):
        if valid:
            # Each server its own shuffle of the same URLs: every one is new to the server asked.
            paths = valid_paths(WARM_REQUESTS + requests, releases, seed=seed)
            what = "distinct valid URLs"
            counts = Counter(kind for kind, _ in paths)
            detail = ", ".join(f"{kind} {n}" for kind, n in counts.most_common())
            paths = iter([path for _, path in paths])
        else:
            paths = (f"{MEMORY_PATH}&x={random.getrandbits(64):x}" for _ in itertools.count())
            what, detail = "requests with distinct ignored parameters", f"{MEMORY_PATH}&x=<random>"
        workers = functools.partial(stack.worker_pids, master)
        lines += memory_of(f"{name}{', valid URLs' if valid else ''}", port, workers, paths, requests, what, detail)
        verdicts.append(lines.pop())
    return lines


def memory_of(name: str, port: int, worker_pids, paths, requests: int, what: str, detail: str) -> list:
    """The printed lines, then (last) the verdict."""
    samples_failed: list[str] = []

    def send(count: int) -> int:
        """The next `count` paths from four client threads; returns the failures (answers other than 200)."""
        todo = [next(paths) for _ in range(count)]
        failures = []

        def client(mine):
            for path in mine:
                try:
                    status = get(port, path)[0].status
                except (OSError, http.client.HTTPException) as error:
                    status = type(error).__name__
                if status != 200:
                    failures.append(f"{status} {path}")

        threads = [threading.Thread(target=client, args=(todo[n::4],)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        samples_failed.extend(failures[: max(0, 5 - len(samples_failed))])
        return len(failures)

    print(f"\nmemory: {requests:,} {what} ({detail}), {name} ...", flush=True)
    fresh = {pid: rss_mb(pid) for pid in worker_pids()}
    failures = send(WARM_REQUESTS)
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
        f"memory, {name}: {requests:,} {what} ({requests / elapsed:.0f} req/s), budget: each worker keeps "
        f"< {BUDGET_MEMORY_MB} MB more after the run than warm; the largest reading during the run is shown beside it",
        f"  ({detail})",
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
        lines.append(f"{failures} answers were not 200, e.g. " + "; ".join(samples_failed))
    print("\n".join(lines), flush=True)
    peak = max(peaks) if peaks else float("nan")
    verdict = (
        f"memory, {name}: worker growth < {BUDGET_MEMORY_MB} MB",
        ok,
        f"largest {worst:.1f} MB; during the run {peak:.1f} MB; {failures} not 200",
    )
    return [*lines, verdict]


# --- distinct valid URLs -----------------------------------------------------------------------------------


def read_fixture(name: str) -> list[dict]:
    with (FIXTURES / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def valid_paths(count: int, releases, *, seed: int = 0) -> list[tuple[str, str]]:
    """`count` distinct URLs the app answers with a 200, as (kind, path), shuffled: pages and API answers on days
    from the program's start to yesterday (US), list pages and API pages by number, with state filters, lists of
    FIPS codes, searches for county names, places and ZIP codes from the shipped data (fixtures/), answers of the
    numbered `releases` (r1 ...), and the pages in Spanish (/es/) too."""
    rng = random.Random(seed)
    units = read_fixture("activations.csv")
    fips = [row["county_fips"] for row in units]
    per_state = Counter(row["state_postal"] for row in units)
    postals = sorted(per_state)
    words = [row["jurisdiction_name"] for row in units]
    words += [row["name"] for row in read_fixture("lookup/places.csv")]
    words += [row["zip"] for row in read_fixture("lookup/zips.csv")]
    start = datetime.date(2008, 1, 1)  # common.dates.PROGRAM_START
    days = [start + datetime.timedelta(days=n) for n in range((datetime.date.today() - start).days - 1)]
    # Half the days in the era of the data (2008-10 to 2013-06), half after it.
    early = [day for day in days if datetime.date(2008, 10, 1) <= day <= datetime.date(2013, 6, 30)]

    def day() -> str:
        return rng.choice(early if rng.random() < 0.5 else days).isoformat()

    def lang() -> str:
        return rng.choice(("", "/es"))

    def state_page() -> tuple[str, int]:
        postal = rng.choice(postals)
        return postal, rng.randint(1, -(-per_state[postal] // PAGE_SIZE))

    def list_page() -> str:
        if rng.random() < 0.5:
            postal, page = state_page()
            return f"{lang()}/jurisdictions/?state={postal}&page={page}&as_of={day()}"
        return f"{lang()}/jurisdictions/?page={rng.randint(1, -(-len(fips) // PAGE_SIZE))}&as_of={day()}"

    def api_page() -> str:
        size = rng.randint(10, 1000)
        if rng.random() < 0.5:
            postal = rng.choice(postals)
            page = rng.randint(1, -(-per_state[postal] // size))
            return f"/api/v1/jurisdictions/?state={postal}&page={page}&page_size={size}&as_of={day()}"
        return f"/api/v1/jurisdictions/?page={rng.randint(1, -(-len(fips) // size))}&page_size={size}&as_of={day()}"

    def search() -> str:
        where = rng.choice(("/api/v1/jurisdictions/", "/jurisdictions/", "/es/jurisdictions/", "/search/suggest"))
        return f"{where}?q={quote_plus(rng.choice(words))}"

    def release() -> str:
        release = rng.choice(releases)
        if rng.random() < 0.5:
            return f"/api/v1/jurisdictions/{rng.choice(fips)}/?release={release}"
        return f"{lang()}/jurisdictions/{rng.choice(fips)}/?release={release}"

    kinds = [
        # weight, kind, path maker
        (20, "county page on a day", lambda: f"{lang()}/jurisdictions/{rng.choice(fips)}/?as_of={day()}"),
        (6, "state page on a day", lambda: f"{lang()}/states/{rng.choice(postals)}/?as_of={day()}"),
        (2, "home page on a day", lambda: f"{lang()}/?as_of={day()}"),
        (8, "list page", list_page),
        (10, "API county on a day", lambda: f"/api/v1/jurisdictions/{rng.choice(fips)}/?as_of={day()}"),
        (10, "API page", api_page),
        (4, "API stats on a day", lambda: f"/api/v1/stats/?as_of={day()}"),
        (10, "API FIPS list", lambda: f"/api/v1/jurisdictions/?fips={','.join(rng.sample(fips, rng.randint(2, 20)))}"),
        (18, "search", search),
        (12, "release", release),
    ]
    population = [(kind, maker) for weight, kind, maker in kinds for _ in range(weight)]
    seen, paths = set(), []
    while len(paths) < count:
        kind, maker = rng.choice(population)
        path = maker()
        if path not in seen:
            seen.add(path)
            paths.append((kind, path))
    return paths
