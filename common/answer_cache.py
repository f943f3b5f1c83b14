"""Repeat requests without a proxy in front: finished public answers kept per process, served again only while
the data version they were made from is still the current one.

In production nginx micro-caches answers (deploy/nginx.conf), and this store is off unless ANSWER_CACHE_MB says
otherwise; the embedded default (`dev.py serve`, waitress alone) has nothing in front, and every repeat of the map
page would render 3,142 county paths again. This middleware keeps what a revalidating HTTP cache would keep, under
rules that make it safe in a worker's memory (ARCHITECTURE.md, point 4):

- **Only answers of the public-answer protocol.** The key is what the answer is made of, never raw request bytes
  or a client header: the US day, the scheme and validated host, the path the URL router matched (`path_info`;
  a request whose SCRIPT_NAME is not the site's own is never looked up nor kept), its language, the *canonical*
  query of the parameters the view declares (common/params.py: `state=tx` and `state=TX`, or two orders, are one
  entry; an undeclared parameter is ignored, so `?x=<random>` finds the same entry), the negotiated
  representation (the API's media type, as its content negotiation picks it), whether the answer is compressed
  and whether it is cross-origin (CORS headers). The view marks an answer made from the data version alone
  (`common.http_cache.made_from`, with the canonical query it read, which must be the key's); the store keeps the
  version beside it. A hit reads the current version (one query) and serves the answer only if it is the same.
  Answers for a release, the corrections log and everything unmarked are never kept.
- **Bounded in bytes.** cachetools' `LRUCache`, sized by what an entry holds (body, headers, key):
  `ANSWER_CACHE_MB` per process (default 16, 0 under PRODUCTION=1; 0 turns the store off); an entry larger than
  a quarter of it is never kept.
- **Streams are never held back.** A streamed download is passed on chunk by chunk as the view makes it; a copy
  is kept beside it, and stored only once the whole stream was sent and fitted in an entry; a hit sends it whole,
  with its length.

Kept: GET and HEAD 200 answers with an ETag and a Last-Modified (an answer within the second of an edit has none
yet, and will), `Cache-Control: public`, no cookie set, no CSP nonce. Never looked up or kept: a request with a
body, an Authorization header or a live session the app issued (an editor signed in: its cookie names a session
that exists), as nginx bypasses its cache for a session cookie, or with If-Match / If-Unmodified-Since (left to
the view). Any other cookie (a csrftoken, a made-up sessionid) is no reason to compute again.
A hit answers If-None-Match / If-Modified-Since with
Django's own 304, carrying the answer's other headers (CORS among them). A database error while checking the
version turns a hit into a miss: the view answers as it would without the store. A kept answer counts against no
rate limit, as one served by nginx's cache. Compression is common/compression.py's, inside this store (a kept
compressed answer is not compressed again).

A helper that imports no app code (the version comes from `common.reading`, the declarations from the views).
"""

import functools
import threading
from importlib import import_module

import cachetools
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.settings import api_settings

from common import params, reading
from common.compression import compresses
from common.dates import us_today

# The request headers a kept answer may vary on: the key holds what each decides (representation, compression,
# cross-origin), never the header itself. An answer whose Vary names another is not kept.
VARIES = {"accept", "accept-encoding", "origin"}
# Validators a kept answer answers itself (a 304); If-Match and If-Unmodified-Since compare strongly, and a kept
# compressed answer's tag is weak, so a request with those is left to the view.
CONDITIONAL_META = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
PRECONDITION_META = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
# A 304 carries every header of the answer it stands for but those describing the body it does not have.
BODY_HEADERS = {"content-length", "content-type", "content-encoding", "content-disposition"}
# Host, path and canonical query together: longer is no browser's request, and is never kept.
MAX_KEY_CHARS = 4096
# The memos of routes and negotiated representations: entries each, and the longest argument they hold.
MEMO_ENTRIES = 512
MEMO_ARGUMENT_CHARS = 512
# What an entry costs beyond the characters of its body, headers and key, for the byte bound: each header's value
# string and its slot in the entry's dict, and a fixed cost for the rest (the entry, its key tuple and strings, the
# body's bytes object, the store's three dict entries). Measured (tests/test_answer_cache.py): a county's API
# answer on a day, 12 headers, holds about 2,060 bytes beyond its characters; counted 2,304. A fixed 2,048 alone
# undercounted answers with more headers (CORS).
HEADER_OVERHEAD = 64
ENTRY_OVERHEAD = 1536


