from django.contrib import admin
from django.urls import include, path

from tracker import views
from tracker.health import healthz

urlpatterns = [
    path("", views.home, name="home"),
    path("search/suggest", views.search_suggest, name="search_suggest"),
    path("map/counties-wgs84.json", views.counties_wgs84, name="counties_wgs84"),
    path("", include("jurisdictions.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
