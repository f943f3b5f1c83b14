"""The public-answer protocol (ARCHITECTURE.md, point 5): what every public page, card and API answer shares.

A view declares the query parameters it takes (common/params.py); a `Reading` of the request then does, once:
parse them strictly (a bad one is a `BadParameter`: the 400 page, or the API's 400), pick the snapshot (the
current data version, or the release asked for with `?release=rN`) and the day (`as_of`, else today in the US,
else the release's own day), compute the validators from the canonical query (ETag, Last-Modified,
Cache-Control), and mark the answer for the answer store (`made_from`). `public_page` applies it to an HTML view
and sets what base.html reads; common/api/conditional.py applies it to the API's views.

`public_page` is also where a page's *computed* answers are counted against the client address's allowance
(COMPUTED_RATE, `over_allowance`): only an answer the app is about to compute counts, never one the answer store
(common/answer_cache.py) or nginx kept, nor a 304 known before the view runs. The API's answers count against the
API's own throttles (API_RATE, API_BULK_RATE: common/api/throttling.py), and only those.

A helper that imports no app code: the apps' views use it as they use a library.
"""

import contextlib
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_noop

from common import params, reading
from common.allowances import SharedRateThrottle
from common.answer_cache import in_session
from common.dates import real_today, today_is, us_midnight, us_today
from common.http_cache import (
    API_CACHE_CONTROL,
    PAGE_CACHE_CONTROL,
    RELEASE_CACHE_CONTROL,
    answer_etag,
    last_modified,
    made_from,
    not_modified_after_the_view,
    not_modified_before_the_view,
    release_etag,
    set_headers,
)


class Release(params.Param):
    """`release=rN`: the number of a published release (whether it exists is `reading.choose`'s to say)."""

    once = True

    def parse(self, name, values):
        try:
            return reading.release_number(self._once(name, values))
        except reading.BadRelease as error:
            raise params.BadParameter(name, str(error)) from None

    def write(self, value) -> list[str]:
        return [f"r{value}"]


# Every public answer takes these two.
COMMON = {"as_of": params.Day(), "release": Release()}


class NoSuchRelease(Exception):
    """`release=rN` names no published release: a 404."""


class Reading:
    """One public answer's reading of its request: parameters, snapshot, day and validators.

    `kind` is "page" (HTML: the Cite box names today's date, so a page's tag changes at midnight) or "api";
    `representation` is the negotiated format (the API's media type). Raises `params.BadParameter` (400) and
    `NoSuchRelease` (404), also from `snapshot` when a release's stored data cannot be loaded.
    """

    def __init__(self, request, declared: dict, *, kind: str, representation: str = "", releases: bool = True):
        self.request, self.kind = request, kind
        self.params = params.parse({**COMMON, **declared}, request.GET)
        number = self.params["release"]
        if number is not None and not releases:
            # The changes feed follows the live data's edit history: a release has none.
            raise params.BadParameter("release", gettext("This answer follows the current data; it has no release."))
        try:
            self._snapshot, self.release = reading.choose(request, number)
        except reading.BadRelease as error:
            raise NoSuchRelease(str(error)) from None
        self.as_of = self.params["as_of"]
        release = self.release
        self.day = self.as_of or (release.day if release else us_today())
        where = (request.scheme, request.get_host(), request.path, self.canonical, representation)
        if release is not None:
            self.etag = release_etag(kind, release, self.day, *where)
            self.modified, self.cache_control = last_modified(release.published_at, None), RELEASE_CACHE_CONTROL
        else:
            version = self._snapshot.version
            # A page's Cite box says the day the reader accessed it: a page changes at midnight (US) even for an
            # as_of day (a release answer's box leaves that date to the browser, so its bytes never change).
            today = real_today() if kind == "page" else None
            floor = today or (None if self.as_of else self.day)
            self.etag = answer_etag(
                kind, version.number, version.changed_at, "" if self.as_of else self.day, today or "", *where
            )
            self.modified = last_modified(version.changed_at, us_midnight(floor) if floor else None)
            self.cache_control = PAGE_CACHE_CONTROL if kind == "page" else API_CACHE_CONTROL
        request.reading = self

    @property
    def snapshot(self):
        """The snapshot the answer reads: the current one, or the release's, built on first use when this process
        does not hold it (after `public_page` counted the allowance: a build is the costly part of a release)."""
        if self._snapshot is None:
            try:
                self._snapshot = reading.release_snapshot(self.release.number, self.release)[0]
            except reading.BadRelease as error:  # its stored data is gone or altered: no such release here
                raise NoSuchRelease(str(error)) from None
        return self._snapshot

    @property
    def canonical(self) -> str:
        """The canonical query: declared parameters only, values normalised, defaults dropped, names sorted."""
        return self.params.canonical

    def query(self, drop=(), **override) -> str:
        """The canonical query without `drop` and with `override`, for the answer's own links."""
        return self.params.query(drop, **override)

    def not_modified(self):
        """Django's 304 (or 412) known before the view runs (an If-None-Match naming this answer's tag), else
        None. `If-None-Match: *` and If-Modified-Since alone wait for the view (`not_modified_after`)."""
        return not_modified_before_the_view(self.request, self.etag, self.modified)

    def not_modified_after(self, response):
        """The view's answer, or a 304 in place of a 200 the client already holds; a 404 stays a 404."""
        return not_modified_after_the_view(self.request, response, self.etag, self.modified)

    def pinned(self):
        """Within the block, "today" is the release's day (a release answer never changes)."""
        return today_is(self.release.day) if self.release else contextlib.nullcontext()

    def finish(self, response, *, vary):
        """Validators and caching headers on a 200 or 304, and the mark that lets the answer store keep it."""
        set_headers(response, self.etag, self.modified, cache_control=self.cache_control, vary=vary)
        if self.release is None:
            made_from(response, self.snapshot.version, self.canonical)
        return response


