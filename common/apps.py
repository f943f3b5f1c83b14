from django.apps import AppConfig
from django.core.signals import request_finished


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Library"

    def ready(self) -> None:
        from common import trim

        request_finished.connect(trim.after_request, dispatch_uid="common.trim")
