from django.urls import path, register_converter

from releases import views


class ReleaseNumber:
    """A release number as written after the "r" of its id: 1 to 999999999, no leading zero."""

    regex = "[1-9][0-9]{0,8}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(ReleaseNumber, "release_number")

app_name = "releases"
urlpatterns = [
    path("releases/", views.release_list, name="release_list"),
    path("releases/r<release_number:number>/", views.release_detail, name="release_detail"),
    path("releases/r<release_number:number>/<str:name>", views.release_file, name="release_file"),
]
