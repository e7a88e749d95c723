"""Issue 10, onboarding: automatic steps computed from the tenant's data (identity, logo and
banner, feed access tested green, contacts) hold go-live back; the override asks for its reason,
then a confirmation."""

import datetime

import pytest

from audit.models import AuditEvent
from core.errors import ApplicationError
from tenants.models import FeedAccess, StepStatus, TenantBranding, TenantStatus
from tenants.platform.selectors import automatic_steps
from tenants.platform.services import onboarding_checklist_ensure, onboarding_step_update

TODAY = datetime.date(2026, 2, 2)


def make_ready(tenant):
    """Give a tenant everything the automatic steps check."""
    for name, value in {
        "legal_name": "Acme Télécom SAS",
        "address_line1": "1 rue de la Paix",
        "postal_code": "75002",
        "city": "Paris",
        "siret": "73282932000074",
        "vat_number": "FR44732829320",
        "technical_contact_name": "Tess Tech",
        "technical_email": "tech@acme.example",
        "accounting_email": "compta@acme.example",
    }.items():
        setattr(tenant, name, value)
    tenant.save()
    TenantBranding.objects.update_or_create(tenant=tenant, defaults={"logo": b"png", "banner": b"png"})
    FeedAccess.objects.update_or_create(
        tenant=tenant,
        defaults={
            "protocol": "local",
            "root_path": "/tmp",
            "last_test_at": datetime.datetime(2026, 2, 1, 9, tzinfo=datetime.UTC),
            "last_test_ok": True,
        },
    )


@pytest.fixture
def onboarding_acme(acme):
    acme.status = TenantStatus.ONBOARDING
    acme.legal_name = acme.technical_contact_name = acme.technical_email = acme.accounting_email = ""
    acme.save()
    TenantBranding.objects.filter(tenant=acme).delete()
    FeedAccess.objects.filter(tenant=acme).delete()
    onboarding_checklist_ensure(tenant=acme, start=datetime.date(2026, 1, 5))
    return acme


def _all_hand_steps_done(tenant, operator):
    for step in tenant.onboarding_steps.exclude(code="go_live"):
        onboarding_step_update(step=step, by=operator, today=TODAY, status=StepStatus.DONE)


def test_automatic_steps_say_what_is_missing_and_turn_green_with_the_data(onboarding_acme):
    red = {check.code: check.missing for check in automatic_steps(tenant=onboarding_acme)}
    assert "raison sociale" in red["auto_identity"]
    assert red["auto_branding"] == ["logo", "bandeau de bas de page"]
    assert red["auto_feed"] == ["aucun accès aux dépôts"]
    assert "contact technique" in red["auto_contacts"] and len(red["auto_contacts"]) == 3
    FeedAccess.objects.create(tenant=onboarding_acme, protocol="local", root_path="/tmp")
    feed = next(c for c in automatic_steps(tenant=onboarding_acme) if c.code == "auto_feed")
    assert feed.missing == ["connexion jamais testée"]
    FeedAccess.objects.filter(tenant=onboarding_acme).update(
        last_test_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC), last_test_ok=False
    )
    feed = next(c for c in automatic_steps(tenant=onboarding_acme) if c.code == "auto_feed")
    assert feed.missing == ["dernier test de connexion en échec"]
    make_ready(onboarding_acme)
    assert all(check.ok for check in automatic_steps(tenant=onboarding_acme))


def test_go_live_is_refused_while_an_automatic_step_is_red_even_with_every_step_ticked(
    onboarding_acme, operator
):
    _all_hand_steps_done(onboarding_acme, operator)
    go_live = onboarding_acme.onboarding_steps.get(code="go_live")
    with pytest.raises(ApplicationError) as blocked:
        onboarding_step_update(step=go_live, by=operator, today=TODAY, status=StepStatus.DONE)
    assert "Logo et bandeau" in blocked.value.message and "contact technique" in blocked.value.message
    onboarding_acme.refresh_from_db()
    assert onboarding_acme.status == TenantStatus.ONBOARDING
    make_ready(onboarding_acme)
    onboarding_step_update(step=go_live, by=operator, today=TODAY, status=StepStatus.DONE)
    onboarding_acme.refresh_from_db()
    assert onboarding_acme.status == TenantStatus.ACTIVE


def test_the_checklist_page_shows_automatic_steps_that_cannot_be_ticked(onboarding_acme, operator_client):
    body = operator_client.get(f"/tenants/{onboarding_acme.pk}/").content.decode()
    assert 'data-testid="automatic-steps"' in body
    assert 'data-step="auto_branding" data-ok="0"' in body and "bandeau de bas de page" in body
    assert "0 sur 17" in body or "0 of 17" in body or "sur 17" in body
    assert "/steps/" not in body.split('data-testid="automatic-steps"')[1].split("</table>")[0]


def test_the_override_asks_for_the_reason_then_a_confirmation_and_audits_what_was_red(
    onboarding_acme, operator, operator_client
):
    url = f"/tenants/{onboarding_acme.pk}/activate/"
    first = operator_client.post(url, {"reason": "Kbis reçu par courrier, logo la semaine prochaine"})
    body = first.content.decode()
    assert first.status_code == 200 and 'data-testid="override-confirm"' in body
    assert 'name="confirmed"' in body and "Logo et bandeau de bas de page présents" in body
    onboarding_acme.refresh_from_db()
    assert onboarding_acme.status == TenantStatus.ONBOARDING
    confirmed = operator_client.post(
        url, {"reason": "Kbis reçu par courrier, logo la semaine prochaine", "confirmed": "on"}
    )
    assert confirmed.status_code == 302
    onboarding_acme.refresh_from_db()
    assert onboarding_acme.status == TenantStatus.ACTIVE
    event = AuditEvent.objects.get(action="tenant.onboarding_overridden", object_id=str(onboarding_acme.pk))
    assert set(event.changes["failing_checks"]) == {
        "auto_identity",
        "auto_branding",
        "auto_feed",
        "auto_contacts",
    }


def test_the_override_without_a_reason_asks_for_one_first(onboarding_acme, operator_client):
    response = operator_client.post(f"/tenants/{onboarding_acme.pk}/activate/", {"reason": ""}, follow=True)
    assert 'data-testid="override-confirm"' not in response.content.decode()
    onboarding_acme.refresh_from_db()
    assert onboarding_acme.status == TenantStatus.ONBOARDING
