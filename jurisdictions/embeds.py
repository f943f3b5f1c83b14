"""Embeddable cards for a jurisdiction or a state, and the oEmbed endpoint that hands out their iframe code.

`/embed/jurisdictions/<fips>/` and `/embed/states/<postal>/` answer a small self-contained HTML card (status on
the day, since when, the state's agreement, the source, a link back) from the same read-model snapshot and as-of
rule as every page, so an embedded card stays current. They are the only routes that may be framed by another
site: `frame-ancestors *` and no X-Frame-Options there, `'none'` everywhere else (settings.CONTENT_SECURITY_POLICY).
They run no script, set no cookie and load nothing but one stylesheet from this site.

`/oembed?url=<a county or state page>` follows the oEmbed 1.0 spec (https://oembed.com/, section 2): JSON only
(`format=xml` is a 501, as the spec says for an unsupported format), 404 for a URL that is not a card's page,
`maxwidth`/`maxheight` honoured. Any origin may read it (CORS, settings.CORS_URLS_REGEX), and the page's address
is this site's in any form a newsroom system sends (`is_this_site`).
"""

import json
import threading
from functools import wraps
from urllib.parse import parse_qsl, urlencode, urlsplit

import cachetools
from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.request import split_domain_port
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from agreements.models import AgreementStatus
from common import params, reading
from common.dates import BadDate, parse_day
from common.public import over_allowance, public_page
from jurisdictions.embed_height import card_height
from jurisdictions.models import Status
from jurisdictions.views import _agreements, _not_yet_sourced, _vintage

# The card's frame: up to 480 px wide, and as tall as this card needs at a 360 px phone's width (frame_height;
# tests/test_browser_embeds.py checks 360 to 1,280 px); narrower frames scroll.
EMBED_WIDTH = 480


# django-csp's and Django's own decorators, applied to a finished response: `_let_frame(request, response)`.
_let_frame = xframe_options_exempt(csp_replace({"frame-ancestors": ["*"]})(lambda request, response: response))


def framable(view):
    """Any site may frame what this view answers as a card (200 or 304): CSP `frame-ancestors *` and no
    X-Frame-Options. Its error pages (the full-site 400 page) stay unframable, like every other page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        return _let_frame(request, response) if response.status_code in (200, 304) else response

    return wrapper


def _card_agreements(snapshot, postal, day) -> list:
    """The state's agreements on the day, less those a revised agreement replaced (the card has one line)."""
    agreements = _agreements(snapshot, postal, day)
    current = [entry for entry in agreements if entry[1] != AgreementStatus.SUPERSEDED]
    return current or agreements


def _rescission_by(snapshot, day):
    """ICE's rescission of every MOA, if it had happened by the card's day (a card of 2009 does not foretell it)."""
    rescission = snapshot.rescission
    return rescission if rescission and rescission.occurred_on <= day else None


def _embed_query(request) -> str:
    return f"?as_of={request.as_of:%Y-%m-%d}" if request.as_of else ""


@framable
@public_page
def jurisdiction_card(request, fips):
    snapshot, day = request.snapshot, request.day
    row = snapshot.row(fips, day)
    if row is None:
        raise Http404("No jurisdiction has this FIPS code.")
    unit = row.unit
    context = {
        "unit": unit,
        "row": row,
        "day": day,
        "as_of": request.as_of,
        "status": Status(row.standing.status).label,
        "activation": next((c for c in row.timeline if c.status == Status.ACTIVATED), None),
        "agreements": _card_agreements(snapshot, unit.state_id, day),
        "agreement_not_yet_sourced": _not_yet_sourced(snapshot, unit.state_id),
        "rescission": _rescission_by(snapshot, day),
        "successors": snapshot.successors(unit),
        "vintage": _vintage(snapshot, unit),
        "page_url": unit.get_absolute_url() + _embed_query(request),
    }
    return render(request, "embeds/jurisdiction.html", context)


