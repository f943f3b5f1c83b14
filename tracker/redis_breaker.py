"""Redis can only speed things up: django-redis's cache with short timeouts and a breaker, per process.

With `IGNORE_EXCEPTIONS` django-redis turns a failed call into a miss, but each call still waits for its timeout:
a hung Redis (the process stopped, the network black-holing) cost every request that touched the cache a wait,
several for a request that reads and writes a counter. Here, after a failure, this process skips Redis
altogether for `RETRY_SECONDS` (settings: REDIS_RETRY_SECONDS, default 5): every call is an immediate miss.
Then one call (one thread) tries again while the others keep skipping: a hung Redis costs at most one short
wait per process per interval. A success closes the breaker.

`/healthz` reads `state()`: the breaker open is "degraded".
"""

import threading
import time

from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

DEFAULT_RETRY_SECONDS = 5.0


class BreakerOpen(Exception):
    """Redis is being skipped after a failure (the cause of the ConnectionInterrupted django-redis ignores)."""

    def __str__(self):
        return "skipped after a recent failure"


class Breaker:
    """Whether this process may call one Redis server now. Thread-safe; one per server address."""

    def __init__(self, retry_seconds: float):
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._skip_until = 0.0
        self.last_failure: str | None = None

    def allow(self) -> bool:
        """True when a call may go to Redis. When an interval has just run out, the first caller is let through
        and the breaker re-armed before it calls, so the other threads keep skipping while it tries."""
        now = time.monotonic()
        if now >= self._skip_until and self.last_failure is None:
            return True
        with self._lock:
            if now < self._skip_until:
                return False
            self._skip_until = now + self.retry_seconds
            return True

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self._skip_until = time.monotonic() + self.retry_seconds
            self.last_failure = f"{type(error.__cause__ or error).__name__}"

    def succeeded(self) -> None:
        if self.last_failure is not None:
            with self._lock:
                self._skip_until, self.last_failure = 0.0, None

    def state(self) -> str:
        if self.last_failure is None:
            return "ok"
        left = self._skip_until - time.monotonic()
        then = f"skipped for {left:.1f} s more" if left > 0 else "tried again on the next call"
        return f"degraded: {self.last_failure}; Redis {then}"


_breakers: dict[str, Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(server: str, retry_seconds: float) -> Breaker:
    """The process's breaker for a server address (Django makes a cache object per thread: they share it)."""
    with _breakers_lock:
        if server not in _breakers:
            _breakers[server] = Breaker(retry_seconds)
        return _breakers[server]


def reset() -> None:
    """Forget every failure (tests)."""
    with _breakers_lock:
        _breakers.clear()


class _GuardedClient:
    """django-redis's client, each call first asking the breaker and telling it how the call went."""

    def __init__(self, client, breaker: Breaker):
        self._client, self._breaker = client, breaker

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute
        breaker = self._breaker

        def guarded(*args, **kwargs):
            if not breaker.allow():
                raise ConnectionInterrupted(connection=None) from BreakerOpen()
            try:
                result = attribute(*args, **kwargs)
            except ConnectionInterrupted as error:
                breaker.failed(error)
                raise
            breaker.succeeded()
            return result

        return guarded


class RedisCache(DjangoRedisCache):
    """django-redis's cache behind the process's breaker (OPTIONS: IGNORE_EXCEPTIONS must be on, as in
    settings). OPTIONS["RETRY_SECONDS"]: how long to skip Redis after a failure."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        retry_seconds = float(options.pop("RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self.breaker = breaker_for(str(server), retry_seconds)
        self._guarded = None

    @property
    def client(self):
        if self._guarded is None:
            self._guarded = _GuardedClient(super().client, self.breaker)
        return self._guarded

    def incr_window(self, key: str, timeout: int) -> tuple[int, int] | None:
        """Count one request under `key` (an allowance, common/allowances.py) in ONE round trip, a pipeline: SET
        with the window as expiry if the key is missing, INCR (which keeps the expiry), TTL. (the count, seconds
        left in the window), or None when Redis is skipped by the breaker or fails (the caller counts elsewhere)."""
        breaker = self.breaker
        if not breaker.allow():
            return None
        name = self.make_key(key)
        try:
            pipeline = super().client.get_client(write=True).pipeline()
            pipeline.set(name, 0, ex=max(1, timeout), nx=True)
            pipeline.incr(name)
            pipeline.ttl(name)
            _, counted, seconds_left = pipeline.execute()
        except RedisError as error:
            breaker.failed(error)
            return None
        breaker.succeeded()
        return int(counted), max(1, int(seconds_left))
