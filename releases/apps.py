from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "releases"
    verbose_name = "Releases"

    def ready(self):
        # `?release=rN` on every page and API answer: the read model finds a release's row and builds its snapshot
        # from its files through these (common/reading.py imports no app code).
        from common import reading
        from releases import store

        reading.register_releases(store.find, store.load)
