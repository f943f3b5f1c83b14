from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog

from jurisdictions import embeds
from jurisdictions import views as jurisdiction_views
from tracker import analysis, feeds, pages, views
from tracker.api import docs as api_docs
from tracker.health import healthz
from tracker.robots import robots_txt
from tracker.sitemaps import sitemap

# The public pages, in English at their published paths and in Spanish under /es/ (the prefix alone sets the
# language: common/middleware.py LocaleMiddleware). The API, the admin, the health check, the sitemap and the
# county outlines (no text) have one address each.
urlpatterns = [
    path("map/counties-wgs84.json", views.counties_wgs84, name="counties_wgs84"),
    path("api/v1/", include("tracker.api_urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("oembed", embeds.oembed, name="oembed"),
    # A source's archived document, one address in every language (jurisdictions/views.py: safe headers).
    path("sources/<int:pk>/document", jurisdiction_views.source_document, name="source_document"),
    # The files for analysis of any day or release (no language: the data and its descriptions are in English).
    re_path(rf"^downloads/(?P<name>{analysis.NAMES})$", analysis.analysis_file, name="analysis_file"),
    path("sitemap.xml", sitemap, name="django.contrib.sitemaps.views.sitemap"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("search/suggest", views.search_suggest, name="search_suggest"),
    # The JavaScript's translations (map.js, search.js), an external script as the CSP requires.
    path(
        "jsi18n/",
        cache_control(public=True, max_age=3600)(JavaScriptCatalog.as_view(packages=["tracker"])),
        name="javascript-catalog",
    ),
    # Pictures to share: the og:image of a county's and a state's page, and the rollout (tracker/pictures.py).
    path("jurisdictions/<str:fips>/card.png", views.jurisdiction_picture, name="jurisdiction_picture"),
    path("states/<str:postal>/card.png", views.state_picture, name="state_picture"),
    path("downloads/rollout.png", views.rollout_png, name="rollout_png"),
    path("downloads/rollout.gif", views.rollout_gif, name="rollout_gif"),
    path("", include("jurisdictions.urls")),
    path("", include("agreements.urls")),
    path("", include("corrections.urls")),
    path("", include("releases.urls")),
    path("about/", pages.about, name="about"),
    path("downloads/", pages.downloads, name="downloads"),
    # Atom feeds for feed readers (tracker/feeds.py), in each language.
    path("feeds/changes/", feeds.ChangesFeed(), name="feed_changes"),
    path("feeds/changes/<str:postal>/", feeds.ChangesFeed(), name="feed_state_changes"),
    path("feeds/corrections/", feeds.CorrectionsFeed(), name="feed_corrections"),
    # The API's human docs page in Spanish at /es/api/v1/; in English the API's own /api/v1/ (above) answers first.
    path("api/v1/", api_docs.api_index, name="api_docs"),
    prefix_default_language=False,
)

handler400 = "tracker.errors.bad_request"
