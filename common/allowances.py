"""Allowances (rate limits) counted where every worker and every app server sees them.

Each allowance is a fixed window per client address: "60/minute" is 60 requests in the minute that starts at the
client's first request (and again at its first request after that minute). The key is "<scope>:<client address>".
The count lives

- in Redis, when the default cache offers `incr_window` (tracker/redis_breaker.py, REDIS_URL set): one round
  trip per check (a pipeline: create with the window as expiry if missing, INCR, TTL);
- otherwise, or while Redis is failing or skipped by its breaker, in the database: ONE statement per check,
  `INSERT ... ON CONFLICT (key) DO UPDATE SET count = count + 1 ... RETURNING count` (SQLite 3.35+ and
  PostgreSQL), atomic in both, so two workers never both see the same count. A new window starts the count
  again in that same statement; a row per client and scope is all the table holds, and rows whose window
  ended are deleted at most once per ALLOWANCE_PRUNE_SECONDS (settings) per process.

A failure of either store lets the request through (the limit is lifted, never the answer). The throttles are
DRF's (their rate parsing and 429 with Retry-After), counted here instead of in a per-process list of times.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from rest_framework.throttling import SimpleRateThrottle

from common.client_address import ClientAddressThrottleMixin
from common.models import Allowance

log = logging.getLogger(__name__)

_UPSERT = (
    'INSERT INTO {table} ("key", "window_ends", "count") VALUES (%s, %s, 1) '
    'ON CONFLICT ("key") DO UPDATE SET '
    # A window that has ended starts again, at this request; otherwise the request counts in the current one.
    '"count" = CASE WHEN {table}."window_ends" <= %s THEN 1 ELSE {table}."count" + 1 END, '
    '"window_ends" = CASE WHEN {table}."window_ends" <= %s THEN excluded."window_ends" ELSE {table}."window_ends" END '
    'RETURNING "count", "window_ends"'
)

_prune_lock = threading.Lock()
# The first prune waits an interval: a process's first requests pay nothing.
_next_prune = time.monotonic() + settings.ALLOWANCE_PRUNE_SECONDS


def _count_in_database(key: str, window_seconds: int, now: int) -> tuple[int, int] | None:
    table = connection.ops.quote_name(Allowance._meta.db_table)
    try:
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT.format(table=table), [key, now + window_seconds, now, now])
            count, ends = cursor.fetchone()
    except DatabaseError:
        log.warning("allowance %s not counted: the database failed", key, exc_info=True)
        return None
    _maybe_prune()
    return count, ends


def _maybe_prune() -> None:
    global _next_prune
    interval, now = settings.ALLOWANCE_PRUNE_SECONDS, time.monotonic()
    if not interval or now < _next_prune or not _prune_lock.acquire(blocking=False):
        return
    try:
        _next_prune = now + interval
        prune()
    finally:
        _prune_lock.release()


def prune(now: float | None = None) -> int:
    """Delete the counters whose window has ended; how many were deleted."""
    ended = int(time.time() if now is None else now)
    try:
        deleted, _ = Allowance.objects.filter(window_ends__lte=ended).delete()
    except DatabaseError:
        log.warning("allowance counters not pruned", exc_info=True)
        return 0
    return deleted


def count(key: str, window_seconds: int, now: float) -> tuple[int, int] | None:
    """Count one request under `key` in its current window of `window_seconds` (one starts at the first request
    after the last one ended): (the count so far, the window's end in epoch seconds), or None when no store could
    count it."""
    now = int(now)
    incr_window = getattr(caches["default"], "incr_window", None)
    if incr_window is not None:
        counted = incr_window(f"throttle:{key}", window_seconds)
        if counted is not None:
            number, seconds_left = counted
            return number, now + seconds_left
    return _count_in_database(key, window_seconds, now)


class SharedRateThrottle(ClientAddressThrottleMixin, SimpleRateThrottle):
    """A DRF throttle per client address (common/client_address.py) whose count every worker shares. Subclasses
    set `scope` and `get_rate()` (None: no limit)."""

    def get_cache_key(self, request, view):
        return f"{self.scope}:{self.get_ident(request)}"

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        now = self.timer()
        counted = count(self.get_cache_key(request, view), self.duration, now)
        if counted is None:
            return True
        number, window_ends = counted
        self._wait = max(1.0, window_ends - now)
        return number <= self.num_requests

    def wait(self):
        return getattr(self, "_wait", None)
