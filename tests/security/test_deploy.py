"""The production settings pass Django's deployment checklist, and cookies stay on their host."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "ISM_HTTPS": "1",
    "ISM_HSTS_SECONDS": "31536000",
    "ISM_SSL_REDIRECT": "1",
    "SECRET_KEY": secrets.token_urlsafe(64),
}


def _environment() -> dict[str, str]:
    # The test run's own switches (test settings, Playwright's async allowance) are not production's.
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "ism.settings"
    return env


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**_environment(), **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_session_and_csrf_cookies_are_bound_to_their_own_host():
    # A cookie for a parent domain would travel to every tenant's sub-domain.
    assert settings.SESSION_COOKIE_DOMAIN is None and settings.CSRF_COOKIE_DOMAIN is None
