from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.cache import cache_control

from tracker import pages, views
from tracker.health import healthz
from tracker.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    path("search/suggest", views.search_suggest, name="search_suggest"),
    path("map/counties-wgs84.json", views.counties_wgs84, name="counties_wgs84"),
    path("", include("jurisdictions.urls")),
    path("", include("agreements.urls")),
    path("", include("corrections.urls")),
    path("", include("releases.urls")),
    path("about/", pages.about, name="about"),
    path("downloads/", pages.downloads, name="downloads"),
    path("api/v1/", include("tracker.api_urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path(
        "sitemap.xml",
        cache_control(public=True, max_age=3600)(sitemap),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]
