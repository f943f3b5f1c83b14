"""Optional read replica: public API reads go to the ``replica`` database; everything else uses ``default``.

Active only when ``DATABASE_REPLICA_URL`` is set (see settings). Pages, the admin and every write use the primary,
so an editor always sees their own change at once; the read-only API, the bulk of a story-day's traffic, is the
part that can be spread over a replica.
"""

import contextvars

REPLICA = "replica"
API_PREFIX = "/api/"

_api_request: contextvars.ContextVar[bool] = contextvars.ContextVar("scomm_api_request", default=False)


def reading_for_api() -> bool:
    return _api_request.get()


class ApiReadsMiddleware:
    """Marks the current request as an API read (GET/HEAD under /api/) for ``ApiReadReplicaRouter``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_api_read = request.path.startswith(API_PREFIX) and request.method in ("GET", "HEAD")
        _api_request.set(is_api_read)
        try:
            response = self.get_response(request)
        finally:
            _api_request.set(False)
        if is_api_read and getattr(response, "streaming", False):
            # Downloads read their rows while streaming, after this middleware has returned.
            response.streaming_content = _as_api_read(response.streaming_content)
        return response


def _as_api_read(chunks):
    _api_request.set(True)
    try:
        yield from chunks
    finally:
        _api_request.set(False)


class ApiReadReplicaRouter:
    """Reads made while serving an API GET go to the replica; all writes, and all other reads, to the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if reading_for_api() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary by replication, never by migrate.
        return False if db == REPLICA else None