class Entry:
    """A kept answer: the data version it was made from, its status, headers and body."""

    __slots__ = ("version", "status", "headers", "body", "key_chars")

    def __init__(self, version, response, body: bytes, key: tuple):
        self.version = version
        self.status = response.status_code
        self.headers = dict(response.headers.items())
        # A copy of exactly its length: a body orjson wrote keeps the larger buffer it was written in, which the
        # byte bound would not see.
        self.body = bytes(memoryview(body))
        self.key_chars = sum(len(part) for part in key if isinstance(part, str))

    def size(self) -> int:
        """Bytes held, near enough: the body, the headers and the key, and a fixed cost for the rest."""
        headers = sum(len(name) + len(value) + HEADER_OVERHEAD for name, value in self.headers.items())
        return len(self.body) + headers + self.key_chars + ENTRY_OVERHEAD

    def response(self):
        # A download the view streamed is whole here: one body with its Content-Length (the server then sends it
        # as is, not in chunks).
        response = HttpResponse(self.body, status=self.status, headers=self.headers)
        response["Content-Length"] = str(len(self.body))
        return response


class AnswerCacheMiddleware:
    """See the module's docstring. First in MIDDLEWARE: a kept answer then holds every header the others add."""

    def __init__(self, get_response):
        self.get_response = get_response
        limit = int(settings.ANSWER_CACHE_MB * 1024 * 1024)
        self.store = cachetools.LRUCache(maxsize=limit, getsizeof=Entry.size) if limit > 0 else None
        self.largest = limit // 4
        self.lock = threading.Lock()

    def __call__(self, request):
        key = self.store is not None and _may_share(request) and answer_key(request)
        if key and in_session(request):
            key = None
        if not key:
            return self.get_response(request)
        with self.lock:
            entry = self.store.get(key)
        if entry is not None:
            try:
                version = reading.read_version()
            except DatabaseError:
                version = None  # the view will meet the same error and answer for it
            if version == entry.version:
                return _answer(request, entry)
            if version is not None:
                with reading.reading(version):
                    return self._compute(request, key)
        return self._compute(request, key)

    def _compute(self, request, key):
        response = self.get_response(request)
        if not _keepable(response, key):
            return response
        if not response.streaming:
            self._keep(key, Entry(response.data_version, response, response.content, key))
        else:
            response.streaming_content = self._copied(response.streaming_content, response, key)
        return response

    def _keep(self, key, entry):
        if entry.size() <= self.largest:
            with self.lock:
                self.store[key] = entry

    def _copied(self, stream, response, key):
        """The stream, passed on chunk by chunk; kept once it was sent whole, if it fits in an entry."""
        chunks, size, whole = [], 0, False
        try:
            for chunk in stream:
                if chunks is not None:
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > self.largest:
                        chunks = None
                yield chunk
            whole = True
        finally:
            if whole and chunks is not None:
                self._keep(key, Entry(response.data_version, response, b"".join(chunks), key))


def answer_key(request):
    """What a public answer is made of (see the module's docstring), or None when the request is not one the
    store may share: no protocol view at this path, a parameter the view will refuse, a representation the view
    will refuse, a host it does not answer to, a SCRIPT_NAME that is not the site's."""
    if request.META.get("SCRIPT_NAME", "") != (settings.FORCE_SCRIPT_NAME or ""):
        return None
    path = request.path_info
    # The language is the path's (common/middleware.py LocaleMiddleware), and the router reads it to match.
    language = "es" if path.startswith("/es/") else settings.LANGUAGE_CODE
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    route = _memo(_route, settings.ROOT_URLCONF, path, language)
    if route is None:
        return None
    declared, cls = route
    representation = "-"
    if cls is not None:
        representation = _memo(
            _representation,
            cls,
            request.GET.get(api_settings.URL_FORMAT_OVERRIDE),
            request.META.get("HTTP_ACCEPT"),
        )
        if representation is None:
            return None
    try:
        canonical = params.parse(declared, request.GET).canonical
    except params.BadParameter:
        return None
    key = (
        us_today(),
        request.scheme,
        host,
        path,
        language,
        canonical,
        representation,
        compresses(request),
        "HTTP_ORIGIN" in request.META,
    )
    return key if len(host) + len(path) + len(canonical) <= MAX_KEY_CHARS else None


