"""Django's JSON serialization format, keeping datetimes to the microsecond.

Django's encoder cuts datetimes to milliseconds, so a backup restored and backed up again would differ wherever
an edit-history timestamp had sub-millisecond digits. Registered as the "json" format (SERIALIZATION_MODULES),
so dumpdata, loaddata, backup and restore all use it.
"""

import datetime

from django.core.serializers import json as django_json
from django.core.serializers.json import DjangoJSONEncoder


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder


Deserializer = django_json.Deserializer
