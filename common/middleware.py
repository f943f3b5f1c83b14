"""Site-wide guards against hostile requests that no view should have to think about."""

from urllib.parse import unquote_to_bytes

from csp import middleware as csp_middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as message_middleware
from django.contrib.sessions import middleware as session_middleware
from django.core.signals import setting_changed
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext
from simple_history import middleware as history_middleware

from common.allowances import SharedRateThrottle

NUL_MESSAGE = "The address contains a NUL character."

# The prefix of the Spanish pages (tracker/urls.py i18n_patterns); English has none.
SPANISH_PREFIX = "/es/"


def unprefixed(path: str) -> str:
    """A page's path without its language prefix: `/es/jurisdictions/` is `/jurisdictions/`."""
    return path[len(SPANISH_PREFIX) - 1 :] if path.startswith(SPANISH_PREFIX) else path


class LocaleMiddleware:
    """The page's language from its URL and nothing else: `/es/...` is Spanish, every other path English.

    Django's own LocaleMiddleware falls back to a cookie and Accept-Language and redirects by them; here a URL
    always answers in one language, so a shared cache may keep it without `Vary: Accept-Language`. The read-only
    API (always English, with English field names) is passed straight on: it costs one string comparison.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            return self.get_response(request)
        # `/es` too, so that CommonMiddleware finds `/es/` and redirects there, as it does `/es/states`.
        spanish = request.path_info.startswith(SPANISH_PREFIX) or request.path_info == SPANISH_PREFIX[:-1]
        language = "es" if spanish else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # A thread's next request (an API one above all) starts in the default language again.
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response


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


class RefuseBodiesMiddleware:
    """A request body where none belongs is refused (413) before anything reads it.

    The public site takes no uploads: only the admin receives forms and import files, and the public takes one
    small form, a reader's correction report. Without this, an anonymous 300 MB POST to any page was read and
    spooled to disk by the CSRF check before it was refused. The admin's limit is MAX_ADMIN_BODY_BYTES (an import
    file is at most 2 MB); the report form's is CORRECTIONS_MAX_BODY_BYTES, on exactly its own address. A declared
    length is checked; a chunked body with no length is refused outside the admin (no browser sends one there).
    """

    # The report form's address (corrections/urls.py), matched exactly: no other public path takes a body.
    CORRECTION_REPORT_PATH = "/corrections/report/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin = request.path_info.startswith("/admin/")
        if admin:
            limit = settings.MAX_ADMIN_BODY_BYTES
        elif unprefixed(request.path_info) == self.CORRECTION_REPORT_PATH:
            limit = settings.CORRECTIONS_MAX_BODY_BYTES
        else:
            limit = 0
        length = request.META.get("CONTENT_LENGTH") or "0"
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        too_long = not length.isdigit() or int(length) > limit or (chunked and (not admin or limit == 0))
        if too_long:
            # Worded in the page's language (LocaleMiddleware has run); the API's answers stay English.
            message = (
                gettext("This address takes no request body.")
                if limit == 0
                else gettext("The request body is too large.")
            )
            if request.path_info.startswith("/api/"):
                return JsonResponse({"errors": {"body": [message]}}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class SearchRateLimitMiddleware:
    """The public name searches (lookup suggestions, the list page's `q`) have an allowance per client address.

    They are the public paths whose cost depends on what a client types; the API's `q` has the API's own limits.
    The rate is SEARCH_RATE (e.g. "300/minute", "off" to disable), counted like the API throttles where every worker
    sees it (common/allowances.py), by the trusted-proxy rule (common/client_address.py). A store's outage lifts the
    limit, never answers. A search is counted here only: the allowance of computed answers (COMPUTED_RATE,
    common/public.py `over_allowance`) leaves it to this one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = unprefixed(request.path_info)
        searching = path == "/search/suggest" or (path == "/jurisdictions/" and request.GET.get("q"))
        # A search counts against this allowance only, not also against that of computed answers (common/public.py).
        request.allowance_counted = bool(searching)
        if searching and settings.SEARCH_RATE:
            throttle = _SearchThrottle()
            if not throttle.allow_request(request, None):
                wait = max(1, int(throttle.wait() or 1))
                response = HttpResponse(
                    translation.gettext("Too many searches from this address; try again shortly."),
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)


class _SearchThrottle(SharedRateThrottle):
    scope = "search"

    def get_rate(self):
        return settings.SEARCH_RATE


# --- editors' middleware, skipped by the read-only API ----------------------------------------------------------
#
# The public API is read-only and signs nobody in (REST_FRAMEWORK's empty DEFAULT_AUTHENTICATION_CLASSES): a GET
# under /api/ needs no session, user, messages or edit-history context, and loading them was about a fifth of a
# computed answer (bench/api_vs_datasette.py). Each class below is Django's own (a subclass, so the admin's system
# checks still find it) that passes such a request straight on; every other request, the admin's above all, goes
# through it as before.


def _api_read(request) -> bool:
    return request.method in ("GET", "HEAD", "OPTIONS") and request.path_info.startswith("/api/")


class SessionMiddleware(session_middleware.SessionMiddleware):
    def __call__(self, request):
        return self.get_response(request) if _api_read(request) else super().__call__(request)


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    def __call__(self, request):
        return self.get_response(request) if _api_read(request) else super().__call__(request)


class MessageMiddleware(message_middleware.MessageMiddleware):
    def __call__(self, request):
        return self.get_response(request) if _api_read(request) else super().__call__(request)


def HistoryRequestMiddleware(get_response):  # noqa: N802 (named like the function middleware it wraps)
    inner = history_middleware.HistoryRequestMiddleware(get_response)

    def middleware(request):
        return get_response(request) if _api_read(request) else inner(request)

    return middleware
