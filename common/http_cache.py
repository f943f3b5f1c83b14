"""HTTP caching for public answers: ETag, Last-Modified, Cache-Control and Vary, and 304s through Django's own
conditional-response machinery (`django.utils.cache.get_conditional_response`).

A helper that imports no app code. Every public answer depends only on the data version, the day it answers for
and the request's own representation (path, query, negotiated format); the tag is derived from those, so a
conditional request is answered before anything is computed. Nothing here stores answers: repeat traffic at
scale is the job of the HTTP cache in front (deploy/nginx.conf), so an ignored query parameter costs no memory.
"""

import datetime
import hashlib

from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

# API answers: a script may reuse one for a minute, then revalidates (a 304 costs next to nothing).
API_CACHE_CONTROL = "public, max-age=60"
# Pages: a browser revalidates every time, so an editor who just made a change sees it on the public page at once.
PAGE_CACHE_CONTROL = "public, no-cache"
# An answer for a numbered data release (`?release=r3`) never changes: a day's reuse without asking.
RELEASE_CACHE_CONTROL = "public, max-age=86400"


def answer_etag(*parts) -> str:
    """A strong ETag (quoted) from everything the answer depends on."""
    digest = hashlib.sha256("\n".join(str(part) for part in parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def release_etag(kind: str, release, day: datetime.date, *representation) -> str:
    """The ETag of an answer for a release: its number, the day answered for and the representation (scheme,
    host, path and query, format), never the data version, so it is the same next year."""
    return answer_etag("release", kind, release.number, release.key, day.isoformat(), *representation)


def last_modified(changed_at: datetime.datetime | None, today_began: datetime.datetime | None) -> int | None:
    """Last-Modified in whole seconds (epoch), or None when it cannot be stated honestly.

    HTTP dates have one-second resolution, so the time of the last write is rounded *up*: a client that got the
    answer within the same second as an edit would otherwise hold a date equal to a later edit's in that second,
    and an If-Modified-Since 304 would hide the second edit. While that second has not yet passed, no
    Last-Modified is sent at all (the ETag still validates). An answer for "today" also changes at midnight (US)
    without any edit, when a scheduled change takes effect: `today_began` is then the floor.
    """
    if changed_at is None:
        return None
    stamp = int(changed_at.timestamp()) + (1 if changed_at.microsecond else 0)
    if today_began is not None:
        stamp = max(stamp, int(today_began.timestamp()))
    if stamp > datetime.datetime.now(datetime.UTC).timestamp():
        return None
    return stamp


def not_modified(request, etag: str, modified: int | None):
    """Django's 304 (or 412) for this request, or None when the full answer is needed."""
    return get_conditional_response(request, etag=etag, last_modified=modified)


def not_modified_before_the_view(request, etag: str, modified: int | None):
    """A 304 (or 412) known before the view runs, or None. Only an If-None-Match naming tags can tell: the site
    sends a tag only with a 200 of this address and data version (it hashes both), so a match means the view
    would answer 200. `If-None-Match: *` and If-Modified-Since alone say nothing of whether the page exists (a
    future date "matches" a missing one too): those wait for the view's answer (`not_modified_after_the_view`)."""
    tags = request.META.get("HTTP_IF_NONE_MATCH", "").strip()
    if not tags or tags == "*":
        return None
    return not_modified(request, etag, modified)


def not_modified_after_the_view(request, response, etag: str, modified: int | None):
    """The view's answer; for a 200 whose validators the request already holds, Django's 304 (or 412) in its
    place. A 404 stays a 404 whatever the request's validators say."""
    if response.status_code != 200:
        return response
    return get_conditional_response(request, etag=etag, last_modified=modified, response=response) or response


def made_from(response, version, canonical: str = "") -> None:
    """Say that `response` depends only on the data version `version`, the US day, the address, the canonical
    query `canonical` and the negotiated representation (the inputs of its ETag), so that common/answer_cache.py
    may keep it while the version stays the same. Answers with other inputs (a release's, the corrections log's)
    are not marked."""
    response.data_version = version
    response.canonical_query = canonical


def set_headers(response, etag: str, modified: int | None, *, cache_control: str, vary=("Accept",)) -> None:
    """Validators and caching headers on a public answer (200 or 304). The HTTP cache in front (nginx) keeps
    answers for a few seconds whatever `cache_control` tells browsers (deploy/nginx.conf)."""
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = cache_control
    patch_vary_headers(response, vary)
