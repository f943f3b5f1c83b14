"""What every public HTML page shares: `?as_of=`, the read-model snapshot, HTTP validators, and the 400 page.

A helper that imports no app code: the apps' views use it as they use a library.
"""

from functools import wraps

from django.http import HttpResponseNotAllowed
from django.shortcuts import render

from common import reading
from common.dates import BadDate, parse_day, real_today, today_is, us_midnight, us_today
from common.http_cache import (
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


def bad_request(request, error, status=400):
    """The 400 page (or another status, e.g. 404 for a release that does not exist), with the reason shown."""
    return render(request, "400.html", {"message": str(error)}, status=status)


def public_page(view):
    """A public HTML page answered from the read-model snapshot, with validators and 304s.

    Before the view runs: `?as_of=` and `?release=` are validated (a bad one is the 400 page; a release that
    does not exist, 404), and the request gets `snapshot` (the read model at the current data version, or of the
    release asked for), `release` (that release, or None), `as_of` (the date asked, or None), `day` (that date, or
    today in the US; for a release, the day it was published, so the answer never changes) and `program_status`
    (the program's nationwide state that day, shown by base.html). A repeat with If-None-Match or
    If-Modified-Since is a 304 without running the view.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        request.release = None
        try:
            as_of = parse_day(request.GET.get("as_of"))
            snapshot, release = reading.choose(request)
        except BadDate as error:
            return bad_request(request, error)
        except reading.BadRelease as error:
            return bad_request(request, error, status=error.status)
        request.snapshot, request.as_of, request.release = snapshot, as_of, release
        if release is not None:
            request.day = as_of or release.day
            etag = release_etag(
                "page", release, request.day, request.scheme, request.get_host(), request.get_full_path()
            )
            modified, cache_control = last_modified(release.published_at, None), RELEASE_CACHE_CONTROL
        else:
            request.day = as_of or us_today()
            version = snapshot.version
            # The Cite box says the day the reader accessed the page: a page changes at midnight (US) even for
            # an as_of day (a release answer's box leaves that date to the browser, so its bytes never change).
            today = real_today()
            etag = answer_etag(
                "page",
                version.number,
                version.changed_at,
                "" if as_of else request.day,
                today,
                request.scheme,
                request.get_host(),
                request.get_full_path(),
            )
            modified = last_modified(version.changed_at, us_midnight(today))
            cache_control = PAGE_CACHE_CONTROL
        request.program_status = snapshot.program_status(request.day)
        with today_is(release.day if release else None):
            response = not_modified_before_the_view(request, etag, modified)
            if response is None:
                response = not_modified_after_the_view(request, view(request, *args, **kwargs), etag, modified)
        if response.status_code in (200, 304):
            set_headers(response, etag, modified, cache_control=cache_control, vary=("Accept-Encoding",))
            if release is None:
                made_from(response, snapshot.version)
        return response

    return wrapper
