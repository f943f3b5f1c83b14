"""Content negotiation that honours the client's quality values (RFC 9110, section 12.5.1).

DRF's default picks by specificity and ignores `q`, so `Accept: text/csv, application/json;q=0` (CSV wanted,
JSON refused) was answered with JSON. This reads Accept with Django's parser (`HttpRequest.accepted_types`, sorted
by quality), refuses what the client gave q=0, keeps a type's parameters for the renderer (`indent=2`), and keeps
DRF's handling of `?format=`.
"""

from django.http.request import MediaType
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


def _bare(media_type: MediaType) -> MediaType:
    return MediaType(f"{media_type.main_type}/{media_type.sub_type}")


class QualityContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if request.query_params.get(self.settings.URL_FORMAT_OVERRIDE) or format_suffix:
            return super().select_renderer(request, renderers, format_suffix)
        if not request.META.get("HTTP_ACCEPT", "").strip():
            return renderers[0], renderers[0].media_type
        refused = [
            _bare(MediaType(token))
            for token in request.META["HTTP_ACCEPT"].split(",")
            if token.strip() and MediaType(token).quality == 0
        ]
        for accepted in request._request.accepted_types:
            for renderer in renderers:
                offered = MediaType(renderer.media_type)
                if not offered.match(_bare(accepted)) or any(offered.match(no) for no in refused):
                    continue
                # A wildcard says nothing about the answer's type; a named type keeps its parameters (indent).
                wildcard = "*" in (accepted.main_type, accepted.sub_type)
                return renderer, renderer.media_type if wildcard else str(accepted)
        raise NotAcceptable(available_renderers=renderers)
