"""WSGI entry point (gunicorn tracker.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

django_application = get_wsgi_application()

# Imported once Django is set up (it reads the models): repeat public requests are answered from stored copies
# before Django's request handling (tracker/fast_path.py).
from tracker.fast_path import FastPathApp  # noqa: E402

application = FastPathApp(django_application)