@framable
@public_page
def state_card(request, postal):
    snapshot, day = request.snapshot, request.day
    state = snapshot.states.get(postal.upper()) if postal.isascii() else None
    if state is None:
        raise Http404("No state has this postal code.")
    counts = snapshot.state_counts(day)[state.postal]
    context = {
        "state": state,
        "day": day,
        "as_of": request.as_of,
        "counts": counts,
        "first_activation": snapshot.first_activations().get(state.postal),
        "agreements": _card_agreements(snapshot, state.postal, day),
        "agreement_not_yet_sourced": _not_yet_sourced(snapshot, state.postal),
        "rescission": _rescission_by(snapshot, day),
        "page_url": state.get_absolute_url() + _embed_query(request),
    }
    return render(request, "embeds/state.html", context)


# The pages that have a card: their URL name and the card's URL name.
CARDS = {
    "jurisdictions:jurisdiction_detail": "jurisdictions:jurisdiction_card",
    "jurisdictions:state_detail": "jurisdictions:state_card",
    "jurisdictions:jurisdiction_card": "jurisdictions:jurisdiction_card",
    "jurisdictions:state_card": "jurisdictions:state_card",
}


_heights: cachetools.LRUCache = cachetools.LRUCache(maxsize=4096)
_heights_lock = threading.Lock()


def frame_height(request, card_path: str) -> int:
    """The height of the frame for the card at `card_path` (with its as_of, in the active language): the card is
    rendered as its own address would answer it, and its text laid out at the narrowest width (embed_height.py).
    Kept per data version, card and language."""
    # A page answering from the current data lends its snapshot: no query to read the version again.
    page_snapshot = getattr(request, "snapshot", None)
    snapshot = page_snapshot if page_snapshot is not None and request.release is None else reading.current()
    key = (snapshot.memo("embed heights", object), translation.get_language(), card_path)
    with _heights_lock:
        found = _heights.get(key)
    if found is not None:
        return found
    path, _, query = card_path.partition("?")
    match = resolve(path)
    card_request = HttpRequest()
    card_request.method, card_request.path, card_request.path_info = "GET", path, path
    card_request.GET = QueryDict(query)
    # The host was validated on the request this one stands in for.
    card_request.META = {"HTTP_HOST": request.get_host(), "SERVER_PORT": request.get_port()}
    # The card answers from the snapshot just chosen (a card's code never names a release).
    card_request.release_choice = reading.Choice(snapshot, None)
    # Part of the page's answer, which was counted against its client's allowance (common/public.py): not again.
    card_request.allowance_counted = True
    response = match.func(card_request, *match.args, **match.kwargs)
    height = card_height(response.content.decode()) if response.status_code == 200 else EMBED_WIDTH
    with _heights_lock:
        _heights[key] = height
    return height


def embed_code(request, card_path: str, title: str, *, width: int = EMBED_WIDTH, height: int | None = None) -> str:
    """The iframe to paste: absolute card address, accessible title, fluid width up to `width`, and the height the
    card needs (`frame_height`) unless a smaller one is asked for."""
    height = height or frame_height(request, card_path)
    return format_html(
        '<iframe src="{}" title="{}" width="{}" height="{}" style="border:0;width:100%;max-width:{}px" '
        'loading="lazy"></iframe>',
        request.build_absolute_uri(card_path),
        title,
        width,
        height,
        width,
    )


def card_for(path: str):
    """(card URL name, its kwargs) for a county or state page or card path; raises Http404 otherwise."""
    try:
        match = resolve(path)
    except Resolver404:
        try:
            match = resolve(path + "/")  # an address copied without its trailing slash
        except Resolver404:
            raise Http404("This address has no embeddable card.") from None
    card_name = CARDS.get(match.view_name)
    if card_name is None:
        raise Http404("Only county and state pages have an embeddable card.")
    return card_name, match.kwargs


_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_this_site(parts, request) -> bool:
    """Whether the address `parts` (urlsplit) names this site, in any of the forms a newsroom system may send:
    either scheme (a site behind HTTPS still has its http:// address, which redirects), no scheme (`//host/...`)
    or no host at all (a path), the host in any case and with or without its final dot, the port written or left
    to its scheme's default. Another host, or another port than the site's, is not this site."""
    if parts.scheme not in ("http", "https", ""):
        return False
    if not parts.netloc:
        return not parts.scheme  # a path; "http:/x" names no site
    if parts.username is not None or parts.password is not None:
        return False
    host, port = split_domain_port(request.get_host())
    if (parts.hostname or "").rstrip(".") != host.lower().rstrip("."):
        return False
    own_port = int(port) if port else _DEFAULT_PORTS[request.scheme]
    own_default = own_port == _DEFAULT_PORTS[request.scheme]
    scheme = parts.scheme or request.scheme
    given = parts.port  # ValueError for a port out of range: the caller's 404
    if given is None:
        # The scheme's default port: the site's own when the site is on its default port (80 or 443).
        return own_default
    return given == own_port or (own_default and given == _DEFAULT_PORTS[scheme])


