"""`/sitemap.xml` (django.contrib.sitemaps): the site's pages, every state and every jurisdiction, from the
read-model snapshot (no query beyond the data version). Each page is listed in English and in Spanish (/es/), with
both as alternates and English as the default."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from common import reading


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
