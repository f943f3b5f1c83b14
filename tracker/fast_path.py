"""Answer repeat anonymous API requests from the response cache before the rest of the stack runs.

Journalists' scripts poll the same URLs over and over. The API views already key every answer on the data
version (tracker.api.data_version: the newest edit-history row of each table), so a stored answer is never
stale. This middleware sits first in MIDDLEWARE and stores each complete 200 answer *with all the headers the
full stack gave it* (ETag, CSP, CORS, security headers), keyed on the same data version plus everything the
answer can depend on. A repeat request then costs one small query instead of the whole Django and DRF stack.

Only anonymous GETs of /api/v1/ qualify (no Cookie, no Authorization header); streamed downloads are not stored
here (the API keeps those as files). Stored answers skip throttling: they cost next to nothing.
"""

import datetime
import hashlib

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified

from tracker.api import data_version

PREFIX = "/api/v1/"
# The key holds the data version, so an entry is never stale, only unused; expire it eventually.
TIMEOUT_SECONDS = 24 * 3600
# Headers a 304 repeats from the stored answer (RFC 9110 section 15.4.5).
NOT_MODIFIED_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Location", "Expires")


def _eligible(request) -> bool:
    return (
        request.method == "GET"
        and request.path.startswith(PREFIX)
        and "HTTP_COOKIE" not in request.META
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _key(request, version: str) -> str:
    parts = [
        version,
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        request.META.get("HTTP_ACCEPT", ""),
        request.META.get("HTTP_ORIGIN", ""),
        # Without as_of an answer means "today", which changes at midnight with no edit.
        datetime.date.today().isoformat(),
    ]
    return "fast-path:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


class CachedAPIMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _eligible(request):
            return self.get_response(request)
        try:
            key = _key(request, data_version()[1])
        except Exception:  # e.g. a bad Host header: let the full stack answer it properly
            return self.get_response(request)
        stored = cache.get(key)
        if stored is not None:
            return self._replay(request, *stored)
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming and response.has_header("ETag"):
            cache.set(key, (list(response.items()), response.content), TIMEOUT_SECONDS)
        return response

    @staticmethod
    def _replay(request, headers, content):
        etag = dict(headers).get("ETag")
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH", "")
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        if etag and (etag in tags or if_none_match.strip() == "*"):
            response = HttpResponseNotModified()
            for name, value in headers:
                if name in NOT_MODIFIED_HEADERS:
                    response[name] = value
            return response
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return response
