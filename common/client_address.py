"""The client's address: one rule for every use of it (admin login lockout, API throttling, logs).

The rule depends on one setting, ``TRUSTED_PROXY_COUNT`` (environment variable of the same name, default 0): how
many proxies *we* run in front of the app, in a chain, each adding to ``X-Forwarded-For``.

- **0** (no proxy: the app faces clients): ``X-Forwarded-For`` is ignored entirely, whatever it says, and the
  client is ``REMOTE_ADDR``, the other end of the connection. Anyone can send the header, so trusting it here
  would let one client pose as many (unlimited login guesses, no API limit) or as someone else.
- **N** (N proxies): the client is the entry **N hops from the right** of ``X-Forwarded-For``, i.e. ``xff[-N]``.
  Each of our proxies appends the address it received the request from (nginx's
  ``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``, most cloud balancers), so for a chain
  client → P1 → … → PN → app the header ends ``…, client, P1, …, P(N-1)``: its rightmost N entries were written
  by our own proxies, and everything left of them came from the client and is ignored. With nginx alone (N = 1)
  the client is the rightmost entry. An outermost proxy that *overwrites* the header with the client's address
  fits the same rule (the header is then ``client, P1, …, P(N-1)``).

When the header holds fewer than N entries, or the chosen entry is not an IP address, the request did not come
through the N proxies as configured (a proxy was bypassed or is misconfigured): nothing in the header can be
trusted, so the client is ``REMOTE_ADDR``. A port written after the address (``1.2.3.4:5678``, ``[::1]:5678``)
is dropped, and addresses are returned in one canonical form (an IPv4-mapped IPv6 address as IPv4), so one
client always gets one lockout bucket and one throttle bucket.

This module imports nothing from the project, so settings, django-axes (``AXES_CLIENT_IP_CALLABLE``), DRF
throttles (``ClientAddressThrottleMixin``) and gunicorn's access log (``gunicorn_logger_class``) can all use it.
"""

import ipaddress
from collections.abc import Mapping


def _canonical(value: str) -> str | None:
    """``value`` as a canonical IP address string, or None when it is not one. Drops a trailing port."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        # "[2001:db8::1]:443": the bracketed form carries a port.
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        # "192.0.2.1:443": an IPv4 address with a port (an IPv6 address has at least two colons).
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def _proxy_count() -> int:
    from django.conf import settings

    return int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)


def client_address(request_or_meta, *, proxy_count: int | None = None) -> str | None:
    """The client's address for a Django or DRF request, or a META / WSGI environ mapping (see module docstring).

    ``proxy_count`` defaults to settings.TRUSTED_PROXY_COUNT (read on each call, so tests can change it). None
    when not even ``REMOTE_ADDR`` is an address (e.g. a Unix socket with no proxy in front).
    """
    meta = request_or_meta if isinstance(request_or_meta, Mapping) else request_or_meta.META
    count = _proxy_count() if proxy_count is None else proxy_count
    peer = _canonical(meta.get("REMOTE_ADDR") or "")
    if count <= 0:
        return peer
    # Several X-Forwarded-For headers reach WSGI joined with commas, in order: one list either way.
    hops = [hop for hop in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if hop.strip()]
    if len(hops) < count:
        return peer
    return _canonical(hops[-count]) or peer


class ClientAddressThrottleMixin:
    """Put first in a DRF throttle's bases so it counts per client address by the rule above.

    DRF's own ``get_ident`` with ``NUM_PROXIES`` (set from the same setting) agrees for every request that came
    through the configured proxies; this also covers a header shorter than the proxy chain or holding garbage.
    """

    def get_ident(self, request):
        return client_address(request) or ""


def gunicorn_logger_class(proxy_count: int):
    """A gunicorn logger class whose access log names the client by the same rule (its ``%(h)s``), for
    gunicorn.conf.py: ``logger_class = gunicorn_logger_class(int(os.environ.get("TRUSTED_PROXY_COUNT") or 0))``.
    gunicorn reads its config before Django's settings exist, hence the explicit count."""
    from gunicorn.glogging import Logger

    class ClientAddressLogger(Logger):
        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            atoms["h"] = client_address(environ, proxy_count=proxy_count) or "-"
            return atoms

    return ClientAddressLogger
