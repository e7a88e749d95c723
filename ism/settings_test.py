"""Settings for the test suite: the production settings with fast hashing, plain static files
and tasks run in-process unless a test starts a real worker.

With no DATABASE_URL and no PostgreSQL on localhost:5432, the tests use an embedded PostgreSQL.
"""

import hashlib
import os

from ism.local_services import embedded_postgres, postgres_reachable
from ism.settings import *  # noqa: F403
from ism.settings import BASE_DIR, DATABASES, STATE_DIR, STORAGES

if not os.environ.get("DATABASE_URL") and not postgres_reachable():
    import environ

    DATABASES = {"default": environ.Env.db_url_config(embedded_postgres(STATE_DIR / "pgtest", "ism"))}
    DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"

# One test database per checkout (test_ism_<hash of the folder>), so two checkouts on one
# machine (CI's clone, a developer's tree) never drop each other's test database.
DATABASES["default"].setdefault("TEST", {})
DATABASES["default"]["TEST"].setdefault(
    "NAME",
    os.environ.get("ISM_TEST_DATABASE")
    or f"test_{DATABASES['default']['NAME']}_{hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:6]}",  # noqa: S324
)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CELERY_TASK_ALWAYS_EAGER = True
ISM_SCHEME = "http"  # the test sites are plain http://<name>.localhost
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = STATE_DIR / "test-media"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
