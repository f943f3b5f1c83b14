from django.contrib import admin
from django.urls import include, path

from tracker.health import healthz

urlpatterns = [
    path("", include("jurisdictions.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
