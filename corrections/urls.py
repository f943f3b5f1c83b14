from django.urls import path

from corrections import views

app_name = "corrections"

urlpatterns = [
    path("corrections/", views.log, name="log"),
    # common/middleware.py's RefuseBodiesMiddleware lets a body through to this one public address only.
    path("corrections/report/", views.report, name="report"),
    path("corrections/report/thanks/", views.thanks, name="thanks"),
]
