"""Content negotiation that honours the client's quality values (RFC 9110, section 12.5.1).

DRF's default picks by specificity and ignores `q`, so `Accept: text/csv, application/json;q=0` (CSV wanted,
JSON refused) was answered with JSON. Django 5.2's `HttpRequest.get_preferred_type` reads `q` properly; this
asks it, and keeps DRF's handling of `?format=`.
"""

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class QualityContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if request.query_params.get(self.settings.URL_FORMAT_OVERRIDE) or format_suffix:
            return super().select_renderer(request, renderers, format_suffix)
        accept = request.META.get("HTTP_ACCEPT", "").strip()
        if not accept:
            renderer = renderers[0]
            return renderer, renderer.media_type
        # The first renderer of each media type wins (the view lists its preferred one first).
        by_type = {}
        for renderer in renderers:
            by_type.setdefault(renderer.media_type, renderer)
        preferred = request._request.get_preferred_type(list(by_type))
        if preferred is None:
            raise NotAcceptable(available_renderers=renderers)
        renderer = by_type[preferred]
        return renderer, renderer.media_type
