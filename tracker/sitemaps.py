"""`/sitemap.xml` (django.contrib.sitemaps): the site's pages, every state and every jurisdiction, from the
read-model snapshot (no query beyond the data version)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from tracker import readmodel


class PagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "home",
            "jurisdictions:jurisdiction_list",
            "jurisdictions:state_list",
            "agreements:agreement_list",
            "about",
            "downloads",
            "api:index",
            "corrections:log",
            "releases:release_list",
        ]

    def location(self, name):
        return reverse(name)


class StatesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return list(readmodel.current().states.values())


class JurisdictionsSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return sorted(readmodel.current().units.values(), key=lambda unit: unit.fips)


class ReleasesSitemap(Sitemap):
    """Each release's permanent page (one query: they are not in the read model)."""

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
