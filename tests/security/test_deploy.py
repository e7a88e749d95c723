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


def test_gunicorn_serves_with_the_project_settings_and_queues_in_the_kernel():
    """The web process's settings (gunicorn.conf.py, used by the Dockerfile and `make demo`): a
    worker takes no more connections than it has threads, so waiting requests go first come first
    served to the first free worker (docs/benchmarks.md, issue 14)."""
    root = settings.BASE_DIR
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    printed = subprocess.run(
        [gunicorn, "ism.wsgi", "--config", "gunicorn.conf.py", "--print-config"],
        cwd=root,
        env={k: v for k, v in os.environ.items() if not k.startswith("ISM_WEB_")},  # the defaults
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    config = {
        k.strip(): v.strip() for k, _s, v in (line.partition(" = ") for line in printed.splitlines()) if _s
    }
    assert config["worker_class"] == "gthread"  # a long export is not killed at the timeout
    assert config["threads"] == config["worker_connections"] == "1"
    assert config["workers"] == str(2 * os.cpu_count() + 1)
    assert config["keepalive"] == "0"
    dockerfile = (root / "Dockerfile").read_text()
    assert '"--config", "gunicorn.conf.py"' in dockerfile
    assert "--config" in (root / "scripts" / "demo.py").read_text()
