"""The report form's allowance per client address: the same machinery as the search allowance
(common/middleware.py), a DRF rate throttle counted in the cache by the trusted-proxy rule."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from common.client_address import ClientAddressThrottleMixin


class CorrectionThrottle(ClientAddressThrottleMixin, SimpleRateThrottle):
    """CORRECTIONS_RATE reports per client address (e.g. "5/hour"; None when "off"). A cache outage lifts the
    limit: DRF's throttle finds no history and lets the request through."""

    scope = "corrections"

    def get_rate(self):
        return settings.CORRECTIONS_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def allowance_used_up(request) -> int | None:
    """Seconds to wait when this client has used its allowance, else None (and the report is counted)."""
    if not settings.CORRECTIONS_RATE:
        return None
    throttle = CorrectionThrottle()
    if throttle.allow_request(request, None):
        return None
    return max(1, int(throttle.wait() or 1))
