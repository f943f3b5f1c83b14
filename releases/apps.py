from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "releases"
    verbose_name = "Releases"

    def ready(self):
        # `?release=rN` on every page and API answer: the read model finds a release's row and builds its snapshot
        # from its stored data.json through these (common/reading.py imports no app code).
        from common import reading
        from releases import checks, store  # noqa: F401 - checks registers the deploy checks

        reading.register_releases(store.find, store.load)
