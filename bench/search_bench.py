#!/usr/bin/env python3
"""Search latency and memory with the place and ZIP code tables loaded, against a tree without them (issue 24).

    git archive <commit-before> | tar -x -C /tmp/search-before     # the tree to compare with (e.g. main)
    .venv/bin/python bench/search_bench.py --before /tmp/search-before

For each tree (this one, and --before if given) a child process migrates a new SQLite file, loads the shipped
dataset, builds the snapshot and its matcher, and then asks each query of QUERIES on three paths through Django's
test client (the whole middleware stack, no network): the suggestions (`/search/suggest?q=`), the list page
(`/jurisdictions/?q=`) and the API (`/api/v1/jurisdictions/?q=`). The matcher's cache of answers is emptied
before every request, so each is a query never asked before (the answer store is off: ANSWER_CACHE_MB=0; so is
the search allowance). Five rounds; the median and 90th percentile per path. Memory: the process's resident set
after the first search and after every path, the same way in both trees (the difference is what a worker grows).

Budgets (DESIGN.md, issue 24): suggestions and `?q=` within 2x of the tree before; a worker under 30 MB more.
Prints one table (paste it into bench/README.md under "Search") and exits non-zero when a budget is missed.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import machine  # noqa: E402

QUERIES = [
    # Names, as before: exact, agency forms, partial words, misspellings (the did-you-mean path), FIPS codes.
    "harris", "st louis", "Harris County Sheriff's Office", "miami dade", "prince georges", "cook county il",
    "los angeles", "orleans parish", "king county wa", "dupage", "lasalle", "texas", "new york", "mecklenberg",
    "pottawatamie", "haris", "jeffer", "san", "48201", "06037", "17031",
    # What issue 24 adds: cities, ZIP codes, Spanish words, today's names.
    "chicago", "houston", "boston", "kansas city", "new york city", "atlanta", "phoenix", "springfield",
    "columbus ohio", "portland or", "60614", "77002", "10001", "90012", "02108",
    "condado de harris", "condado de los angeles", "parroquia orleans", "nueva york", "luisiana",
    "carolina del norte", "nueva orleans", "oglala lakota", "kusilvak", "petersburg borough", "chicgo",
]  # fmt: skip
PATHS = {
    "suggestions": "/search/suggest",
    "list page ?q=": "/jurisdictions/",
    "API ?q=": "/api/v1/jurisdictions/",
}
ROUNDS = 5
LATENCY_BUDGET = 2.0
MEMORY_BUDGET_MB = 30


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(tree: Path) -> dict:
    """Runs inside the tree measured (cwd and sys.path are that tree's)."""
    import django

    django.setup()
    from django.test import Client

    try:
        from common import reading
    except ImportError:  # a tree from before the library moved to common/
        from tracker import readmodel as reading

    client = Client()
    client.get("/search/suggest", {"q": "warm"})
    snapshot = reading.current()
    matcher = snapshot.matcher
    memory = {"after the first search": _rss_mb()}
    times: dict[str, list[float]] = {name: [] for name in PATHS}
    for _ in range(ROUNDS):
        for name, path in PATHS.items():
            for query in QUERIES:
                matcher._search_cached.cache_clear()
                started = time.perf_counter()
                response = client.get(path, {"q": query})
                times[name].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, query, response.status_code)
            memory[f"after {name}"] = _rss_mb()
    # The matcher alone, without Django: one uncached search.
    alone = []
    for _ in range(ROUNDS):
        for query in QUERIES:
            matcher._search_cached.cache_clear()
            started = time.perf_counter()
            matcher.search(query)
            alone.append((time.perf_counter() - started) * 1000)
    times["matcher.search alone"] = alone
    return {
        "tree": str(tree),
        "times": {name: {"median": statistics.median(v), "p90": _p90(v)} for name, v in times.items()},
        "memory": memory,
        "places": len(getattr(matcher, "gazetteer", ()) or ()),
    }


def _p90(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.9)]


def measure(tree: Path) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{Path(workdir) / 'search.sqlite3'}",
            "PRODUCTION": "",
            "LOG_LEVEL": "ERROR",
            "ANSWER_CACHE_MB": "0",
            "SEARCH_RATE": "off",
            "DJANGO_SETTINGS_MODULE": "tracker.settings",
            "PYTHONPATH": str(tree),
        }
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=tree, env=env, check=True)
        subprocess.run([*manage, "load_dataset"], cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
        out = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(tree)],
            cwd=tree,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="a tree without the place and ZIP tables, to compare with")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(args.child))
        print(json.dumps(child(args.child)))
        return 0
    print(f"machine: {machine()}")
    after = measure(ROOT)
    before = measure(args.before) if args.before else None
    print(f"{len(QUERIES)} queries x {ROUNDS} rounds per path, each uncached; Django test client, SQLite")
    places = after["places"], (before or {}).get("places", "-")
    print(f"places in the matcher's tables: {places[0]} (this tree), {places[1]} (before)")
    print(f"{'path':24} {'before ms':>10} {'p90':>7} {'after ms':>10} {'p90':>7} {'x before':>9}  verdict")
    failed = False
    for name, now in after["times"].items():
        if before is None:
            print(f"{name:24} {'':>10} {'':>7} {now['median']:>10.2f} {now['p90']:>7.2f}")
            continue
        then = before["times"][name]
        ratio = now["median"] / then["median"]
        budget = name in PATHS
        verdict = ("ok" if ratio <= LATENCY_BUDGET else "OVER") if budget else "(no budget)"
        failed |= budget and ratio > LATENCY_BUDGET
        print(
            f"{name:24} {then['median']:>10.2f} {then['p90']:>7.2f} {now['median']:>10.2f} {now['p90']:>7.2f}"
            f" {ratio:>9.2f}  {verdict}"
        )
    print(f"{'resident memory MB':24} {'before':>10} {'after':>10} {'growth':>8}")
    for name, now in after["memory"].items():
        then = before["memory"].get(name) if before else None
        growth = "" if then is None else f"{now - then:>8.1f}"
        verdict = "" if then is None else ("ok" if now - then < MEMORY_BUDGET_MB else "OVER")
        failed |= bool(then is not None and now - then >= MEMORY_BUDGET_MB)
        print(f"{name:24} {'' if then is None else f'{then:.1f}':>10} {now:>10.1f} {growth}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
