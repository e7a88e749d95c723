"""The demo's tenants: a valid identity, their checklist and a feed that passes its test."""

from django.core.management import call_command
from django.utils import timezone

from core.identifiers import clean_iban, clean_ics, clean_siret, clean_vat_number
from tenants.models import FeedAccess, StepStatus, Tenant, TenantStatus
from tenants.platform.services import feed_access_test


def test_seed_demo_gives_identities_checklists_feeds_and_a_tenant_halfway(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for schema in ("acme", "nova"):
        tenant = Tenant.objects.get(schema_name=schema)
        assert (
            clean_siret(tenant.siret) == tenant.siret
            and clean_vat_number(tenant.vat_number) == tenant.vat_number
        )
        assert clean_iban(tenant.creditor_iban) == tenant.creditor_iban
        assert clean_ics(tenant.sepa_creditor_id) == tenant.sepa_creditor_id
        assert tenant.status == TenantStatus.ACTIVE
        assert not tenant.onboarding_steps.exclude(status=StepStatus.DONE).exists()
        assert FeedAccess.objects.get(tenant=tenant).protocol == "local"
        assert feed_access_test(tenant=tenant, by=None, now=timezone.now())["ok"]
    zenith = Tenant.objects.get(schema_name="zenith")
    steps = list(zenith.onboarding_steps.all())
    done = [step for step in steps if step.is_done]
    late = [step for step in steps if step.is_late_on(timezone.localdate())]
    assert zenith.status == TenantStatus.ONBOARDING and zenith.kind == "vno"
    assert len(steps) == 18 and len(done) == 9 and len(late) == 1
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert zenith.onboarding_steps.filter(status=StepStatus.DONE).count() == 9
    assert Tenant.objects.filter(schema_name="zenith").count() == 1
