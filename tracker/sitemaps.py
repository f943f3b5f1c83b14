"""`/sitemap.xml` (django.contrib.sitemaps): the site's pages, every state and every jurisdiction, from the
read-model snapshot (no query beyond the data version). Each page is listed in English and in Spanish (/es/), with
both as alternates and English as the default."""

import gzip
from typing import NamedTuple

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.vary import vary_on_headers

from common import reading
from common.compression import compresses


class _BothLanguages(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class PagesSitemap(_BothLanguages):
    changefreq = "weekly"

    def items(self):
        return [
            "home",
            "jurisdictions:jurisdiction_list",
            "jurisdictions:state_list",
            "agreements:agreement_list",
            "about",
            "downloads",
            "api_docs",
            "corrections:log",
            "releases:release_list",
        ]

    def location(self, name):
        return reverse(name)


class StatesSitemap(_BothLanguages):
    changefreq = "weekly"

    def items(self):
        return list(reading.current().states.values())


class JurisdictionsSitemap(_BothLanguages):
    changefreq = "monthly"
    # Both languages of every unit in one file (about 6,300 addresses; a sitemap may hold 50,000): the sitemap
    # view shows only its first page.
    limit = 10000

    def items(self):
        return sorted(reading.current().units.values(), key=lambda unit: unit.fips)


class ReleasesSitemap(_BothLanguages):
    """Each release's permanent page, in both languages (one query: releases are not in the read model)."""

    changefreq = "never"

    def items(self):
        from releases.models import Release

        return list(Release.objects.order_by("number").only("number"))


SITEMAPS = {
    "pages": PagesSitemap,
    "states": StatesSitemap,
    "jurisdictions": JurisdictionsSitemap,
    "releases": ReleasesSitemap,
}


# Site addresses (scheme and host) whose sitemap a data version keeps: one or two in practice (ALLOWED_HOSTS).
SITES_KEPT = 4


@cache_control(public=True, max_age=3600)
@vary_on_headers("Accept-Encoding")
def sitemap(request):
    """`/sitemap.xml`, rendered once per data version and site address (about 6,300 addresses took 0.8 s a
    request), then served from the snapshot's memo with a gzip copy made once beside it: its 2.4 MB took 30 ms
    or more to compress for every client that takes gzip. A new release or edit moves the data version, so a new
    one. Nothing secret is in it, so the copy needs none of the compression middleware's padding."""
    kept = reading.current().memo("sitemap", dict)
    site = request.build_absolute_uri("/")
    found = kept.get(site)
    if found is None:
        response = django_sitemap(request, sitemaps=SITEMAPS)
        response.render()
        found = Kept(
            response.content,
            gzip.compress(response.content, mtime=0),
            response["Content-Type"],
            response.get("X-Robots-Tag"),
        )
        if len(kept) < SITES_KEPT:
            kept[site] = found
    if compresses(request):
        answer = HttpResponse(found.gzipped, content_type=found.content_type)
        answer["Content-Encoding"] = "gzip"
    else:
        answer = HttpResponse(found.content, content_type=found.content_type)
    if found.robots:
        answer["X-Robots-Tag"] = found.robots
    return answer


class Kept(NamedTuple):
    content: bytes
    gzipped: bytes
    content_type: str
    robots: str | None
