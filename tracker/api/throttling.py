"""Per-client allowances: ordinary answers and full downloads count separately.

Rates live in `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` ("anon", "bulk"; API_RATE and API_BULK_RATE). The client
address is DRF's `get_ident`, which follows the trusted-proxy setting. The counters live in the cache; the
cache backend never fails a request (tracker/cache.py), so an outage lifts the limits rather than the answers.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from tracker.api.formats import BULK_FORMATS


def _is_bulk(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return bool(renderer) and renderer.format in BULK_FORMATS


class _LiveRateMixin:
    # DRF reads the rates once at import; reading them per request lets settings (and tests) change them.
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_LiveRateMixin, AnonRateThrottle):
    """Anonymous JSON requests, per client address."""

    scope = "anon"

    def allow_request(self, request, view):
        return True if _is_bulk(request) else super().allow_request(request, view)


class BulkThrottle(_LiveRateMixin, AnonRateThrottle):
    """Full downloads (CSV, NDJSON, GeoJSON): their own, smaller allowance."""

    scope = "bulk"

    def allow_request(self, request, view):
        return super().allow_request(request, view) if _is_bulk(request) else True
