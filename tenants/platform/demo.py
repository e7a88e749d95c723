"""The demo: a platform, two tenants and their staff. Each app adds its own data from its
`demo.py` (functions `seed_platform()` and `seed_tenant(tenant)`), called in app order.

Everything here is idempotent: running it twice changes nothing.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from accounts.models import Role, User
from tenants.models import Domain, FeedAccess, OnboardingStep, StepStatus, Tenant, TenantKind, TenantStatus
from tenants.platform.feed_access import expected_folders
from tenants.platform.services import onboarding_checklist_ensure, platform_ensure, tenant_create
from tenants.settings.demo import seed_branding

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
# Realistic French companies; identifiers computed so that their check digits are right.
DEMO_IDENTITIES: dict[str, dict[str, Any]] = {
    "acme": {
        "legal_name": "Acme Télécom SAS",
        "address_line1": "18 rue de la République",
        "postal_code": "69002",
        "city": "Lyon",
        "siren": "812345676",
        "siret": "81234567600017",
        "vat_number": "FR19812345676",
        "share_capital": Decimal("150000.00"),
        "rcs_city": "Lyon",
        "operator_name": "Acme Mobile",
        "accounting_email": "comptabilite@acme.example",
        "technical_email": "technique@acme.example",
        "technical_contact_name": "Paul Girard",
        "invoice_from_email": "factures@acme.example",
        "sepa_creditor_id": "FR04ZZZ501234",
        "creditor_iban": "FR7630004008230001012345669",
        "creditor_bic": "BNPAFRPP",
    },
    "nova": {
        "legal_name": "Nova Mobile SA",
        "address_line1": "5 quai de Bacalan",
        "postal_code": "33300",
        "city": "Bordeaux",
        "siren": "823456785",
        "siret": "82345678500026",
        "vat_number": "FR72823456785",
        "share_capital": Decimal("500000.00"),
        "rcs_city": "Bordeaux",
        "operator_name": "Nova",
        "accounting_email": "compta@nova.example",
        "technical_email": "noc@nova.example",
        "technical_contact_name": "Inès Lambert",
        "invoice_from_email": "facturation@nova.example",
        "sepa_creditor_id": "FR72ZZZ602345",
        "creditor_iban": "FR7610278060400002049160177",
        "creditor_bic": "CMCIFR2A",
    },
}
ZENITH: dict[str, Any] = {
    "name": "Zenith Telecom",
    "schema_name": "zenith",
    "kind": TenantKind.VNO,
    "operator_code": "ZENITH",
    "domain": "zenith.localhost",
    "legal_name": "Zenith Telecom SARL",
    "address_line1": "2 allée des Tilleuls",
    "postal_code": "44000",
    "city": "Nantes",
    "siret": "83456789300013",
    "vat_number": "FR25834567893",
    "share_capital": Decimal("20000.00"),
    "rcs_city": "Nantes",
    "operator_name": "Zenith",
    "accounting_email": "compta@zenith.example",
    "technical_email": "tech@zenith.example",
    "technical_contact_name": "Hugo Fabre",
    "invoice_from_email": "factures@zenith.example",
    "sepa_creditor_id": "FR43ZZZ703456",
    "creditor_iban": "FR7630003036200005001234512",
    "creditor_bic": "SOGEFRPP",
}
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
            seed_branding(tenant)
            for seeder in _app_seeders("seed_tenant"):
                seeder(tenant)
        _seed_onboarding(tenant, complete=True, start=date(2026, 1, 5))
        tenants.append(tenant)
    _seed_zenith(log)
    return tenants


def _seed_onboarding(tenant: Tenant, *, complete: bool, start: date, done_steps: int = 0) -> None:
    """Identity (first time only), checklist and a local-folder feed for a demo tenant."""
    identity = DEMO_IDENTITIES.get(tenant.schema_name)
    if identity and not tenant.legal_name:
        Tenant.objects.filter(pk=tenant.pk).update(**identity)
    if not tenant.onboarding_steps.filter(status=StepStatus.DONE).exists():
        steps = onboarding_checklist_ensure(tenant=tenant, start=start)
        for step in steps[: len(steps) if complete else done_steps]:
            OnboardingStep.objects.filter(pk=step.pk).update(
                status=StepStatus.DONE, done_on=(step.due_date or start) - timedelta(days=1)
            )
    folder = Path(settings.STATE_DIR) / "feeds" / tenant.schema_name
    for name in expected_folders(tenant.kind):
        (folder / name).mkdir(parents=True, exist_ok=True)
    FeedAccess.objects.get_or_create(tenant=tenant, defaults={"protocol": "local", "root_path": str(folder)})


def _seed_zenith(log: Callable[[str], None]) -> None:
    """A VNO halfway through its onboarding: about half the steps done, the next one late."""
    # Started 62 days ago: 9 steps done, the 10th (two weeks of configuration) 5 days late.
    start = timezone.localdate() - timedelta(days=62)
    tenant = Tenant.objects.filter(schema_name=ZENITH["schema_name"]).first()
    if tenant is None:
        log(f"Creating tenant {ZENITH['name']} (schema {ZENITH['schema_name']})…")
        tenant = tenant_create(by=None, today=start, **ZENITH)
    _seed_onboarding(tenant, complete=False, start=start, done_steps=9)


def demo_logins() -> list[tuple[str, str, Any]]:
    """(site, login, role) for the README and the demo's banner."""
    rows: list[tuple[str, str, Any]] = [(settings.PUBLIC_DOMAIN, "operator", "platform admin")]
    for demo in DEMO_TENANTS:
        rows += [(demo.domain, username, role.label) for username, role, _f, _l in DEMO_STAFF]
        rows.append((f"{demo.domain}/portal/", "C000001", "end customer"))
    return rows
