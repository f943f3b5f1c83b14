"""The 400 handler (settings' ROOT_URLCONF `handler400`).

A request whose Host header is not one of ALLOWED_HOSTS reaches Django's 400 handler with DisallowedHost. The
site's 400 page cannot answer it: the page (like every page) writes its own address, which asks for the host
again and raises again, so the reader would get a 500. Such a request gets a short plain-text 400 instead; every
other bad request gets Django's own handler and the site's 400 page.
"""

from django.core.exceptions import DisallowedHost
from django.http import HttpResponseBadRequest
from django.views import defaults


def bad_request(request, exception):
    if isinstance(exception, DisallowedHost):
        return HttpResponseBadRequest(
            "Bad request: this site does not answer to that Host header.\n",
            content_type="text/plain; charset=utf-8",
        )
    return defaults.bad_request(request, exception)
