"""`/robots.txt`: where the sitemap is, and what crawlers should leave alone.

Kept out: the admin; the API's downloads (`?format=csv|ndjson|geojson`: every row of a list, per filter, per day:
a crawler could ask for millions of distinct files); the `?as_of=` and `?release=` variants of every page and
answer (each page for each of thousands of days, and each release, say what the page's own address and the
releases' list already link: the canonical address drops them); a release's files (downloads, listed on the
release's page); and the files for analysis (`/downloads/scomm.xlsx` and the like, built per day). The API's JSON
stays open to crawlers: its docs page lives at `/api/v1/`. A download chosen by `Accept: text/csv` alone cannot be
named in robots.txt; crawlers ask for HTML.
"""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

DISALLOWED = (
    "/admin/",
    "/*format=csv",
    "/*format=ndjson",
    "/*format=geojson",
    "/*as_of=",
    "/*release=",
    "/releases/r*/*.",
    "/downloads/*.",
    "/es/releases/r*/*.",
)


@require_safe
@cache_control(public=True, max_age=86400)
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("django.contrib.sitemaps.views.sitemap"))
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
