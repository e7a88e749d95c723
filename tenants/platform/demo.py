"""The tenants' part of the demo: the platform, the demo tenants with their identity, checklist
and feed folder, and Zenith, a VNO halfway through its onboarding. `ism/demo.py` (the project's
`seed_demo`) calls these seeders, with the other apps' ones, in order.

Everything here is idempotent: running it twice changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from tenants.models import (
    Domain,
    DomainStatus,
    FeedAccess,
    OnboardingStep,
    StepStatus,
    Tenant,
    TenantKind,
    TenantStatus,
)
from tenants.platform.feed_access import expected_folders
from tenants.platform.services import onboarding_checklist_ensure, platform_ensure, tenant_create

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
DEMO_ONBOARDING_START = date(2026, 1, 5)


def seed_platform_tenant() -> None:
    """The row of the platform itself (public schema, its domain)."""
    platform_ensure()


def seed_demo_tenant(demo: DemoTenant, *, log: Callable[[str], None]) -> Tenant:
    """The demo tenant (created active the first time) and its primary domain."""
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
    Domain.objects.get_or_create(
        domain=demo.domain, defaults={"tenant": tenant, "is_primary": True, "status": DomainStatus.ACTIVE}
    )
    return tenant


def seed_onboarding_done(tenant: Tenant) -> None:
    """A demo tenant that went live: identity, every checklist step done, a local-folder feed."""
    _seed_onboarding(tenant, complete=True, start=DEMO_ONBOARDING_START)


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


def seed_zenith(*, log: Callable[[str], None]) -> None:
    """A VNO halfway through its onboarding: about half the steps done, the next one late."""
    # Started 62 days ago: 9 steps done, the 10th (two weeks of configuration) 5 days late.
    start = timezone.localdate() - timedelta(days=62)
    tenant = Tenant.objects.filter(schema_name=ZENITH["schema_name"]).first()
    if tenant is None:
        log(f"Creating tenant {ZENITH['name']} (schema {ZENITH['schema_name']})…")
        tenant = tenant_create(by=None, today=start, **ZENITH)
    _seed_onboarding(tenant, complete=False, start=start, done_steps=9)
