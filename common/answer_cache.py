"""Repeat requests without a proxy in front: finished public answers kept per process, served again only while
the data version they were made from is still the current one.

In production nginx micro-caches answers (deploy/nginx.conf); the embedded default (`dev.py serve`, gunicorn
alone) has nothing in front, and every repeat of the map page would render 3,142 county paths again. This
middleware keeps what a revalidating HTTP cache would keep, under rules that make it safe in a worker's memory
(ARCHITECTURE.md: no store that an ignored query parameter can fill):

- **Only answers made from the data version alone.** A view marks an answer that depends on nothing but the data
  version, the day in the United States, the address and the representation headers (the inputs of its ETag:
  `common.http_cache.made_from`). The store keys it on the day, scheme, host, path and query and the headers
  answers vary on (Accept, Accept-Encoding, Origin), and keeps the version beside it. A hit reads the current
  version (one query) and serves the answer only if it is the same: an edit shows at once, where nginx's
  micro-cache may lag by its five seconds. Answers for a release, the corrections log and everything unmarked
  are never kept.
- **Only understood queries.** An answer is kept only when the view asked for every query parameter the request
  carried (`ReadRecordingQueryDict`): `?x=<random>` is answered but never stored.
- **Bounded in bytes.** cachetools' `LRUCache`, sized by what an entry holds (body, headers, key):
  `ANSWER_CACHE_MB` per process (default 32; 0 turns the store off); an entry larger than a quarter of it is
  never kept, nor one whose host, address and keyed headers run past 4,096 characters.

Kept: GET and HEAD 200 answers with an ETag and a Last-Modified (an answer within the second of an edit has none
yet, and will), `Cache-Control: public`, no cookie set, no CSP nonce. Never looked up or kept: a request with a
body, a cookie or an Authorization header (staff, the correction form), as nginx bypasses its cache for sessions,
or with If-Match / If-Unmodified-Since (left to the view). A hit answers If-None-Match / If-Modified-Since with
Django's own 304, carrying the answer's other headers (CORS among them). A database error while checking the
version turns a hit into a miss: the view answers as it would without the store. A kept answer counts against no
rate limit, as one served by nginx's cache.

Answers are also compressed here, by Django's GZipMiddleware (which pads against BREACH), for clients that take
gzip, except the admin's: as nginx does in front of its cache (deploy/nginx.conf).

A helper that imports no app code (the version comes from `common.reading`).
"""

import functools
import threading
from itertools import chain

import cachetools
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from common import reading
from common.dates import us_today

# Request headers a public answer may vary on; an answer whose Vary names another is not kept.
KEYED_HEADERS = ("Accept", "Accept-Encoding", "Origin")
KEYED_META = tuple("HTTP_" + name.upper().replace("-", "_") for name in KEYED_HEADERS)
# Validators a kept answer answers itself (a 304); If-Match and If-Unmodified-Since compare strongly, and a kept
# compressed answer's tag is weak, so a request with those is left to the view.
CONDITIONAL_META = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
PRECONDITION_META = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
# A 304 carries every header of the answer it stands for but those describing the body it does not have.
BODY_HEADERS = {"content-length", "content-type", "content-encoding", "content-disposition"}
# Host, path, query and the keyed headers together: longer is no browser's request, and is never kept.
MAX_KEY_CHARS = 4096
# What an entry costs beyond its body, headers and key (objects, bookkeeping), for the byte bound.
ENTRY_OVERHEAD = 2048


class ReadRecordingQueryDict(QueryDict):
    """request.GET that notes which parameter names the view asked for (`get`, `getlist`, `[]`, `in`).

    Listing or copying the whole query (`items()`, `urlencode()`, `copy()`) marks nothing: a parameter counts as
    understood only when some code asked for it by name. A copy shares its original's record.
    """

    def __init__(self, *args, **kwargs):
        self.names_read = set()  # a copy's, until __copy__ shares its original's
        super().__init__(*args, **kwargs)

    @classmethod
    def watch(cls, query: QueryDict) -> "ReadRecordingQueryDict":
        """Turn Django's own parsed request.GET into one that records (parsing it again would cost a tenth of a
        computed answer)."""
        query.__class__ = cls
        query.names_read = set()
        return query

    def __getitem__(self, key):
        self.names_read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.names_read.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self.names_read.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self.names_read.add(key)
        return super().__contains__(key)

    def __copy__(self):
        copied = super().__copy__()
        copied.names_read = self.names_read
        return copied

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied.names_read = self.names_read
        return copied

    def all_read(self) -> bool:
        return all(name in self.names_read for name in self.keys())


