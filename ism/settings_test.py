"""Settings for the test suite: the production settings with fast hashing, plain static files
and tasks run in-process unless a test starts a real worker.

With no DATABASE_URL and no PostgreSQL on localhost:5432, the tests use an embedded PostgreSQL.
"""

import os

from ism.local_services import embedded_postgres, postgres_reachable
from ism.settings import *  # noqa: F403
from ism.settings import DATABASES, STATE_DIR, STORAGES

if not os.environ.get("DATABASE_URL") and not postgres_reachable():
    import environ

    DATABASES = {"default": environ.Env.db_url_config(embedded_postgres(STATE_DIR / "pgtest", "ism"))}
    DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = STATE_DIR / "test-media"
