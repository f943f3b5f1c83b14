"""`manage.py check --deploy`: the releases' settings a production site must set."""

from django.conf import settings
from django.core import checks
from django.http.request import split_domain_port, validate_host

# tracker/settings.py's default: right for a laptop, wrong in every file a public site publishes.
DEFAULT_SITE_URL = "http://localhost:8000"


@checks.register("releases", deploy=True)
def site_url_is_set(app_configs, **kwargs):
    if settings.SITE_URL != DEFAULT_SITE_URL:
        return []
    return [
        checks.Warning(
            f"SITE_URL is the local default, {DEFAULT_SITE_URL}: the links inside every release published from "
            "here would point there, for good (a release never changes).",
            hint="Set SITE_URL to the site's public address, e.g. SITE_URL=https://scomm.example.org.",
            id="releases.W001",
        )
    ]


@checks.register("releases", deploy=True)
def site_url_is_an_allowed_host(app_configs, **kwargs):
    domain, _port = split_domain_port(settings.SITE_URL.split("://", 1)[-1])
    if validate_host(domain, settings.ALLOWED_HOSTS):
        return []
    return [
        checks.Warning(
            f"SITE_URL ({settings.SITE_URL}) names a host that ALLOWED_HOSTS does not list: publishing a release "
            "would fail, as its files' links are written for that host.",
            hint="Make SITE_URL the site's public address, and list its host in ALLOWED_HOSTS.",
            id="releases.W002",
        )
    ]
