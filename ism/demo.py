"""The demo: a platform, two tenants and their staff, and Zenith halfway through its onboarding.

This is the project's orchestration: it knows every app and calls their seeders in app order.
The tenants' own data (platform, demo tenants, identities, checklists, Zenith, branding) is in
tenants/; every other app adds its data from its `demo.py` (functions `seed_platform()` and
`seed_tenant(tenant)`).

Everything here is idempotent: running it twice changes nothing.
"""

import importlib
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django_tenants.utils import schema_context, tenant_context

from accounts.models import Role, User
from tenants.models import Tenant
from tenants.platform.demo import (
    DEMO_PASSWORD,
    DEMO_TENANTS,
    seed_demo_tenant,
    seed_onboarding_done,
    seed_platform_tenant,
    seed_zenith,
)
from tenants.settings.demo import seed_branding

DEMO_OPERATOR = ("operator", Role.PLATFORM_ADMIN, "Olivier", "Roux")
DEMO_STAFF = [
    ("admin", Role.ADMIN, "Claire", "Martin"),
    ("sales", Role.SALES, "Julien", "Bernard"),
    ("support", Role.SUPPORT, "Sophie", "Petit"),
    ("accountant", Role.ACCOUNTANT, "Marc", "Durand"),
]


def _ensure_user(username: str, role: str, first: str, last: str, email: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": role, "first_name": first, "last_name": last, "email": email}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _app_seeders(function: str) -> list[Callable[..., Any]]:
    """`<app>.demo.<function>` of every installed app that has one, in app order."""
    seeders = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        if hasattr(module, function):
            seeders.append(getattr(module, function))
    return seeders


def seed_demo(*, log: Callable[[str], None] = print) -> list[Tenant]:
    """Create (or complete) the demo; return the two demo tenants."""
    seed_platform_tenant()
    with schema_context("public"):
        username, role, first, last = DEMO_OPERATOR
        _ensure_user(username, role, first, last, "operator@ism.localhost")
        for seeder in _app_seeders("seed_platform"):
            seeder()
    tenants = []
    for demo in DEMO_TENANTS:
        tenant = seed_demo_tenant(demo, log=log)
        with tenant_context(tenant):
            for username, role, first, last in DEMO_STAFF:
                _ensure_user(username, role, first, last, f"{username}@{demo.domain.split('.')[0]}.example")
            seed_branding(tenant)
            for seeder in _app_seeders("seed_tenant"):
                seeder(tenant)
        seed_onboarding_done(tenant)
        tenants.append(tenant)
    seed_zenith(log=log)
    return tenants


def demo_logins() -> list[tuple[str, str, Any]]:
    """(site, login, role) for the README and the demo's banner."""
    rows: list[tuple[str, str, Any]] = [(settings.PUBLIC_DOMAIN, DEMO_OPERATOR[0], "platform admin")]
    for demo in DEMO_TENANTS:
        rows += [(demo.domain, username, role.label) for username, role, _f, _l in DEMO_STAFF]
        rows.append((f"{demo.domain}/portal/", "C000001", "end customer"))
    return rows
