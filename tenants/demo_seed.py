"""The demo: a platform, two tenants and their staff. Each app adds its own data from its
`demo.py` (functions `seed_platform()` and `seed_tenant(tenant)`), called in app order.

Everything here is idempotent: running it twice changes nothing.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django_tenants.utils import schema_context, tenant_context

from accounts.models import Role, User
from tenants.models import Domain, Tenant, TenantKind, TenantStatus
from tenants.services import platform_ensure

DEMO_PASSWORD = "demo-ism-2026"


@dataclass(frozen=True)
class DemoTenant:
    schema: str
    name: str
    kind: str
    code: str
    domain: str


DEMO_TENANTS = [
    DemoTenant("acme", "Acme Télécom", TenantKind.INTEGRATOR, "ACME", "acme.localhost"),
    DemoTenant("nova", "Nova Mobile", TenantKind.VNO, "NOVA", "nova.localhost"),
]
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
    platform_ensure()
    with schema_context("public"):
        _ensure_user("operator", Role.PLATFORM_ADMIN, "Olivier", "Roux", "operator@ism.localhost")
        for seeder in _app_seeders("seed_platform"):
            seeder()
    tenants = []
    for demo in DEMO_TENANTS:
        tenant = Tenant.objects.filter(schema_name=demo.schema).first()
        if tenant is None:
            log(f"Creating tenant {demo.name} (schema {demo.schema})…")
            tenant = Tenant(
                schema_name=demo.schema,
                name=demo.name,
                kind=demo.kind,
                operator_code=demo.code,
                status=TenantStatus.ACTIVE,
            )
            tenant.save()
        Domain.objects.get_or_create(domain=demo.domain, defaults={"tenant": tenant, "is_primary": True})
        with tenant_context(tenant):
            for username, role, first, last in DEMO_STAFF:
                _ensure_user(username, role, first, last, f"{username}@{demo.domain.split('.')[0]}.example")
            for seeder in _app_seeders("seed_tenant"):
                seeder(tenant)
        tenants.append(tenant)
    return tenants


def demo_logins() -> list[tuple[str, str, Any]]:
    """(site, login, role) for the README and the demo's banner."""
    rows: list[tuple[str, str, Any]] = [(settings.PUBLIC_DOMAIN, "operator", "platform admin")]
    for demo in DEMO_TENANTS:
        rows += [(demo.domain, username, role.label) for username, role, _f, _l in DEMO_STAFF]
        rows.append((f"{demo.domain}/portal/", "C000001", "end customer"))
    return rows
