"""Per-client allowances: ordinary answers and full downloads count separately.

Rates live in `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` ("anon", "bulk"; API_RATE and API_BULK_RATE). The client
address follows the one trusted-proxy rule (common/client_address.py), as the login lockout and the logs do.
The counters are shared by every worker and server (common/allowances.py: Redis or the database), and a store's
failure lifts the limits rather than the answers.
"""

from rest_framework.settings import api_settings

from common.allowances import SharedRateThrottle
from common.api.formats import BULK_FORMATS


def _is_bulk(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return bool(renderer) and renderer.format in BULK_FORMATS


class _LiveRate:
    # DRF reads the rates once at import; reading them per request lets settings (and tests) change them.
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_LiveRate, SharedRateThrottle):
    """Anonymous JSON requests, per client address."""

    scope = "anon"

    def allow_request(self, request, view):
        return True if _is_bulk(request) else super().allow_request(request, view)


class BulkThrottle(_LiveRate, SharedRateThrottle):
    """Full downloads (CSV, NDJSON, GeoJSON): their own, smaller allowance."""

    scope = "bulk"

    def allow_request(self, request, view):
        return super().allow_request(request, view) if _is_bulk(request) else True
