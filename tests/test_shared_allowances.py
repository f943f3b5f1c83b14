"""Allowances hold across workers: counted where every worker and server sees them (common/allowances.py), in
the database when there is no Redis. Real gunicorn with several worker processes on one database."""

import http.client
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from common import allowances
from common.models import Allowance
from tests import appserver

WORKERS = 3


@pytest.fixture
def workers(app_database_url):
    port = appserver.free_port()
    process = appserver.start_gunicorn(
        app_database_url,
        port,
        workers=WORKERS,
        API_BULK_RATE="60/minute",
        CORRECTIONS_RATE="5/hour",
        ANSWER_CACHE_MB="0",
    )
    yield port
    appserver.stop(process)


def _request(port, method, path, body=None, headers=None):
    # A connection per request: gunicorn's sync workers each accept their own, so the requests spread over them.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def _all_at_once(calls):
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda call: call(), calls))


@pytest.mark.django_db(transaction=True)
def test_seventy_full_downloads_from_one_address_get_sixty_answers_across_workers(workers):
    # Distinct days, so each is a computed download (nothing kept answers it).
    days = [f"2011-{1 + n // 28:02d}-{1 + n % 28:02d}" for n in range(70)]
    statuses = _all_at_once(
        [
            lambda day=day: _request(workers, "GET", f"/api/v1/jurisdictions/?format=csv&state=RI&as_of={day}")
            for day in days
        ]
    )
    # Counted per worker, each of the three would have allowed 60: all 70 answered.
    assert statuses.count(200) == 60 and statuses.count(429) == 10, statuses


@pytest.mark.django_db(transaction=True)
def test_thirty_correction_reports_from_one_address_store_five(workers):
    form = urlencode({"page": "/jurisdictions/48201/", "description": "The activation date should be 28 October 2008."})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    statuses = _all_at_once(
        [lambda: _request(workers, "POST", "/corrections/report/", form, headers) for _ in range(30)]
    )
    assert statuses.count(303) == 5 and statuses.count(429) == 25, statuses


@pytest.mark.django_db
def test_a_window_that_ended_starts_again_and_is_pruned():
    Allowance.objects.all().delete()  # counters another test's threads committed (outside its transaction)
    now = 1_000_000.0
    assert allowances.count("bulk:192.0.2.1", 60, now) == (1, 1_000_060)
    assert allowances.count("bulk:192.0.2.1", 60, now + 59) == (2, 1_000_060)
    assert allowances.count("bulk:192.0.2.1", 60, now + 60) == (1, 1_000_120)
    assert allowances.count("search:192.0.2.2", 60, now) == (1, 1_000_060)
    assert allowances.prune(now=now + 61) == 1
    assert list(Allowance.objects.values_list("key", flat=True)) == ["bulk:192.0.2.1"]


@pytest.mark.django_db
def test_ended_counters_are_pruned_once_an_interval_has_passed(settings, monkeypatch):
    settings.ALLOWANCE_PRUNE_SECONDS = 600
    Allowance.objects.all().delete()  # counters another test's threads committed (outside its transaction)
    now = time.time()
    allowances.count("bulk:192.0.2.3", 60, now - 3600)  # a window that ended an hour ago
    monkeypatch.setattr(allowances, "_next_prune", 0.0)  # the process has lived longer than an interval
    allowances.count("bulk:192.0.2.4", 60, now)  # its window is current: kept
    assert list(Allowance.objects.values_list("key", flat=True)) == ["bulk:192.0.2.4"]
    assert allowances._next_prune > 0.0
    allowances.count("bulk:192.0.2.5", 60, now - 3600)  # ended, but the next prune is an interval away
    assert Allowance.objects.count() == 2
