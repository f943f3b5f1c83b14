"""Conditional GET for API views: validators from the data version, 304s before any work (tracker/http_cache.py)."""

from tracker import http_cache, readmodel
from tracker.api.errors import day_param
from tracker.dates import us_midnight, us_today


class _Answered(Exception):
    """Raised from `initial` when the answer (a 304) is known before the view runs."""

    def __init__(self, response):
        super().__init__()
        self.response = response


class ConditionalGetMixin:
    """Reads the snapshot once per request and answers If-None-Match / If-Modified-Since with a 304.

    Sets `self.snapshot` (the read model at the current data version) and `self.day` (`as_of`, default today in
    the US). The ETag hashes the data version, the day when no `as_of` is given (an answer for today changes at
    midnight), the scheme and host (absolute links), the full path with its query and the negotiated format.
    """

    snapshot = None
    day = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.snapshot = readmodel.current()
        as_of = day_param(request)
        self.day = as_of or us_today()
        if request.method not in ("GET", "HEAD"):
            return
        version = self.snapshot.version
        media = getattr(getattr(request, "accepted_renderer", None), "media_type", "")
        self._etag = http_cache.answer_etag(
            version.number,
            version.changed_at,
            "" if as_of else self.day.isoformat(),
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            media,
        )
        self._modified = http_cache.last_modified(version.changed_at, None if as_of else us_midnight(self.day))
        response = http_cache.not_modified(request._request, self._etag, self._modified)
        if response is not None:
            raise _Answered(response)

    def handle_exception(self, exc):
        if isinstance(exc, _Answered):
            self._set_cache_headers(exc.response)
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and hasattr(self, "_etag"):
            self._set_cache_headers(response)
        return response

    def _set_cache_headers(self, response):
        http_cache.set_headers(
            response, self._etag, self._modified, cache_control=http_cache.API_CACHE_CONTROL, vary=("Accept", "Origin")
        )
