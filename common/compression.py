"""Compression of answers, in its own middleware: gzip for clients that take it, honouring quality values.

Django's GZipMiddleware (which pads against BREACH) looks for the word "gzip" in Accept-Encoding, so
`gzip;q=0` (gzip refused) was answered in gzip. Here the header is read as RFC 9110 (section 12.5.3) says: a
coding named with q=0 is refused, `*` stands for codings not named. The admin is never compressed (an editor's
pages hold a session), as nginx does in front (deploy/nginx.conf). A plain answer carries no
`Vary: Accept-Encoding`: it suits every client, so no cache can hand it to the wrong one.

A helper that imports no app code.
"""

from django.middleware.gzip import GZipMiddleware


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value.strip())))
            except ValueError:
                return 0.0
    return 1.0


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding value takes gzip: named (or x-gzip) with q > 0, or `*` with q > 0 when unnamed."""
    named = star = None
    for token in header[:1000].split(","):
        coding, _, parameters = token.strip().partition(";")
        coding = coding.strip().lower()
        if coding in ("gzip", "x-gzip"):
            named = max(named or 0.0, _quality(parameters))
        elif coding == "*":
            star = _quality(parameters)
    quality = named if named is not None else star
    return bool(quality)


def compresses(request) -> bool:
    """Whether this request's answer is compressed: the client takes gzip and it is not the admin's."""
    return accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", "")) and not request.path_info.startswith("/admin/")


class CompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, for the requests `compresses` says yes to."""

    def process_response(self, request, response):
        if not compresses(request):
            return response
        return super().process_response(request, response)