def _memo(function, *arguments):
    """`function`'s answer, remembered (it is a pure function of its arguments) unless an argument is longer than
    any browser's: a made-up long path or Accept header is worked out each time, never held."""
    if any(isinstance(argument, str) and len(argument) > MEMO_ARGUMENT_CHARS for argument in arguments):
        return function.__wrapped__(*arguments)
    return function(*arguments)


@functools.lru_cache(maxsize=MEMO_ENTRIES)
def _route(urlconf: str, path: str, language: str):
    """(declared parameters, DRF view class or None) of the public-answer view at `path`, or None when no such view
    answers there. Resolving and reading declarations cost a third of a hit, and depend on these three alone."""
    try:
        with translation.override(language):
            match = resolve(path, urlconf)
    except Resolver404:
        return None
    view = match.func
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if cls is not None and hasattr(cls, "declared_params"):
        action = (getattr(view, "actions", None) or {}).get("get")
        return cls.declared_params(action), cls
    declared = getattr(view, "declared_params", None)
    return None if declared is None else (declared, None)


@functools.lru_cache(maxsize=MEMO_ENTRIES)
def _representation(cls, format_override: str | None, accept: str | None):
    """The representation `cls`'s content negotiation picks (renderer format and media type with the parameters a
    renderer reads, not the client's quality value), or None when it refuses: a function of `?format=` and the
    Accept header alone."""
    probe = HttpRequest()
    if accept is not None:
        probe.META["HTTP_ACCEPT"] = accept
    if format_override is not None:
        probe.GET = QueryDict(mutable=True)
        probe.GET[api_settings.URL_FORMAT_OVERRIDE] = format_override
    try:
        renderer, media = cls.content_negotiation_class().select_renderer(
            Request(probe), [renderer() for renderer in cls.renderer_classes]
        )
    except (APIException, Http404):
        return None
    kept = [part.strip() for part in media.split(";") if not part.strip().lower().startswith("q=")]
    return f"{renderer.format} {';'.join(kept)}"


def _may_share(request) -> bool:
    """A request whose answer is the same for everyone: GET or HEAD without a body, no cookie, no credentials, no
    If-Match / If-Unmodified-Since, and not a static file (WhiteNoise serves those from its own index)."""
    meta = request.META
    return (
        request.method in ("GET", "HEAD")
        and not request.path_info.startswith(_static_prefix())
        and meta.get("CONTENT_LENGTH", "0") in ("", "0")
        and "HTTP_TRANSFER_ENCODING" not in meta
        and "HTTP_AUTHORIZATION" not in meta
        and not any(name in meta for name in PRECONDITION_META)
    )


def in_session(request) -> bool:
    """Whether the request carries a session the app issued: its session cookie names a live session with data (an
    editor signed in). Only such a request bypasses the store. Any other cookie (a csrftoken left by the correction
    form, a made-up sessionid) changes no public answer, so it must not turn every request into uncached work; an
    answer that sets a cookie is never kept anyway (`_keepable`). Asked last, so only a keepable request pays the
    one session query. Also what lifts the allowance of computed answers for editors (common/public.py)."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    try:
        return bool(import_module(settings.SESSION_ENGINE).SessionStore(session_key=key).load())
    except DatabaseError:
        return True  # unsure: answer as for an editor, never from or into the store


def _keepable(response, key) -> bool:
    cache_control = response.get("Cache-Control", "").lower()
    vary = {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}
    return (
        getattr(response, "data_version", None) is not None
        and getattr(response, "canonical_query", None) == key[5]
        and response.status_code == 200
        and response.has_header("ETag")
        and response.has_header("Last-Modified")
        and "public" in cache_control
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not response.cookies
        and "'nonce-" not in response.get("Content-Security-Policy", "")
        and vary <= VARIES
    )


@functools.cache
def _static_prefix() -> str:
    return "/" + settings.STATIC_URL.lstrip("/")


def _answer(request, entry: Entry):
    """The kept answer, or Django's 304 when the client's If-None-Match / If-Modified-Since match it."""
    response = entry.response()
    response.from_answer_cache = True  # for tests and debugging; no header, so answers stay byte-identical
    if not any(name in request.META for name in CONDITIONAL_META):
        return response
    modified = parse_http_date_safe(response["Last-Modified"])
    answer = get_conditional_response(request, etag=response["ETag"], last_modified=modified, response=response)
    if answer is response:
        return response
    # As the view's 304 would have had them on its way out: CORS, security and language headers included.
    for name, value in entry.headers.items():
        if name.lower() not in BODY_HEADERS:
            answer.headers.setdefault(name, value)
    answer.from_answer_cache = True
    return answer
