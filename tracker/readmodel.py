"""The read model's holder: which data version is current, and this process's snapshot of it.

A helper that imports no app code. The snapshot itself is built by a function the project registers at start-up
(`tracker.apps.TrackerConfig.ready` registers `tracker.snapshot.build`), so the apps can ask for the current
snapshot as they would ask a library, and imports keep running one way (ARCHITECTURE.md).

Every public read calls `current()`: one small query (the data version row, bumped by a database trigger in the
same transaction as every write: tracker/models.py); the snapshot is rebuilt only when that number moves, once
per process, under a lock so that concurrent requests wait for one build rather than each doing their own.
"""

import datetime
import gc
import threading
from typing import NamedTuple

from django.db import connection

TABLE = "tracker_dataversion"


class Version(NamedTuple):
    """The data version: a counter and the time of the last write (aware, UTC; None before any write)."""

    number: int
    changed_at: datetime.datetime | None


def read_version() -> Version:
    """The current data version, in one query. A missing row (an emptied table, as tests do) counts as 0."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, changed_at FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return Version(0, None)
    number, changed_at = row
    if isinstance(changed_at, str):
        # SQLite hands back the trigger's text; PostgreSQL an aware datetime.
        changed_at = datetime.datetime.fromisoformat(changed_at)
    if changed_at is not None and changed_at.tzinfo is None:
        changed_at = changed_at.replace(tzinfo=datetime.UTC)
    return Version(int(number), changed_at)


_builder = None
_lock = threading.Lock()
_held = None  # the snapshot of the newest version seen by this process


def register(builder) -> None:
    """Set the function that builds a snapshot: `builder(version) -> snapshot` (with a `.version` attribute)."""
    global _builder, _held
    _builder, _held = builder, None


def current():
    """The snapshot for the current data version (one query; a build when the version moved)."""
    return snapshot_for(read_version())


def snapshot_for(version: Version):
    global _held
    held = _held
    if held is not None and held.version == version:
        return held
    with _lock:
        if _held is not None and _held.version == version:
            return _held
        built = _build_consistent(version)
        _held = built
        _settle_heap()
        return built


def _settle_heap() -> None:
    """Collect the replaced snapshot, then exempt everything alive from later garbage collections.

    A snapshot is tens of thousands of long-lived objects (hundreds of thousands for ten times the data). Left to
    the cyclic collector, they are scanned again by every full collection that a request's allocations trigger,
    which cost more than the answers themselves (bench/snapshot_build.py). `gc.freeze()` moves them out of its
    reach; `gc.unfreeze()` and one full collection at the next version free the old snapshot's reference cycles
    (a model instance and its prefetched rows point at each other), so memory stays bounded to about one version.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _build_consistent(version: Version):
    """Build from the database and check that no write committed meanwhile; if one did, build again.

    Each statement of a build may see a newer commit (READ COMMITTED), but every commit moves the version: when it
    is the same after the build as before, the rows read are exactly those of that version.
    """
    for _ in range(5):
        built = _builder(version)
        after = read_version()
        if after == version:
            return built
        version = after
    # Writes kept landing while we read: serve the last build, labelled with the version it started from, so
    # the next request (which sees a newer version) builds again.
    return built


def forget() -> None:
    """Drop this process's snapshot (tests that change data without a write use it)."""
    global _held
    _held = None
