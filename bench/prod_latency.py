"""bench/production.py's latency parts, each a DESIGN.md budget on the median answer time wrk measures:
- distinct days: 16 clients through nginx asking county and state pages, each request on a day no other request of
  the run asks (so nginx's micro-cache never answers): median under 50 ms;
- the sitemap when warm, through nginx and straight to gunicorn: median under 10 ms;
- five releases in turn, straight to gunicorn, once each is loaded in every worker: median under 5 ms per answer.
"""

import datetime
import random
import time

from bench.prod_memory import read_fixture
from bench.prod_stack import CLIENT, CONNECTIONS, Stack, get, latencies

BUDGET_DAYS_MS = 50  # median, 16 clients through nginx on distinct-day pages
DAYS_CLIENTS = 16
WARM_DAYS = 600
BUDGET_SITEMAP_MS = 10  # median, /sitemap.xml once warm
# Long enough for every worker to build it once (about a second each, the workers sharing two CPUs).
SITEMAP_WARM_SECONDS = 6
BUDGET_RELEASE_MS = 5  # median per answer, cycling five loaded releases
RELEASE_COUNT = 5


def distinct_days(stack: Stack, args, verdicts: list) -> list[str]:
    """County pages (four in five) and state pages, every request on a day of its own, shuffled over the program's
    start (2008-01-01) to yesterday: about 6,900 days, of which WARM_DAYS warm the workers first and the rest are
    measured, so a run of more requests than that repeats days (said)."""
    rng = random.Random(22)
    fips = [row["county_fips"] for row in read_fixture("activations.csv")]
    postals = [row["postal"] for row in read_fixture("states.csv")]
    start = datetime.date(2008, 1, 1)  # common.dates.PROGRAM_START
    days = [start + datetime.timedelta(days=n) for n in range((datetime.date.today() - start).days - 1)]
    rng.shuffle(days)
    paths = [
        f"/jurisdictions/{rng.choice(fips)}/?as_of={day}"
        if rng.random() < 0.8
        else f"/states/{rng.choice(postals)}/?as_of={day}"
        for day in days
    ]
    warm, paths = paths[:WARM_DAYS], paths[WARM_DAYS:]
    lines = [
        f"distinct days: wrk, {DAYS_CLIENTS} connections for {args.seconds:g} s through nginx, county pages (4 in 5) "
        f"and state pages, each request on a day no other asks ({len(paths):,} days); budget: median < "
        f"{BUDGET_DAYS_MS} ms",
        f"{'':26} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}  errors",
    ]
    print("\n" + "\n".join(lines), flush=True)
    # Warm: every worker has built its snapshot, compiled its templates and answered pages on other days (what a
    # first day costs a process is not what is measured); on days of their own, not those measured.
    latencies(stack.nginx_port, warm, min(args.seconds, 3), DAYS_CLIENTS)
    result = latencies(stack.nginx_port, paths, args.seconds, DAYS_CLIENTS)
    ok = result["p50_ms"] < BUDGET_DAYS_MS and not result["errors"]
    line = (
        f"{'through nginx':26} {result['requests']:9d} {result['rps']:7.0f} {result['p50_ms']:7.1f} "
        f"{result['p95_ms']:7.1f}  {result['errors']}  {'ok' if ok else 'MISSED'}"
    )
    if result["repeated"]:
        line += f"  (more requests than days: {result['requests'] - len(paths)} repeated a day)"
    print(line, flush=True)
    lines.append(line)
    verdicts.append(
        (
            f"distinct days: {DAYS_CLIENTS} clients through nginx, median < {BUDGET_DAYS_MS} ms",
            ok,
            f"p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, {result['errors']} errors",
        )
    )
    return lines


