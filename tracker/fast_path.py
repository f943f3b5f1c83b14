"""Answer repeat anonymous requests for public pages and the API from the cache, before the rest of the stack.

Readers hit the same pages when a story breaks, and journalists' scripts poll the same API URLs. Every answer
depends only on the data, the request and the day, so this middleware (first in MIDDLEWARE) stores each complete
200 answer *with all the headers the full stack gave it* (ETag, CSP, CORS, security headers), keyed on the data
version (tracker.api.data_version: the newest edit-history row of each table) plus everything the answer can
depend on. Any edit changes the version, so a stored answer is never served stale: nothing to purge. With
REDIS_URL every app server shares the store. A repeat request costs one small query instead of the whole stack.

Only anonymous GETs qualify (no session cookie, no Authorization header), under the public prefixes below; answers that
set a cookie or stream (full downloads, which the API keeps as files) are not stored. Stored answers skip the
API's throttling: they cost next to nothing.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_http_date_safe

from tracker.api import data_version, not_modified_since

PUBLIC_PREFIXES = ("/api/v1/", "/jurisdictions/", "/states/", "/agreements/", "/about/", "/downloads/")
# The key holds the data version, so an entry is never stale, only unused; expire it eventually.
TIMEOUT_SECONDS = 24 * 3600
# Headers a 304 repeats from the stored answer (RFC 9110 section 15.4.5).
NOT_MODIFIED_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Location", "Expires")


def _eligible(request) -> bool:
    # A signed-in editor (session cookie) or a pending flash message must get the live stack; other cookies
    # (e.g. the admin's CSRF token) do not change what a public page or the API says.
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and request.path.startswith(PUBLIC_PREFIXES)
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
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
        request.META.get("HTTP_ACCEPT_ENCODING", ""),
        # Without as_of an answer means "today", which changes at midnight with no edit.
        datetime.date.today().isoformat(),
    ]
    return "fast-path:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _storable(response) -> bool:
    return response.status_code == 200 and not response.streaming and not response.cookies


class CachedResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _eligible(request):
            return self.get_response(request)
        try:
            # Views that key their own answers on the version (tracker.api) reuse it rather than ask again.
            request.data_version = data_version()
            key = _key(request, request.data_version[1])
        except Exception:  # e.g. a bad Host header: let the full stack answer it properly
            return self.get_response(request)
        stored = cache.get(key)
        if stored is not None:
            return self._replay(request, *stored)
        response = self.get_response(request)
        if _storable(response):
            cache.set(key, (list(response.items()), response.content), TIMEOUT_SECONDS)
        return response

    @staticmethod
    def _replay(request, headers, content):
        stored = dict(headers)
        etag = stored.get("ETag")
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH", "")
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        last_modified = parse_http_date_safe(stored.get("Last-Modified", ""))
        unchanged_since = (
            not if_none_match
            and last_modified is not None
            and not_modified_since(
                request.META.get("HTTP_IF_MODIFIED_SINCE"), datetime.datetime.fromtimestamp(last_modified, datetime.UTC)
            )
        )
        if (etag and (etag in tags or if_none_match.strip() == "*")) or unchanged_since:
            response = HttpResponseNotModified()
            for name, value in headers:
                if name in NOT_MODIFIED_HEADERS:
                    response[name] = value
            return response
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return response