def _positive(request, name: str):
    value = request.GET.get(name)
    return None if value in (None, "") else params.whole_number(name, value, low=1, high=99999)


@require_safe
def oembed(request):
    """oEmbed 1.0 for a county or state page: `{"type": "rich", "html": "<iframe ...>", ...}`.

    Errors: 400 without `url` or with a bad `maxwidth`/`maxheight`/`as_of`; 404 for an address on another site
    or a page without a card; 501 for `format` other than json; 429 beyond the client's allowance of computed
    answers (COMPUTED_RATE, common/public.py `over_allowance`).
    """
    fmt = request.GET.get("format", "json")
    if fmt.lower() != "json":
        return HttpResponse("Only format=json is offered.", status=501, content_type="text/plain; charset=utf-8")
    url = request.GET.get("url", "")
    if not url:
        return _error("Give the page's address as url=.", 400)
    try:
        parts = urlsplit(url.strip())
        here = is_this_site(parts, request)
    except ValueError:  # a malformed host or port, e.g. "http://[::1/x", "http://host:99999/"
        return _error("That is not a web address.", 404)
    if not here:
        return _error("That address is not on this site.", 404)
    try:
        maxwidth, maxheight = _positive(request, "maxwidth"), _positive(request, "maxheight")
        as_of = parse_day(dict(parse_qsl(parts.query)).get("as_of"))
    except (ValueError, BadDate) as error:
        return _error(str(error), 400)
    # Each address and day is a card laid out anew: computed, so counted as any page is (COMPUTED_RATE).
    refused = over_allowance(request, json_errors=True, error_key="error")  # as every oEmbed error says it
    if refused is not None:
        return refused
    # A Spanish page (/es/...) gets the Spanish card: resolve and reverse in the address's own language.
    with translation.override(translation.get_language_from_path(parts.path or "/") or settings.LANGUAGE_CODE):
        return _oembed_answer(request, parts.path or "/", as_of, maxwidth, maxheight)


def _oembed_answer(request, path, as_of, maxwidth, maxheight):
    try:
        card_name, kwargs = card_for(path)
    except Http404 as error:
        return _error(str(error), 404)
    snapshot = reading.current()
    if "fips" in kwargs:
        unit = snapshot.units.get(kwargs["fips"])
        if unit is None:
            return _error("No jurisdiction has this FIPS code.", 404)
        title = gettext("Secure Communities in %(name)s, %(state)s") % {"name": unit.name, "state": unit.state_id}
    else:
        postal = kwargs["postal"]
        state = snapshot.states.get(postal.upper()) if postal.isascii() else None
        if state is None:
            return _error("No state has this postal code.", 404)
        kwargs = {"postal": state.postal}
        title = gettext("Secure Communities in %(name)s") % {"name": state.name}
    card_path = reverse(card_name, kwargs=kwargs) + (f"?{urlencode({'as_of': f'{as_of:%Y-%m-%d}'})}" if as_of else "")
    # The spec says maxwidth and maxheight must be respected: a frame smaller than the card scrolls.
    width = min(EMBED_WIDTH, maxwidth) if maxwidth else EMBED_WIDTH
    needed = frame_height(request, card_path)
    height = min(needed, maxheight) if maxheight else needed
    answer = {
        "version": "1.0",
        "type": "rich",
        "title": title,
        "provider_name": "Secure Communities tracker",
        "provider_url": request.build_absolute_uri(reverse("home")),
        "cache_age": 3600,
        "html": embed_code(request, card_path, title, width=width, height=height),
        "width": width,
        "height": height,
    }
    response = JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _error(message: str, status: int) -> HttpResponse:
    return HttpResponse(json.dumps({"error": message}), status=status, content_type="application/json; charset=utf-8")
