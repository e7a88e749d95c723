"""A platform admin suspends a live tenant's site (with a reason) and reopens it."""

from audit.models import AuditEvent
from tenants.models import TenantStatus
from tests.conftest import PASSWORD, in_schema


def test_a_suspended_tenants_site_says_so_everywhere_and_reopens(
    nova, acme, operator, operator_client, make_user, client_for, api_for
):
    staff = make_user(nova, "admin")
    response = operator_client.post(
        f"/tenants/{nova.pk}/suspension/", {"action": "suspend", "reason": "Factures impayées depuis 3 mois"}
    )
    assert response.status_code == 302
    nova.refresh_from_db()
    assert nova.status == TenantStatus.SUSPENDED

    login = client_for(nova).get("/login/")
    assert login.status_code == 503 and "Site suspendu" in login.content.decode()
    assert (
        client_for(nova).post("/login/", {"username": staff.username, "password": PASSWORD}).status_code
        == 503
    )
    assert api_for(nova, staff).get("/api/v1/me/").status_code == 503
    assert client_for(nova).get("/portal/login/").status_code == 503
    # Other tenants and the platform are untouched.
    assert client_for(acme).get("/login/").status_code == 200
    assert operator_client.get(f"/tenants/{nova.pk}/").status_code == 200

    operator_client.post(
        f"/tenants/{nova.pk}/suspension/", {"action": "reactivate", "reason": "Règlement reçu"}
    )
    nova.refresh_from_db()
    assert nova.status == TenantStatus.ACTIVE
    assert client_for(nova).get("/login/").status_code == 200
    with in_schema(nova.__class__.objects.get(schema_name="public")):
        reasons = list(
            AuditEvent.objects.filter(action="tenant.status_changed", object_id=str(nova.pk))
            .order_by("id")
            .values_list("changes__reason", flat=True)
        )
    assert reasons == ["Factures impayées depuis 3 mois", "Règlement reçu"]


def test_suspending_needs_a_reason_and_a_live_tenant(nova, operator_client):
    operator_client.post(f"/tenants/{nova.pk}/suspension/", {"action": "suspend", "reason": ""})
    nova.refresh_from_db()
    assert nova.status == TenantStatus.ACTIVE
    operator_client.post(
        f"/tenants/{nova.pk}/suspension/", {"action": "reactivate", "reason": "pas suspendu"}
    )
    nova.refresh_from_db()
    assert nova.status == TenantStatus.ACTIVE


def test_tenant_staff_cannot_suspend_anything(nova, acme, make_user, client_for):
    admin = make_user(acme, "admin")
    response = client_for(acme, admin).post(
        f"/tenants/{nova.pk}/suspension/", {"action": "suspend", "reason": "tentative malveillante"}
    )
    assert response.status_code == 404
    nova.refresh_from_db()
    assert nova.status == TenantStatus.ACTIVE
