"""Conditional GET for API views: validators from the data version, 304s before any work (common/http_cache.py)."""

from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from rest_framework.exceptions import NotFound, ValidationError

from common import http_cache, reading
from common.api.errors import RELEASE_PARAMETER, day_param
from common.dates import pin_today, unpin_today, us_midnight, us_today


class _Answered(Exception):
    """Raised from `initial` when the answer (a 304) is known before the view runs."""

    def __init__(self, response):
        super().__init__()
        self.response = response


def _forget_context(response) -> None:
    response.renderer_context = None


class ConditionalSchema(AutoSchema):
    """drf-spectacular's schema, with `release` documented on every answer that takes it."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if getattr(self.view, "answers_releases", False) and self.method == "GET":
            parameters = [*parameters, RELEASE_PARAMETER]
        return parameters

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        # One object is JSON only (SnapshotViewSet.get_renderers): say that a list's format asked of it is a 406.
        if direction == "response" and getattr(self.view, "action", None) == "retrieve" and self.method == "GET":
            bodies.setdefault("406", _NOT_ACCEPTABLE)
        return bodies


_NOT_ACCEPTABLE = {
    "description": "A format this address does not offer (`?format=csv`, `Accept: text/csv`): one object is JSON "
    "only; CSV, NDJSON and GeoJSON are offered by the lists. The error names the formats offered.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "errors": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    }
                },
            }
        }
    },
}


class ConditionalGetMixin:
    """Reads the snapshot once per request and answers If-None-Match / If-Modified-Since with a 304.

    Sets `self.snapshot` (the read model at the current data version, or of the release asked for with
    `?release=rN`), `self.release` (that release, or None) and `self.day` (`as_of`, default today in the US; for a
    release, the day it was published). The ETag hashes the data version, the day when no `as_of` is given (an
    answer for today changes at midnight), the scheme and host (absolute links), the full path with its query and
    the negotiated format; for a release, the release number instead of the data version, so it never changes.
    """

    schema = ConditionalSchema()
    snapshot = None
    release = None
    day = None
    # The changes feed follows the live data's edit history: a release has none, so it refuses `release`.
    answers_releases = True
    _pinned = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        as_of = day_param(request)
        try:
            if not self.answers_releases and reading.release_param(request._request.GET) is not None:
                raise reading.BadRelease(_("This answer follows the current data; it has no release."))
            self.snapshot, self.release = reading.choose(request._request)
        except reading.BadRelease as error:
            if error.status == 404:
                raise NotFound(str(error)) from None
            raise ValidationError({"release": [str(error)]}) from None
        release = self.release
        if release is not None:
            self.day = as_of or release.day
            self._pinned = pin_today(release.day)
        else:
            self.day = as_of or us_today()
        if request.method not in ("GET", "HEAD"):
            return
        media = getattr(getattr(request, "accepted_renderer", None), "media_type", "")
        representation = (request.scheme, request.get_host(), request.get_full_path(), media)
        if release is not None:
            self._etag = http_cache.release_etag("api", release, self.day, *representation)
            self._modified = http_cache.last_modified(release.published_at, None)
        else:
            version = self.snapshot.version
            self._etag = http_cache.answer_etag(
                version.number, version.changed_at, "" if as_of else self.day.isoformat(), *representation
            )
            self._modified = http_cache.last_modified(version.changed_at, None if as_of else us_midnight(self.day))
        response = http_cache.not_modified_before_the_view(request._request, self._etag, self._modified)
        if response is not None:
            raise _Answered(response)

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        # DRF keeps the answer on the view (`self.response`) and the view, the request and the answer itself in the
        # answer's `renderer_context`: reference cycles that held every answer (1.7 MB for a page of 1,000) until
        # the next full garbage collection, which allocating bytes never brings closer, so a worker's memory
        # climbed by tens of MB between collections (bench/production.py, memory). Cut both once the answer is
        # rendered: it is then freed as soon as it is sent.
        del self.response
        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(_forget_context)
        return response

    def handle_exception(self, exc):
        if isinstance(exc, _Answered):
            self._set_cache_headers(exc.response)
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        try:
            response = super().finalize_response(request, response, *args, **kwargs)
        finally:
            if self._pinned is not None:
                unpin_today(self._pinned)
                self._pinned = None
        # Every answer depends on Accept, an error too (a refused type is a 406), even with one format offered.
        patch_vary_headers(response, ("Accept",))
        if request.method in ("GET", "HEAD") and response.status_code == 200 and hasattr(self, "_etag"):
            # `If-None-Match: *` or If-Modified-Since alone: answered once the view has found the object (a 404
            # stays a 404).
            response = http_cache.not_modified_after_the_view(request._request, response, self._etag, self._modified)
            self._set_cache_headers(response)
        return response

    def _set_cache_headers(self, response):
        cache_control = http_cache.RELEASE_CACHE_CONTROL if self.release else http_cache.API_CACHE_CONTROL
        http_cache.set_headers(
            response, self._etag, self._modified, cache_control=cache_control, vary=("Accept", "Origin")
        )
        if self.release is None:
            http_cache.made_from(response, self.snapshot.version)
