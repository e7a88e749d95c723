"""Settings of the ISM, read from the environment (see `.env.example`)."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = BASE_DIR / ".ism"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[".localhost", "127.0.0.1", "testserver"])

# --- Apps -----------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_htmx",
]
# Apps whose tables live in every schema: users, their tokens, the audit trail and jobs exist
# once for the platform admins (public) and once per tenant.
PER_SCHEMA_APPS = ["audit", "accounts", "jobs"]
# Business apps: only in tenant schemas, in dependency order (each may import the ones before).
TENANT_BUSINESS_APPS = ["customers", "offers", "provisioning", "cdr_import", "billing", "reports"]

SHARED_APPS = ["django_tenants", "core", "ism", "tenants", *DJANGO_APPS, *THIRD_PARTY_APPS, *PER_SCHEMA_APPS]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework.authtoken",
    "axes",
    *PER_SCHEMA_APPS,
    *TENANT_BUSINESS_APPS,
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_DOMAIN = env("ISM_PUBLIC_DOMAIN", default="admin.localhost")
# Links in e-mails are built from a site's primary domain with this scheme and port (tenants.links),
# never from the request's Host header. The port is for a local run (the demo's 8000); empty otherwise.
ISM_SCHEME = env("ISM_SCHEME", default="http" if DEBUG else "https")
ISM_PUBLIC_PORT = env("ISM_PUBLIC_PORT", default="")
ROOT_URLCONF = "ism.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "ism.urls_public"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# Set the search_path once per connection and schema change, not before every query.
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    "ism.middleware.ContentSecurityPolicyMiddleware",
    "tenants.middleware.ApprovedDomainTenantMiddleware",  # django-tenants', active domains only
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "ism.middleware.RejectNullCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ism.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tenants.middleware.SuspendedTenantMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.errors.ApplicationErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ism.context_processors.shell",
                "tenants.settings.context_processors.branding",
            ],
        },
    },
]
WSGI_APPLICATION = "ism.wsgi.application"

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/ism")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a kept connection is checked before reuse
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and authentication ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# django-axes: lock a username (from one address) after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# --- Security -------------------------------------------------------------------------------
SECURE_COOKIES = env.bool("ISM_SECURE_COOKIES", default=not DEBUG and env.bool("ISM_HTTPS", default=False))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_NAME = "ism_session"
CSRF_COOKIE_NAME = "ism_csrftoken"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy of every response (ism.middleware.ContentSecurityPolicyMiddleware):
# scripts and styles come only from our own files, never inline (docs/security.md). Empty: none.
ISM_CSP = env(
    "ISM_CSP",
    default="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'",
)
SECURE_SSL_REDIRECT = env.bool("ISM_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("ISM_HSTS_SECONDS", default=0)
# Tenants' sites are sub-domains of the platform's: with HSTS on, they are HTTPS-only too.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("ISM_HSTS_SUBDOMAINS", default=SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env.bool("ISM_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
if env.bool("ISM_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# Secrets a tenant gives us (feed passwords, PUK codes) are encrypted with these Fernet keys;
# the first encrypts, all decrypt (rotation). Empty: a key derived from SECRET_KEY (development).
ISM_ENCRYPTION_KEYS = env.list("ISM_ENCRYPTION_KEYS", default=[])

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("ISM_MEDIA_ROOT", default=str(STATE_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly: files go through views that check access
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("ISM_MANIFEST_STATIC", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------


def email_config(url: str) -> dict[str, object]:
    """The EMAIL_* settings of an e-mail URL.

    `filemail://` is read here rather than by django-environ, which drops the leading slash of
    an absolute path (`filemail:///srv/mail` became the relative `srv/mail`, so the demo's mails
    landed in a copy of that path inside the checkout). A relative path is under BASE_DIR.
    """
    if url.startswith("filemail://"):
        folder = Path(url.removeprefix("filemail://"))
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(folder if folder.is_absolute() else BASE_DIR / folder),
        }
    return dict(env.email_url_config(url))


EMAIL_CONFIG = email_config(env("EMAIL_URL", default="consolemail://"))
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ISM <no-reply@ism.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
# No Redis (the demo without services, some tests): tasks run in the calling process.
CELERY_TASK_ALWAYS_EAGER = env.bool("ISM_TASKS_IN_PROCESS", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(STATE_DIR / "celerybeat-schedule")
# Periodic work: the beat sends `dispatch_to_tenants` from the public schema, which queues the
# named task once in each active tenant's schema.
CELERY_BEAT_SCHEDULE = {
    "tenant-heartbeat": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 60.0,
        "args": ["jobs.tasks.tenant_heartbeat"],
    },
    # The operator's wholesale tables (`Tables tarifaires/`) are taken by the feed poller below
    # ("feed-poll", the folder's daily rhythm): one owner, with its claims and import tracking.
    # The operator link's answers (the simulator's verdicts; actions a failing link left requested
    # are handed over again). The files backend's confirmations come with the AccountStatus feed.
    "operator-outcomes": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 30.0,
        "args": ["provisioning.tasks.poll_operator"],
    },
    # The operator's feed: every 5 minutes, each tenant polls the folders whose rhythm has come
    # (the rhythms are tenant settings), retries failed connections and rechecks growing files.
    "feed-poll": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 300.0,
        "args": ["cdr_import.tasks.feed_poll_due"],
    },
    # Feed imports whose worker died (killed, machine restarted) are taken up again.
    "feed-imports-sweep": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": 300.0,
        "args": ["cdr_import.tasks.imports_sweep"],
    },
    # Line actions the operator has not confirmed in time are flagged for the staff.
    "unconfirmed-line-actions": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": crontab(minute=20),
        "args": ["provisioning.tasks.flag_unconfirmed_actions"],
    },
    # Billing: overdue invoices marked, reminders sent, mandates unused for 36 months expired.
    "billing-daily": {
        "task": "tenants.tasks.dispatch_to_tenants",
        "schedule": crontab(hour=7, minute=30),
        "args": ["billing.tasks.billing_daily"],
    },
}
# Invoice e-mails sent per second by one worker (the mail server's rate limit).
BILLING_MAIL_RATE = env.float("ISM_BILLING_MAIL_RATE", default=10.0)
# Customers whose drafts a billing run builds and commits together (a resumed run skips them).
BILLING_RUN_BATCH = env.int("ISM_BILLING_RUN_BATCH", default=1000)
# How many worker tasks render a run's invoice PDFs together (each takes the next invoice none of
# the others holds): as many as the worker processes that may share the batch.
BILLING_PDF_WORKERS = env.int("ISM_BILLING_PDF_WORKERS", default=2)

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.IsStaffMember"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
    # Throttles (counted in the cache): anonymous callers per address, tokens per user, and a
    # tight `auth` scope on the endpoints that create or revoke tokens.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("ISM_THROTTLE_ANON", default="60/minute"),
        "user": env("ISM_THROTTLE_USER", default="1200/minute"),
        "auth": env("ISM_THROTTLE_AUTH", default="10/minute"),
    },
}
# Log-in and password-recovery pages: (attempts, seconds) per address and per account, and the
# recovery mails one account may receive per hour whatever the address asking.
ISM_AUTH_THROTTLES = {
    "login_ip": (env.int("ISM_LOGIN_ATTEMPTS_PER_IP", default=30), 15 * 60),
    "login_account": (env.int("ISM_LOGIN_ATTEMPTS_PER_ACCOUNT", default=10), 15 * 60),
    "reset_ip": (env.int("ISM_RESET_ATTEMPTS_PER_IP", default=10), 60 * 60),
    "reset_account": (env.int("ISM_RESET_ATTEMPTS_PER_ACCOUNT", default=5), 60 * 60),
    "reset_mail": (env.int("ISM_RESET_MAILS_PER_ACCOUNT", default=3), 60 * 60),
}
# API tokens expire after the tenant's setting; this is its default (and the platform's).
ISM_API_TOKEN_DAYS = env.int("ISM_API_TOKEN_DAYS", default=90)
# The counters above live in the cache: Redis in production (shared by every web process).
CACHES = {"default": env.cache("CACHE_URL", default=REDIS_URL.rsplit("/", 1)[0] + "/2")}
SPECTACULAR_SETTINGS = {
    "TITLE": "ISM API",
    "DESCRIPTION": "The REST API of a tenant's ISM: the same operations as the staff pages. "
    "Authenticate with `Authorization: Token <key>` (a staff user's token, from their profile page).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # The schema is for the site's staff (and their API clients), not for anyone who asks.
    "SERVE_PERMISSIONS": ["accounts.permissions.IsStaffMember"],
    "ENUM_NAME_OVERRIDES": {
        "CustomerKindEnum": "customers.models.CustomerKind",
        "MandateStatusEnum": "customers.models.MandateStatus",
        "CustomerStatusEnum": "customers.models.CustomerStatus",
        "EntryKindEnum": "customers.models.EntryKind",
        "JobStatusEnum": "jobs.models.JobStatus",
        "ProductKindEnum": "offers.models.ProductKind",
        "RateTableKindEnum": "offers.models.RateTableKind",
        "TenantKindEnum": "tenants.choices.TenantKind",
        "TenantStatusEnum": "tenants.models.TenantStatus",
        "StepStatusEnum": "tenants.models.StepStatus",
        "LineStatusEnum": "provisioning.models.LineStatus",
        "FixedNumberStatusEnum": "provisioning.models.FixedNumberStatus",
        "OrderStatusEnum": "provisioning.models.OrderStatus",
        "LineActionKindEnum": "provisioning.models.LineActionKind",
        "LineActionStatusEnum": "provisioning.models.LineActionStatus",
        "BillingRunStatusEnum": "billing.models.RunStatus",
        "InvoiceStatusEnum": "billing.models.InvoiceStatus",
        "PaymentStatusEnum": "billing.models.PaymentStatus",
        "PaymentChannelEnum": "billing.models.PaymentChannel",
        "SepaBatchStatusEnum": "billing.models.SepaBatchStatus",
        "SepaDebitStatusEnum": "billing.models.SepaDebitStatus",
        "EmailStatusEnum": "billing.models.EmailStatus",
        "WhatIfKindEnum": "reports.models.WhatIfKind",
        "FeedTypeEnum": "cdr_import.models.FeedType",
        "TrialFeedTypeEnum": [("rated", "rated"), ("billed", "billed")],
        "SepaVersionEnum": "billing.models.SepaVersion",
    },
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}

# Rate-table uploads (issue #9, docs/rating.md "Uploading a rate table"): what one file may hold.
RATE_TABLE_MAX_ROWS = env.int("ISM_RATE_TABLE_MAX_ROWS", default=200_000)
FEED_MAX_UNPACKED_BYTES = env.int("ISM_FEED_MAX_UNPACKED_BYTES", default=200 * 1000 * 1000)
FEED_MAX_ZIP_RATIO = env.int("ISM_FEED_MAX_ZIP_RATIO", default=100)
# A rate file that unpacks past this size is read by a worker (a job with its progress), never
# by the web request: about 4,000 CSV rows, a second of reading.
RATE_FILE_WORKER_FROM_BYTES = env.int("ISM_RATE_FILE_WORKER_FROM_BYTES", default=256 * 1024)
# At most this many faults are listed on the refusal (all of them in its CSV download).
UPLOAD_ERRORS_SHOWN = 1000
