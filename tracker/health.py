"""`/healthz`: for load balancers and monitors. 200 when the public site can answer, 503 when it cannot.

It checks what every public answer needs: the database (the data version is read on every request) and the
read-model snapshot for the current version (built here if this process has none yet). The cache is reported
but never fails the check: an outage costs the shared throttle counters, not answers (settings: CACHES).
"""

import uuid

from django.core.cache import cache
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from common import reading


def _cache_state() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 5)
        found = cache.get(key)
        cache.delete(key)
    except Exception as error:  # noqa: BLE001 (any backend failure is "degraded", never a failed check)
        return f"degraded: {type(error).__name__}"
    return "ok" if found == "1" else "degraded: the cache did not keep a value"


@require_safe
@never_cache
def healthz(request):
    try:
        snapshot = reading.current()
    except DatabaseError as error:
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    return JsonResponse(
        {
            "status": "ok",
            "database": "ok",
            "data_version": snapshot.version.number,
            "jurisdictions": len(snapshot.units),
            "cache": _cache_state(),
        }
    )
