from django.urls import path

from jurisdictions import embeds, views

app_name = "jurisdictions"

urlpatterns = [
    path("jurisdictions/", views.jurisdiction_list, name="jurisdiction_list"),
    path("jurisdictions/<str:fips>/", views.jurisdiction_detail, name="jurisdiction_detail"),
    path("states/", views.state_list, name="state_list"),
    path("states/<str:postal>/", views.state_detail, name="state_detail"),
    path("embed/jurisdictions/<str:fips>/", embeds.jurisdiction_card, name="jurisdiction_card"),
    path("embed/states/<str:postal>/", embeds.state_card, name="state_card"),
]
