"""URLs of the public API v1 (mounted at /api/v1/). Paths and field names are a published contract."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from agreements.api import AgreementViewSet, EventViewSet
from jurisdictions.api import JurisdictionViewSet, SourceViewSet, StateViewSet
from releases.api import ReleaseViewSet
from tracker.api import changes, docs, stats

app_name = "api"

router = SimpleRouter()
router.register("jurisdictions", JurisdictionViewSet, basename="jurisdiction")
router.register("states", StateViewSet, basename="state")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("sources", SourceViewSet, basename="source")
router.register("events", EventViewSet, basename="event")
router.register("releases", ReleaseViewSet, basename="release")

urlpatterns = [
    path("", docs.api_index, name="index"),
    path("stats/", stats.StatsView.as_view(), name="stats"),
    path("changes/", changes.ChangesView.as_view(), name="changes"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("", include(router.urls)),
]
