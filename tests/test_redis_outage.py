"""A hung Redis costs speed, never answers, and not much speed: one short wait per process per interval
(tracker/redis_breaker.py). Against a private redis-server of this test's own, stopped with SIGSTOP (the shared
Redis at 6379 is never touched)."""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.core.cache import cache

from tracker import redis_breaker

pytestmark = pytest.mark.django_db

TIMEOUT = 0.5
REQUESTS = 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def private_redis(tmp_path):
    redis = pytest.importorskip("redis")
    server = shutil.which("redis-server")
    if not server:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmp_path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    try:
        yield process, client, f"redis://127.0.0.1:{port}/0"
    finally:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def hung_redis_settings(private_redis, settings):
    process, client, url = private_redis
    redis_breaker.reset()
    settings.CACHES = {
        "default": {
            "BACKEND": "tracker.redis_breaker.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "scomm-outage",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": TIMEOUT,
                "SOCKET_TIMEOUT": TIMEOUT,
                "RETRY_SECONDS": 60,
            },
        }
    }
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "10000/min", "bulk": None}}
    yield process, client
    redis_breaker.reset()


def _answers(client, month: int) -> float:
    """Seconds for REQUESTS distinct, uncached API answers (each counts against the throttle in the cache)."""
    started = time.monotonic()
    for day in range(1, REQUESTS + 1):
        response = client.get(f"/api/v1/stats/?as_of=2011-{month:02d}-{day:02d}")
        assert response.status_code == 200
    return time.monotonic() - started


def test_a_hung_redis_costs_one_short_wait_per_process_not_one_per_request(client, dataset, hung_redis_settings):
    process, redis = hung_redis_settings
    before = _answers(client, 1)
    assert [key for key in redis.scan_iter("scomm-outage:*") if b"throttle" in key], "Redis was not used"

    process.send_signal(signal.SIGSTOP)
    hung = _answers(client, 2)
    # Without the breaker each answer waited at least one timeout (a read and a write of its counter: two).
    assert hung < before + 2 * TIMEOUT + 0.5, (before, hung)

    started = time.monotonic()
    health = client.get("/healthz")
    assert time.monotonic() - started < TIMEOUT
    assert health.status_code == 200
    assert health.json()["status"] == "degraded" and health.json()["cache"].startswith("degraded")

    # Back: after the interval (ended here by hand) the next call tries Redis, finds it and closes the breaker.
    process.send_signal(signal.SIGCONT)
    cache.breaker._skip_until = 0.0
    redis.delete(*redis.keys("scomm-outage:*"))
    _answers(client, 3)
    assert [key for key in redis.scan_iter("scomm-outage:*") if b"throttle" in key], "Redis was not used again"
    assert client.get("/healthz").json() == {**health.json(), "status": "ok", "cache": "ok"}


def test_after_the_interval_one_caller_tries_again_while_the_others_keep_skipping():
    breaker = redis_breaker.Breaker(retry_seconds=0.2)
    assert breaker.allow()
    breaker.failed(RuntimeError("timed out"))
    assert not breaker.allow()
    assert breaker.state().startswith("degraded: RuntimeError")
    time.sleep(0.25)
    assert breaker.allow()  # the one trial
    assert not breaker.allow() and not breaker.allow()
    breaker.succeeded()
    assert breaker.allow() and breaker.state() == "ok"
