"""How long the read-model snapshot takes to build, and what a day's answers cost, for the shipped data and for
a synthetic dataset ten times larger (issue 10: "report the snapshot build time ... and how each figure moves").

Each dataset goes into its own new SQLite database in a temporary folder (or PostgreSQL: DATABASE_URL names an
empty database the script may fill and empty). The synthetic one adds nine copies of every counted unit, each
with a copy of its dated history, spread over the 51 states (FIPS codes the Census does not use), so the
snapshot holds about 31,500 units and as many dated changes.

    .venv/bin/python bench/snapshot_build.py
    DATABASE_URL=postgres://USER@127.0.0.1:5432/EMPTY_DB .venv/bin/python bench/snapshot_build.py

Figures (median of 5, each on a day never asked before): the build (every query, the Python objects and the
epoch index), the heap the snapshot holds (tracemalloc), a new day's page of 100 rows and its state counts from the
snapshot, the same page of 100 and the stats answer through the API (the test client, no network), and the whole
CSV download for a new day (its lines encoded once per unit and standing are joined again).
"""

import gc
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
TEMP = tempfile.mkdtemp(prefix="scomm-snapshot-bench-")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{TEMP}/bench.sqlite3"
os.environ["API_RATE"] = os.environ["API_BULK_RATE"] = "off"

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from common import reading  # noqa: E402
from jurisdictions.models import Jurisdiction, State, StatusChange  # noqa: E402
from readmodel import snapshot  # noqa: E402

RUNS = 5
DAY = datetime.date(2011, 8, 5)


def _median(action) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _new_days():
    """Days never asked before in this process: one a day from 2009-01-01 on (through the rollout's epochs)."""
    day = datetime.date(2009, 1, 1)
    while True:
        yield day
        day += datetime.timedelta(days=1)


def _heap_mb(version) -> float:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    built = snapshot.build(version)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del built
    return held / 1024 / 1024


def measure(label: str) -> list:
    version = reading.read_version()
    build = _median(lambda: snapshot.build(version))
    heap = _heap_mb(version)
    # As the server does it: built, then made the current snapshot (the replaced one collected, the heap settled).
    reading.forget()
    built = reading.snapshot_for(version)
    days = _new_days()
    page = _median(lambda: list(built.scoped_rows(next(days), "counted")[:100]))
    counts = _median(lambda: built.state_counts(next(days)))
    client = Client()

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return b"".join(response.streaming_content) if response.streaming else response.content

    api_page = _median(lambda: get(f"/api/v1/jurisdictions/?as_of={next(days)}"))
    api_stats = _median(lambda: get(f"/api/v1/stats/?as_of={next(days)}"))
    get(f"/api/v1/jurisdictions/?format=csv&as_of={DAY}&include=successors")  # every line of that day encoded
    csv_seconds = _median(lambda: get(f"/api/v1/jurisdictions/?format=csv&as_of={next(days)}&include=successors"))
    return [
        label,
        len(built.units),
        sum(len(t) for t in built.timelines.values()),
        len(built.epochs.dates),
        build,
        heap,
        page,
        counts,
        api_page,
        api_stats,
        csv_seconds,
    ]


def add_synthetic_copies(copies: int = 9) -> None:
    """Nine copies of every counted unit with its history, on FIPS codes no real unit uses, spread over states."""
    states = list(State.objects.order_by("fips"))
    used = set(Jurisdiction.objects.values_list("fips", flat=True))
    free = [f"{state.fips}{n:03d}" for n in range(1, 1000) for state in states]
    free = [code for code in free if code not in used]
    originals = list(Jurisdiction.objects.filter(in_dataset=True).order_by("fips"))
    history = {}
    for change in StatusChange.objects.order_by("pk"):
        history.setdefault(change.jurisdiction_id, []).append(change)
    by_fips = {state.fips: state for state in states}
    units, changes = [], []
    for copy in range(copies):
        for unit in originals:
            code = free.pop(0)
            units.append(
                Jurisdiction(fips=code, state=by_fips[code[:2]], name=f"{unit.name} {copy + 2}", kind=unit.kind)
            )
            for change in history.get(unit.fips, []):
                changes.append(
                    StatusChange(
                        jurisdiction_id=code,
                        status=change.status,
                        effective_on=change.effective_on,
                        source_id=change.source_id,
                        confidence=change.confidence,
                        alternative_date=change.alternative_date,
                        note=change.note,
                    )
                )
    with transaction.atomic():
        Jurisdiction.objects.bulk_create(units, batch_size=2000)
        StatusChange.objects.bulk_create(changes, batch_size=2000)


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("load_dataset", verbosity=0)
    rows = [measure("shipped data")]
    add_synthetic_copies()
    rows.append(measure("ten times larger"))
    print(f"database: {connection.vendor}; median of {RUNS} runs; each figure on days never asked before")
    header = (
        f"{'dataset':<18}{'units':>7}{'changes':>8}{'epochs':>7}{'build s':>9}{'heap MB':>9}{'page ms':>9}"
        f"{'counts ms':>10}{'API page ms':>12}{'API stats ms':>13}{'full CSV s':>11}"
    )
    print(header)
    print("-" * len(header))
    for label, units, changes, epochs, build, heap, page, counts, api_page, api_stats, csv_seconds in rows:
        print(
            f"{label:<18}{units:>7}{changes:>8}{epochs:>7}{build:>9.3f}{heap:>9.1f}{page * 1000:>9.2f}"
            f"{counts * 1000:>10.3f}{api_page * 1000:>12.1f}{api_stats * 1000:>13.1f}{csv_seconds:>11.3f}"
        )
    base, large = rows
    figures = ((4, "build"), (5, "heap"), (6, "page"), (7, "counts"), (8, "API page"), (9, "API stats"), (10, "CSV"))
    print("ten times larger / shipped: " + ", ".join(f"{name} {large[i] / base[i]:.1f}x" for i, name in figures))


if __name__ == "__main__":
    main()
