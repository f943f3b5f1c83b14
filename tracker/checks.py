"""System checks of the deployment settings (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

from tracker import bind_check


@checks.register(checks.Tags.security, deploy=True)
def trusted_proxy_behind_public_bind(app_configs, **kwargs):
    """tracker.W001: a proxy is trusted while gunicorn listens where clients reach it (tracker/bind_check.py)."""
    message = bind_check.refusal(
        [f"{settings.BIND_HOST}:0"], proxy_count=settings.TRUSTED_PROXY_COUNT, allowed=settings.ALLOW_PUBLIC_BIND
    )
    if message is None:
        return []
    return [checks.Warning(message, hint="See README.md, Client addresses.", id="tracker.W001")]