def sitemap(stack: Stack, args, verdicts: list) -> list[str]:
    """/sitemap.xml: the first answer timed alone (a server that never built it), then every worker made to answer
    it (wrk, 8 connections, SITEMAP_WARM_SECONDS), then one connection for --seconds: its median is the budget's."""
    lines = [
        f"sitemap: /sitemap.xml, warm (after wrk with {CONNECTIONS} connections for {SITEMAP_WARM_SECONDS} s), "
        f"then 1 connection for {args.seconds:g} s, Accept-Encoding: {CLIENT['Accept-Encoding']}; "
        f"budget: median < {BUDGET_SITEMAP_MS} ms",
        f"{'':26} {'KB':>6} {'first ms':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}  errors",
    ]
    print("\n" + "\n".join(lines), flush=True)
    for name, port, headers in (
        ("straight to gunicorn", stack.direct_port, CLIENT),
        ("through nginx", stack.nginx_port, CLIENT),
        # No budget: what the app's answer costs without compressing it (its memo keeps the uncompressed bytes).
        ("straight, uncompressed", stack.direct_port, {"Accept-Encoding": "identity"}),
    ):
        began = time.perf_counter()
        response, body = get(port, "/sitemap.xml", headers)
        first = (time.perf_counter() - began) * 1000
        latencies(port, ["/sitemap.xml"], SITEMAP_WARM_SECONDS, CONNECTIONS, headers)
        result = latencies(port, ["/sitemap.xml"], args.seconds, 1, headers)
        ok = result["p50_ms"] < BUDGET_SITEMAP_MS and not result["errors"] and response.status == 200
        line = (
            f"{name:26} {len(body) / 1024:6.0f} {first:9.1f} {result['rps']:7.0f} {result['p50_ms']:7.2f} "
            f"{result['p95_ms']:7.2f}  {result['errors']}  "
        )
        if headers is CLIENT:
            line += "ok" if ok else "MISSED"
            verdicts.append(
                (f"sitemap warm, {name}: median < {BUDGET_SITEMAP_MS} ms", ok, f"p50 {result['p50_ms']:.2f} ms")
            )
        else:
            line += "(no budget)"
        if response.status != 200:
            line += f"  (first answer {response.status})"
        print(line, flush=True)
        lines.append(line)
    return lines


# Each answer asked of every release in turn (r1, r2, ... r5, r1, ...): the API, then pages.
RELEASE_ANSWERS = [
    ("API one jurisdiction", "/api/v1/jurisdictions/48201/"),
    ("API stats", "/api/v1/stats/"),
    ("API page of 100", "/api/v1/jurisdictions/?page_size=100"),
    ("jurisdiction page", "/jurisdictions/48201/"),
    ("state page", "/states/TX/"),
    ("release page", None),
]


def release_cycle(stack: Stack, args, releases: list[str], verdicts: list) -> list[str]:
    """Straight to the production workers (no nginx, no answer store: every answer computed from the release's
    snapshot). Every answer of every release first for --seconds over 8 connections, so that each worker has built
    (loaded) all five; then, per answer, one connection cycling over the five releases for --seconds."""

    def paths(template: str | None) -> list[str]:
        if template is None:
            return [f"/releases/{release}/" for release in releases]
        return [f"{template}{'&' if '?' in template else '?'}release={release}" for release in releases]

    lines = [
        f"releases: {', '.join(releases)} in turn, straight to gunicorn, 1 connection for {args.seconds:g} s per "
        f"answer, after every answer of every release for {args.seconds:g} s over {CONNECTIONS} connections; "
        f"budget: median < {BUDGET_RELEASE_MS} ms per answer",
        f"{'answer':26} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}  errors",
    ]
    print("\n" + "\n".join(lines), flush=True)
    everything = [path for _, template in RELEASE_ANSWERS for path in paths(template)]
    for path in everything:
        status = get(stack.direct_port, path, CLIENT)[0].status
        if status != 200:
            lines.append(f"{path}: {status}, not 200")
            print(lines[-1], flush=True)
    latencies(stack.direct_port, everything, args.seconds, CONNECTIONS)
    medians, errors = [], 0
    for name, template in RELEASE_ANSWERS:
        result = latencies(stack.direct_port, paths(template), args.seconds, 1)
        medians.append((result["p50_ms"], name))
        errors += result["errors"]
        ok = result["p50_ms"] < BUDGET_RELEASE_MS and not result["errors"]
        line = (
            f"{name:26} {result['rps']:7.0f} {result['p50_ms']:7.2f} {result['p95_ms']:7.2f}  {result['errors']}  "
            f"{'ok' if ok else 'MISSED'}"
        )
        print(line, flush=True)
        lines.append(line)
    worst, name = max(medians)
    verdicts.append(
        (
            f"releases: {len(releases)} in turn, median < {BUDGET_RELEASE_MS} ms per answer",
            worst < BUDGET_RELEASE_MS and not errors and len(releases) == RELEASE_COUNT,
            f"largest {worst:.2f} ms: {name}; {errors} errors",
        )
    )
    return lines
