"""Site-wide guards against hostile requests that no view should have to think about."""

from urllib.parse import unquote_to_bytes

from csp import middleware as csp_middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpResponseBadRequest, JsonResponse

NUL_MESSAGE = "The address contains a NUL character."


class RejectNulMiddleware:
    """A NUL character in the path or query string is a 400 before any view runs.

    No address on this site can contain one, and PostgreSQL refuses NUL in a text parameter with an error that
    would otherwise surface as a 500 (``/jurisdictions/48201%00/``, ``?state=%00``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or b"\x00" in unquote_to_bytes(query.replace("+", " ")):
            if request.path_info.startswith("/api/"):
                # The API's own error shape.
                return JsonResponse({"errors": {"url": [NUL_MESSAGE]}}, status=400)
            return HttpResponseBadRequest(f"Bad request: {NUL_MESSAGE}", content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware, with the settings' policy headers built once per process, not once per response.

    Building the two headers was a tenth of a computed API answer. A response whose policy is its own (a nonce
    was used, or a django-csp decorator changed it) is left to django-csp, as are debug error pages.
    """

    PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self.PER_RESPONSE)
            or settings.DEBUG
        ):
            return super().process_response(request, response)
        for header, report_only in ((HEADER, False), (HEADER_REPORT_ONLY, True)):
            policy, excluded = _settings_policy(report_only)
            exempt = getattr(response, "_csp_exempt_ro" if report_only else "_csp_exempt", False)
            if policy and header not in response and not exempt and not request.path_info.startswith(excluded):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


_policies: dict[bool, tuple[str, tuple]] = {}


def _settings_policy(report_only: bool) -> tuple[str, tuple]:
    """(header value, excluded path prefixes) of the policy in settings, built once."""
    if report_only not in _policies:
        name = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
        config = getattr(settings, name, None)
        excluded = tuple((config or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
        _policies[report_only] = (build_policy(report_only=report_only), excluded)
    return _policies[report_only]


def _forget_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.clear()


setting_changed.connect(_forget_policies)
