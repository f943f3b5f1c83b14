"""The releases' pages and files: `/releases/`, `/releases/r<N>/` and `/releases/r<N>/<file>`."""

from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from common import http_cache
from common.dates import us_today
from releases import store
from releases.models import Release, ReleaseFile

# A release's files never change: a year, and browsers need not even revalidate.
FILE_CACHE_CONTROL = "public, max-age=31536000, immutable"
# The list grows when an editor publishes: revalidate every time (no validator: one small query).
LIST_CACHE_CONTROL = "public, no-cache"


def _prepare(request, *, release=None):
    """What base.html's shared parts read: no snapshot here, the release shown (if any) and the day."""
    request.release, request.as_of = None, None
    request.day = release.day if release else us_today()
    request.program_status = None


@require_safe
def release_list(request):
    releases = list(Release.objects.order_by("-number"))
    _prepare(request)
    request.latest_release = store.pinned(releases[0]) if releases else None
    response = render(request, "releases/release_list.html", {"releases": releases})
    response["Cache-Control"] = LIST_CACHE_CONTROL
    return response


def _files(release) -> list[dict]:
    return [{**file, "url": f"{release.get_absolute_url()}{file['name']}"} for file in release.files]


@require_safe
def release_detail(request, number: int):
    release = get_object_or_404(Release, number=number)
    pin = store.pinned(release)
    _prepare(request, release=release)
    # The Cite box names this release, and leaves the access date to the browser: this page never changes.
    request.latest_release, request.cite_without_date = pin, True
    etag = http_cache.release_etag("release-page", pin, pin.day, request.scheme, request.get_host(), request.path)
    modified = http_cache.last_modified(release.published_at, None)
    response = http_cache.not_modified(request, etag, modified)
    if response is None:
        context = {
            "release": release,
            "files": _files(release),
            "manifest_url": f"{release.get_absolute_url()}{store.MANIFEST_FILE}",
            "changelog": store.changelog(release),
            "site": f"{request.scheme}://{request.get_host()}",
        }
        response = render(request, "releases/release_detail.html", context)
    http_cache.set_headers(
        response, etag, modified, cache_control=http_cache.RELEASE_CACHE_CONTROL, vary=("Accept-Encoding",)
    )
    return response


def release_file(request, number: int, name: str):
    """One file of a release, as its manifest lists it (or the manifest): from this server's cache, else from the
    database. One query (the file's row, without its bytes); a second when the cache does not hold it."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    found = (
        ReleaseFile.objects.filter(release__number=number, name=name)
        .select_related("release")
        .only("name", "sha256", "content_type", "release__number", "release__published_at")
        .first()
    )
    if found is None:
        raise Http404(_("This release has no file of that name."))
    release = found.release
    etag = f'"{found.sha256[:32]}"'
    modified = http_cache.last_modified(release.published_at, None)
    response = http_cache.not_modified(request, etag, modified)
    if response is None:
        response = FileResponse(store.open_file(number, name, found.sha256), content_type=found.content_type)
        if name.endswith((".csv", ".ndjson", ".geojson", ".xlsx", ".sqlite")):
            response["Content-Disposition"] = f'attachment; filename="scomm-{release.public_id}-{name}"'
    http_cache.set_headers(response, etag, modified, cache_control=FILE_CACHE_CONTROL, vary=())
    return response
