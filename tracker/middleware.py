"""Site-wide guards against hostile requests that no view should have to think about."""

from urllib.parse import unquote_to_bytes

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