class Entry:
    """A kept answer: the data version it was made from, its status, headers and body, and whether it was
    streamed (a download is given back as a stream, as the view gave it)."""

    __slots__ = ("version", "status", "headers", "body", "streaming", "key_chars")

    def __init__(self, version, response, body: bytes, key: tuple):
        self.version = version
        self.status = response.status_code
        self.headers = dict(response.headers.items())
        self.body = body
        self.streaming = response.streaming
        self.key_chars = sum(len(part) for part in key if isinstance(part, str))

    def size(self) -> int:
        """Bytes held, near enough: the body, the headers and the key, and a fixed cost for the rest."""
        headers = sum(len(name) + len(value) for name, value in self.headers.items())
        return len(self.body) + headers + self.key_chars + ENTRY_OVERHEAD

    def response(self):
        if self.streaming:
            return StreamingHttpResponse([self.body], status=self.status, headers=self.headers)
        return HttpResponse(self.body, status=self.status, headers=self.headers)


class AnswerCacheMiddleware:
    """See the module's docstring. First in MIDDLEWARE: a kept answer then holds every header the others add."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.compressed = GZipMiddleware(get_response)
        limit = int(settings.ANSWER_CACHE_MB * 1024 * 1024)
        self.store = cachetools.LRUCache(maxsize=limit, getsizeof=Entry.size) if limit > 0 else None
        self.largest = limit // 4
        self.lock = threading.Lock()

    def __call__(self, request):
        if self.store is None or not _may_share(request):
            return self._answer_of(request)
        meta = request.META
        # The raw Host header: an answer is kept only after its view validated the host (every marked answer's
        # ETag names it), so a host that was never allowed never finds one.
        key = (
            us_today(),
            request.scheme,
            meta.get("HTTP_HOST") or meta.get("SERVER_NAME"),
            meta.get("SERVER_PORT"),
            meta.get("HTTP_X_FORWARDED_HOST"),
            request.path,
            meta.get("QUERY_STRING", ""),
            *(meta.get(name, "") for name in KEYED_META),
        )
        if sum(len(part) for part in key[2:] if part) > MAX_KEY_CHARS:
            return self._answer_of(request)  # headers no browser sends: answered, never kept
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
        ReadRecordingQueryDict.watch(request.GET)
        response = self._answer_of(request)
        if not _keepable(request, response):
            return response
        body, response = self._body(response)
        if body is not None:
            entry = Entry(response.data_version, response, body, key)
            if entry.size() <= self.largest:
                with self.lock:
                    self.store[key] = entry
        return response

    def _answer_of(self, request):
        """The view's answer, compressed when the client takes gzip, except the admin's (as nginx does: an
        editor's pages hold a session). A plain answer then carries no `Vary: Accept-Encoding`: it suits every
        client, so no cache can hand it to the wrong one."""
        if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) and not request.path_info.startswith(
            "/admin/"
        ):
            return self.compressed(request)
        return self.get_response(request)

    def _body(self, response):
        """(body, response to send): the body when it is small enough to keep, else None.

        A streamed download is read up to the size limit and given back as a stream; past the limit, what was
        read is sent first and the rest streamed on, never kept (a download is never cut short)."""
        if not response.streaming:
            return response.content, response
        chunks, size = [], 0
        stream = iter(response.streaming_content)
        for chunk in stream:
            chunks.append(chunk)
            size += len(chunk)
            if size > self.largest:
                break
        else:
            stream = None
        resent = StreamingHttpResponse(
            chain(chunks, stream) if stream else chunks, status=response.status_code, headers=response.headers
        )
        resent.data_version = response.data_version
        resent._resource_closers.append(response.close)
        return (None if stream else b"".join(chunks)), resent


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
        and not request.COOKIES
    )


def _keepable(request, response) -> bool:
    cache_control = response.get("Cache-Control", "").lower()
    vary = {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}
    return (
        getattr(response, "data_version", None) is not None
        and request.GET.all_read()
        and response.status_code == 200
        and response.has_header("ETag")
        and response.has_header("Last-Modified")
        and "public" in cache_control
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not response.cookies
        and "'nonce-" not in response.get("Content-Security-Policy", "")
        and vary <= {name.lower() for name in KEYED_HEADERS}
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
