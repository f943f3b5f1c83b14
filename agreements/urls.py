from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("agreements/", views.agreement_list, name="agreement_list"),
]
