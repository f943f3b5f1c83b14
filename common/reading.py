"""The read model's holder: which data version is current, and this process's snapshot of it.

A helper that imports no app code. The snapshot itself is built by a function the project registers at start-up
(`tracker.apps.TrackerConfig.ready` registers `readmodel.snapshot.build`), so the apps can ask for the current
snapshot as they would ask a library, and imports keep running one way (ARCHITECTURE.md).

Every public read calls `current()`: one small query (the data version row, bumped by a database trigger in the
same transaction as every write: tracker/models.py); the snapshot is rebuilt only when that number moves, once
per process, under a lock so that concurrent requests wait for one build rather than each doing their own.
"""

import contextlib
import contextvars
import datetime
import gc
import re
import threading
from collections import OrderedDict
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext

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


def lock_version() -> None:
    """Hold the data version row until the transaction ends (PostgreSQL: FOR UPDATE; SQLite's write transactions
    are serialised anyway): a writer that must see no other write land meanwhile, e.g. a release's publication."""
    suffix = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {TABLE} WHERE id = 1{suffix}")


def bump_version(at: datetime.datetime) -> None:
    """Move the data version by one, as the triggers do for a write to public data (a new release is public too)."""
    with connection.cursor() as cursor:
        value = connection.ops.adapt_datetimefield_value(at)
        cursor.execute(f"UPDATE {TABLE} SET number = number + 1, changed_at = %s WHERE id = 1", [value])


_builder = None
_lock = threading.Lock()
_held = None  # the snapshot of the newest version seen by this process


def register(builder) -> None:
    """Set the function that builds a snapshot: `builder(version) -> snapshot` (with a `.version` attribute)."""
    global _builder, _held
    _builder, _held = builder, None


# The version a request already read (common/answer_cache.py reads it to check a kept answer; when that answer
# is out of date the view answers from the same version, without a second query).
_request_version: contextvars.ContextVar[Version | None] = contextvars.ContextVar("request_version", default=None)


@contextlib.contextmanager
def reading(version: Version):
    """Within the block, `current()` answers from `version` instead of reading it again."""
    token = _request_version.set(version)
    try:
        yield
    finally:
        _request_version.reset(token)


def current():
    """The snapshot for the current data version (one query, none inside `reading`; a build when it moved)."""
    return snapshot_for(_request_version.get() or read_version())


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


# --- Numbered data releases (`?release=r3`) ------------------------------------------------------------------
#
# A release is frozen: its snapshot is built once from its stored data.json (releases/) and never changes, so it is
# kept without invalidation, in a bounded least-recently-used cache keyed by release number: at most
# settings.RELEASE_SNAPSHOTS_KEPT (part of the worker's memory budget, MEMORY_BUDGET_MB), so a scraper walking
# every release costs builds, never memory; while the releases asked fit, none is built twice in a process, and
# concurrent first requests for one release wait for one build.
# Whether the release exists is one query per request (the release row), as a current
# answer reads the data version; a release row's `key` (number, data hash) guards against another database's
# release of the same number (a restore, a test database) while this process held its snapshot.

# r1 .. r999999999: a release number is a positive integer without leading zeros.
_RELEASE_ID = re.compile(r"r([1-9][0-9]{0,8})")


class Pinned(NamedTuple):
    """The release a request asked for: its number, the US day it was published (the answer's default day), its
    publication time, a key that differs for another database's release of that number, and the data version it
    froze (its snapshot's version)."""

    number: int
    day: datetime.date
    published_at: datetime.datetime
    key: str
    version: Version | None = None

    @property
    def public_id(self) -> str:
        return f"r{self.number}"


class Choice(NamedTuple):
    """What a request answers from: a snapshot, and the release it belongs to (None: the current data)."""

    snapshot: object
    release: Pinned | None


class BadRelease(ValueError):
    """A `release` parameter that names no release (404) or is not written as one (400)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


_release_finder = None  # number -> Pinned | None (one query)
_release_loader = None  # Pinned -> snapshot (its data.json: from the cache, no query; else one)
_releases: OrderedDict = OrderedDict()
_releases_lock = threading.Lock()


def register_releases(finder, loader) -> None:
    """Set how releases are found (`finder(number) -> Pinned | None`) and built (`loader(pinned) -> snapshot`)."""
    global _release_finder, _release_loader
    _release_finder, _release_loader = finder, loader
    _releases.clear()


def release_number(text: str) -> int:
    """The number of a release written `r3`; BadRelease (400) for anything else."""
    match = _RELEASE_ID.fullmatch(text.strip())
    if match is None:
        message = gettext("release must be written r and the release number, e.g. r1; got '%(value)s'.")
        raise BadRelease(message % {"value": text[:40]})
    return int(match.group(1))


def choose(request, number: int | None) -> Choice:
    """The one place a request's snapshot is chosen, for pages and the API: release `number` (`?release=rN`, as
    common/public.py read it), else the current data. A choice already made for the request (publishing a release
    renders its files through the API views) is kept. A release's snapshot is None when this process does not hold
    it: the caller builds it with `release_snapshot` once it knows it must answer (a page counts the client's
    allowance first: the build is the costly part). BadRelease (404) when there is no release `number`."""
    made = getattr(request, "release_choice", None)
    if made is not None:
        return made
    if number is None:
        return Choice(current(), None)
    pinned = find_release(number)
    found = _releases.get(number)
    return Choice(found[0] if found is not None and found[1] == pinned else None, pinned)


def find_release(number: int) -> Pinned:
    """Release `number` (one query); BadRelease (404) when there is none."""
    pinned = _release_finder(number) if _release_finder else None
    if pinned is None:
        raise BadRelease(
            gettext("There is no release r%(number)s. The list of releases is at /releases/.") % {"number": number},
            status=404,
        )
    return pinned


def release_snapshot(number: int, pinned: Pinned | None = None):
    """(snapshot, Pinned) of release `number` (`pinned`: as `find_release` gave it, saving its query): the one this
    process keeps, else built from the release's stored data and kept. BadRelease (404) when there is none."""
    if pinned is None:
        pinned = find_release(number)
    found = _releases.get(number)
    if found is not None and found[1] == pinned:
        return found
    with _releases_lock:
        found = _releases.get(number)
        if found is None or found[1] != pinned:
            found = (_release_loader(pinned), pinned)
            _releases[number] = found
        _releases.move_to_end(number)
        while len(_releases) > settings.RELEASE_SNAPSHOTS_KEPT:
            _releases.popitem(last=False)
        return found


def forget_releases() -> None:
    """Drop every release snapshot this process holds (tests)."""
    _releases.clear()
