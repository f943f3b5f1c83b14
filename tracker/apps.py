from django.apps import AppConfig


class TrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracker"
    verbose_name = "Tracker"

    def ready(self):
        # The project wires the layers: the read model (readmodel/) builds the snapshot, the releases (a layer
        # above it) add the newest release for the Cite box, and everything below reaches the result through
        # common/reading.py without importing either.
        from common import reading
        from readmodel import snapshot
        from releases import store
        from tracker import checks  # noqa: F401 (registers the deploy checks)

        def build(version):
            built = snapshot.build(version)
            built.latest_release, built.latest_release_version = store.latest()
            return built

        reading.register(build)