def bad_request(request, error, status=400):
    """The 400 page (or another status, e.g. 404 for a release that does not exist), with the reason shown."""
    return render(request, "400.html", {"message": str(error)}, status=status)


# The refusal of a computed answer beyond the allowance (a 429), in the page's language.
TOO_MANY = gettext_noop("Too many requests from this address; try again shortly.")


class _ComputedThrottle(SharedRateThrottle):
    scope = "computed"

    def get_rate(self):
        return settings.COMPUTED_RATE


def over_allowance(request, *, json_errors: bool = False, error_key: str = "detail"):
    """A 429 with Retry-After (seconds) when the client address (common/client_address.py, the trusted-proxy rule)
    has used up its allowance of computed public answers, COMPUTED_RATE (None: no limit); else None, the request
    having been counted. Not counted: a request marked `allowance_counted` (a search, which SEARCH_RATE counts:
    common/middleware.py; a card the app renders inside a page it already counted), and a live session the app
    issued (an editor signed in). The count is one round trip to the shared store (common/allowances.py); a store
    that fails lifts the limit. The refusal is plain text in the page's language, or `{"detail": reason}` for a
    JSON page (`json_errors`), as the API's 429 says it (`error_key` names the field for an answer whose errors
    say it otherwise: oEmbed's `{"error": reason}`)."""
    if not settings.COMPUTED_RATE or getattr(request, "allowance_counted", False) or in_session(request):
        return None
    throttle = _ComputedThrottle()
    if throttle.allow_request(request, None):
        return None
    if json_errors:
        response = JsonResponse({error_key: gettext(TOO_MANY)}, status=429)
    else:
        response = HttpResponse(gettext(TOO_MANY), status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(max(1, int(throttle.wait() or 1)))
    return response


def public_page(view=None, *, json_errors=False, **declared):
    """A public HTML page answered through a `Reading`: `@public_page` or `@public_page(page=PAGE, ...)`.

    Before the view runs, the request gets `reading`, `snapshot`, `release` (or None), `as_of` (or None), `day`
    and `program_status` (the program's nationwide state that day, shown by base.html). A bad parameter is the
    400 page (`json_errors`: the API's `{"errors": {name: [reason]}}`), a release that does not exist 404; a
    repeat with If-None-Match is a 304 without running the view. Any other request counts against the client's
    allowance of computed answers (`over_allowance`: a 429 beyond it) before the view runs; If-Modified-Since alone
    waits for the view (it may find no page), so it counts. The view's declared parameters are
    `request.reading.params`.
    """
    if view is None:
        return lambda view: public_page(view, json_errors=json_errors, **declared)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        request.release = None
        try:
            answer = Reading(request, declared, kind="page")
        except params.BadParameter as error:
            if json_errors:
                return JsonResponse({"errors": {error.name: [str(error)]}}, status=400)
            return bad_request(request, error)
        except NoSuchRelease as error:
            return bad_request(request, error, status=404)
        request.as_of, request.release, request.day = answer.as_of, answer.release, answer.day
        with answer.pinned():
            response = answer.not_modified() or over_allowance(request, json_errors=json_errors)
            if response is None:
                try:
                    request.snapshot = answer.snapshot
                except NoSuchRelease as error:
                    return bad_request(request, error, status=404)
                request.program_status = answer.snapshot.program_status(answer.day)
                response = answer.not_modified_after(view(request, *args, **kwargs))
        if response.status_code in (200, 304):
            answer.finish(response, vary=("Accept-Encoding",))
        return response

    # What the answer store reads to key a request before the view runs (common/answer_cache.py).
    wrapper.declared_params = {**COMMON, **declared}
    return wrapper
