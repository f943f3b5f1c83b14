"""Conditional GET for API views: validators from the data version, 304s before any work (common/http_cache.py)."""

from django.utils.cache import patch_vary_headers
from drf_spectacular.openapi import AutoSchema
from rest_framework.exceptions import NotFound, ValidationError

from common.api.errors import RELEASE_PARAMETER
from common.dates import pin_today, unpin_today
from common.params import BadParameter, Word
from common.public import COMMON, NoSuchRelease, Reading


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
    """The public-answer protocol (common/public.py `Reading`) for an API view, and 304s before any work.

    Sets `self.reading`, `self.snapshot` (the read model at the current data version, or of the release asked for
    with `?release=rN`), `self.release` (that release, or None), `self.day` (`as_of`, default today in the US; for
    a release, the day it was published) and `self.params` (the declared parameters' values). The ETag hashes the
    data version (for a release, its number instead, so it never changes), the day when no `as_of` is given (an
    answer for today changes at midnight), the scheme and host (absolute links), the path, the canonical query and
    the negotiated format.
    """

    schema = ConditionalSchema()
    snapshot = None
    release = None
    day = None
    params = None
    reading = None
    # The changes feed follows the live data's edit history: a release has none, so it refuses `release`.
    answers_releases = True
    # The view's own parameters ({name: common.params.Param}); `as_of`, `release` and `format` are everyone's.
    own_params: dict = {}
    _pinned = None

    @classmethod
    def declared_params(cls, action: str | None = None) -> dict:
        """What the view takes (for `action`, on a viewset), as the answer store reads it before the view runs."""
        formats = tuple(renderer.format for renderer in cls.renderer_classes)
        return {**COMMON, "format": Word(formats), **cls.own_params}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        media = getattr(getattr(request, "accepted_renderer", None), "media_type", "")
        try:
            self.reading = Reading(
                request._request,
                self.declared_params(getattr(self, "action", None)),
                kind="api",
                representation=media,
                releases=self.answers_releases,
            )
            self.snapshot = self.reading.snapshot
        except BadParameter as error:
            raise ValidationError({error.name: [str(error)]}) from None
        except NoSuchRelease as error:
            raise NotFound(str(error)) from None
        self.release, self.day = self.reading.release, self.reading.day
        self.params = self.reading.params
        if self.release is not None:
            self._pinned = pin_today(self.release.day)
        if request.method not in ("GET", "HEAD"):
            return
        response = self.reading.not_modified()
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
        if request.method in ("GET", "HEAD") and response.status_code == 200 and self.reading is not None:
            # `If-None-Match: *` or If-Modified-Since alone: answered once the view has found the object (a 404
            # stays a 404).
            response = self.reading.not_modified_after(response)
            self._set_cache_headers(response)
        return response

    def _set_cache_headers(self, response):
        self.reading.finish(response, vary=("Accept", "Origin"))
