"""`/healthz`: for load balancers and monitors. 200 when the public site can answer, 503 when it cannot.

It checks what every public answer needs: the database (the data version is read on every request) and the
read-model snapshot for the current version (built here if this process has none yet). The cache is reported
but never fails the check: an outage costs the shared throttle counters, not answers (settings: CACHES); the
status is then "degraded", still with a 200.
"""

import uuid

from django.core.cache import cache
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from common import reading


def _cache_state() -> str:
    breaker = getattr(cache, "breaker", None)  # Redis behind its breaker (tracker/redis_breaker.py)
    if breaker is not None and breaker.last_failure is not None:
        # Skipped after a failure: say so without waiting on it again (a hung Redis would cost a timeout here).
        return breaker.state()
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 5)
        found = cache.get(key)
        cache.delete(key)
    except Exception as error:  # noqa: BLE001 (any backend failure is "degraded", never a failed check)
        return f"degraded: {type(error).__name__}"
    if found != "1":
        return breaker.state() if breaker is not None and breaker.last_failure else "degraded: nothing kept"
    return "ok"


@require_safe
@never_cache
def healthz(request):
    try:
        snapshot = reading.current()
    except DatabaseError as error:
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    cache_state = _cache_state()
    # Still a 200: the site answers (more slowly, its limits per process); the body says what is missing.
    return JsonResponse(
        {
            "status": "ok" if cache_state == "ok" else "degraded",
            "database": "ok",
            "data_version": snapshot.version.number,
            "jurisdictions": len(snapshot.units),
            "cache": cache_state,
        }
    )
