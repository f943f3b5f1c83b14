"""Answer repeat anonymous requests for public pages and the API from stored copies, before the rest of the stack.

Readers hit the same pages when a story breaks, and journalists' scripts poll the same API URLs. Every answer
depends only on the data, the request and the day, so each complete 200 answer is stored *with all the headers
the full stack gave it* (ETag, CSP, CORS, security headers), keyed on the data version (tracker.api.data_version:
the newest edit-history row of each table) plus everything the answer can depend on. Any edit changes the
version, so a stored answer is never served stale: nothing to purge. With REDIS_URL every app server shares the
store. A repeat request costs one small query instead of the whole stack.

Two layers share one store and one key:
- ``FastPathApp`` wraps the WSGI application (tracker/wsgi.py): a stored answer is sent before Django builds its
  request and middleware chain, which cost more than the lookup itself. It only reads the store.
- ``CachedResponseMiddleware`` (first in MIDDLEWARE) replays too, for anything that reaches Django another way
  (the test client, ASGI), and it is the one that stores: it sees the final answer of the full stack.

Only anonymous GETs qualify (no session cookie, no Authorization header), under the public prefixes below; answers that
set a cookie or stream (full downloads, which the API keeps as files) are not stored. Stored answers skip the
API's throttling: they cost next to nothing. A 304 from the full stack is stored as its headers alone, so that
a client revalidating with If-None-Match is answered here the next time, even by a process that never built
the 200 (each process has its own store without REDIS_URL).
"""

import datetime
import hashlib
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.http.cookie import parse_cookie
from django.utils.http import parse_http_date_safe

from tracker.api import cache_generation, data_version, not_modified_since

PUBLIC_PREFIXES = ("/api/v1/", "/jurisdictions/", "/states/", "/agreements/", "/about/", "/downloads/")
# The key holds the data version, so an entry is never stale, only unused; expire it eventually.
TIMEOUT_SECONDS = 24 * 3600
# Headers a 304 repeats from the stored answer (RFC 9110 section 15.4.5).
NOT_MODIFIED_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Location", "Expires")
# Everything in the WSGI environ an answer can depend on besides the data and the day: the scheme and host that
# absolute URLs are built from (raw, proxy headers included: Django derives its own from these), the path and
# query, and the negotiated format, CORS origin and encoding.
KEY_VARIABLES = (
    "wsgi.url_scheme",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_ACCEPT",
    "HTTP_ORIGIN",
    "HTTP_ACCEPT_ENCODING",
)


