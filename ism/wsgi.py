"""WSGI entry point (gunicorn ism.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ism.settings")
application = get_wsgi_application()
