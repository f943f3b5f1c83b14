from django.apps import AppConfig


class TrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracker"
    verbose_name = "Tracker"

    def ready(self):
        # The read model is built by project code (it reads both apps); the apps reach it through the helper.
        from tracker import checks, readmodel, snapshot  # noqa: F401 (checks: registers the deploy checks)

        readmodel.register(snapshot.build)