class _Recent:
    """The answers this process stored or read last, as they are: a repeat needs no round trip to a shared cache
    (Redis) and no unpickling. At most FAST_PATH_MEMORY_MB of answers, the least recently used dropped first.

    Keys hold the data version, so a copy is never stale; all are dropped when the cache's generation changes
    (the cache was cleared), which this process notices within CACHE_GENERATION_SECONDS.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._generation = None
        self._items: OrderedDict[str, tuple] = OrderedDict()
        self._bytes = 0

    def get(self, generation: str, key: str):
        with self._lock:
            if generation != self._generation:
                return None
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found[0] if found is not None else None

    def put(self, generation: str, key: str, stored: tuple) -> None:
        size = len(stored[1] or b"") + 100 * len(stored[0])
        budget = settings.FAST_PATH_MEMORY_MB * 1024 * 1024
        with self._lock:
            if generation != self._generation:
                self._items.clear()
                self._bytes = 0
                self._generation = generation
            if key in self._items:
                self._bytes -= self._items.pop(key)[1]
            self._items[key] = (stored, size)
            self._bytes += size
            while self._bytes > budget and self._items:
                self._bytes -= self._items.popitem(last=False)[1][1]


_recent = _Recent()


def _eligible(environ) -> bool:
    # A signed-in editor (session cookie) or a pending flash message must get the live stack; other cookies
    # (e.g. the admin's CSRF token) do not change what a public page or the API says.
    if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
        return False
    if not environ.get("PATH_INFO", "").startswith(PUBLIC_PREFIXES):
        return False
    cookie = environ.get("HTTP_COOKIE")
    if cookie:
        cookies = parse_cookie(cookie)
        return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies
    return True


def _key(environ, version: str) -> str:
    # Without as_of an answer means "today", which changes at midnight with no edit.
    parts = [version, datetime.date.today().isoformat(), *(str(environ.get(name, "")) for name in KEY_VARIABLES)]
    if settings.SECURE_PROXY_SSL_HEADER:
        parts.append(str(environ.get(settings.SECURE_PROXY_SSL_HEADER[0], "")))
    return "fast-path:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _is_conditional(environ) -> bool:
    return "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ


def stored_answer(environ) -> tuple[str | None, tuple[int, list, bytes] | None]:
    """(store key, (status, headers, body) of the stored answer to this request) or (key, None) when there is
    none; (None, None) when the request does not qualify or cannot be keyed."""
    if "tracker.fast_path_key" in environ:  # looked up already (by FastPathApp), and nothing was stored
        return environ["tracker.fast_path_key"], None
    if not _eligible(environ):
        return None, None
    try:
        # Views that key their own answers on the version (tracker.api) reuse it rather than ask again.
        environ["tracker.data_version"] = data_version()
        key = _key(environ, environ["tracker.data_version"][1])
    except Exception:  # e.g. the database is away: the full stack answers, or reports, properly
        return None, None
    generation = cache_generation()
    stored = _recent.get(generation, key)
    if stored is None:
        stored = cache.get(key)
        if stored is not None:
            _recent.put(generation, key, stored)
    answer = _replay(environ, *stored) if stored is not None else None
    if answer is None:
        environ["tracker.fast_path_key"] = key
    return key, answer


def _replay(environ, headers, content):
    """The stored answer, or a 304 when the client already has it; None if only a 304 was stored and the client
    asks for the whole answer."""
    etag = last_modified = None
    for name, value in headers:
        if name == "ETag":
            etag = value
        elif name == "Last-Modified":
            last_modified = value
    if_none_match = environ.get("HTTP_IF_NONE_MATCH", "")
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")} if if_none_match else ()
    unchanged_since = False
    if not if_none_match and last_modified and "HTTP_IF_MODIFIED_SINCE" in environ:
        timestamp = parse_http_date_safe(last_modified)
        unchanged_since = timestamp is not None and not_modified_since(
            environ["HTTP_IF_MODIFIED_SINCE"], datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
        )
    if (etag and (etag in tags or if_none_match.strip() == "*")) or unchanged_since:
        return 304, [(name, value) for name, value in headers if name in NOT_MODIFIED_HEADERS], b""
    if content is None:
        return None
    return 200, headers, content


def _store(key: str, environ, response) -> None:
    if response.cookies:
        return
    if response.status_code == 200 and not response.streaming:
        stored = (list(response.items()), response.content)
        cache.set(key, stored, TIMEOUT_SECONDS)
        _recent.put(cache_generation(), key, stored)
    elif response.status_code == 304 and _is_conditional(environ) and response.has_header("ETag"):
        # Headers only: enough to answer the next revalidation; never overwrite a whole stored answer.
        cache.add(key, (list(response.items()), None), TIMEOUT_SECONDS)


class CachedResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        environ = getattr(request, "environ", None)  # WSGI only (the test client builds WSGI requests too)
        if environ is None:
            return self.get_response(request)
        key, stored = stored_answer(environ)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if key is not None:
            _store(key, environ, response)
        return response


_REASONS = {200: "200 OK", 304: "304 Not Modified"}


class FastPathApp:
    """WSGI wrapper: send a stored answer without entering Django's request handling; else call the app."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        _, stored = stored_answer(environ)
        if stored is None:
            return self.application(environ, start_response)
        status, headers, content = stored
        start_response(_REASONS[status], list(headers))
        return [content]
