"""The report form's allowance per client address: the same machinery as the search allowance
(common/middleware.py), counted where every worker and server sees it (common/allowances.py)."""

from django.conf import settings

from common.allowances import SharedRateThrottle


class CorrectionThrottle(SharedRateThrottle):
    """CORRECTIONS_RATE reports per client address (e.g. "5/hour"; None when "off"). A store's outage lifts the
    limit, never the report."""

    scope = "corrections"

    def get_rate(self):
        return settings.CORRECTIONS_RATE


def allowance_used_up(request) -> int | None:
    """Seconds to wait when this client has used its allowance, else None (and the report is counted)."""
    if not settings.CORRECTIONS_RATE:
        return None
    throttle = CorrectionThrottle()
    if throttle.allow_request(request, None):
        return None
    return max(1, int(throttle.wait() or 1))
