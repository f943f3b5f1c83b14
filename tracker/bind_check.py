"""A server told to trust a proxy must not be reachable except through it.

With `TRUSTED_PROXY_COUNT` of 1 or more the app takes the client's address from `X-Forwarded-For`
(common/client_address.py): anyone who reaches gunicorn directly writes that header, and so picks their own
address for the login lockout and every rate limit. So gunicorn refuses to start bound to anything but loopback
or a Unix socket in that case (gunicorn.conf.py `on_starting`), unless the operator says the port is firewalled
off: `ALLOW_PUBLIC_BIND=1`. `manage.py check --deploy` flags the same combination (tracker.W001, tracker/checks.py).

Imports nothing of Django's or the project's: gunicorn.conf.py reads it before the settings exist.
"""

import ipaddress

ALLOW_VARIABLE = "ALLOW_PUBLIC_BIND"


def _host(bind: str) -> str:
    if bind.startswith("["):
        return bind[1 : bind.index("]")]
    return bind.rsplit(":", 1)[0] if bind.count(":") == 1 else bind


def public_binds(binds) -> list[str]:
    """The addresses in gunicorn's `bind` list that other machines could reach: any but loopback, a Unix socket
    or an inherited descriptor (a name other than localhost counts as reachable: it may resolve to anything)."""
    found = []
    for bind in binds:
        if bind.startswith(("unix:", "fd://")):
            continue
        host = _host(bind)
        if host == "localhost":
            continue
        try:
            if ipaddress.ip_address(host).is_loopback:
                continue
        except ValueError:
            pass
        found.append(bind)
    return found


def refusal(binds, *, proxy_count: int, allowed: bool) -> str | None:
    """Why the server must not start with these binds, or None."""
    reachable = public_binds(binds)
    if proxy_count < 1 or allowed or not reachable:
        return None
    return (
        f"TRUSTED_PROXY_COUNT={proxy_count} trusts X-Forwarded-For, but the server would listen on "
        f"{', '.join(reachable)}, where clients could reach it without the proxy and write that header "
        f"themselves. Bind to loopback (BIND_HOST=127.0.0.1), or, if only the proxy can reach this address "
        f"(a firewall, a private network), say so with {ALLOW_VARIABLE}=1."
    )
