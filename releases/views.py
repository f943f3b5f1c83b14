"""The releases' pages and files: `/releases/`, `/releases/r<N>/` and `/releases/r<N>/<file>`."""

import json

from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from common import http_cache
from common.dates import us_today
from releases import store
from releases.models import Release

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
    etag = http_cache.release_etag(
        "release-page", pin, pin.day, request.scheme, request.get_host(), request.get_full_path()
    )
    modified = http_cache.last_modified(release.published_at, None)
    response = http_cache.not_modified(request, etag, modified)
    if response is None:
        try:
            changelog = json.loads((store.folder(number) / "changelog.json").read_bytes())
        except FileNotFoundError:
            changelog = {}
        context = {
            "release": release,
            "files": _files(release),
            "manifest_url": f"{release.get_absolute_url()}{store.MANIFEST_FILE}",
            "changelog": changelog,
            "site": f"{request.scheme}://{request.get_host()}",
        }
        response = render(request, "releases/release_detail.html", context)
    http_cache.set_headers(
        response, etag, modified, cache_control=http_cache.RELEASE_CACHE_CONTROL, vary=("Accept-Encoding",)
    )
    return response


def release_file(request, number: int, name: str):
    """One file of a release, streamed from disk; only the names its manifest lists (and the manifest)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    release = get_object_or_404(Release, number=number)
    files = release.manifest.get("files", {})
    if name != store.MANIFEST_FILE and name not in files:
        raise Http404(_("This release has no file of that name."))
    path = store.folder(number) / name
    if not path.is_file():
        raise Http404(_("This release's files are missing on this server."))
    etag = (
        f'"{files[name]["sha256"][:32]}"' if name in files else http_cache.answer_etag("manifest", release.data_sha256)
    )
    modified = http_cache.last_modified(release.published_at, None)
    response = http_cache.not_modified(request, etag, modified)
    if response is None:
        response = FileResponse(path.open("rb"), content_type=store.content_type(name))
        if name.endswith((".csv", ".ndjson", ".geojson")):
            response["Content-Disposition"] = f'attachment; filename="scomm-{release.public_id}-{name}"'
    http_cache.set_headers(response, etag, modified, cache_control=FILE_CACHE_CONTROL, vary=())
    return response
