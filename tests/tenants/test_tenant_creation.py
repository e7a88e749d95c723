"""Creating a tenant from the platform: identity checked (check digits), checklist, first admin."""

import datetime
import re
import uuid

import pytest
from django.core import mail

from accounts.models import Role, User
from audit.models import AuditEvent
from core.errors import ApplicationError
from tenants.models import Domain, OnboardingStep, Tenant, TenantKind, TenantStatus
from tenants.platform.services import tenant_create, tenant_update_identity
from tests.conftest import in_schema
from tests.tenants.conftest import ONE_DIGIT_WRONG, VALID_IDENTITY


def _new_tenant_fields(**overrides):
    suffix = uuid.uuid4().hex[:6]
    fields = {
        "name": "Zebra Télécom",
        "schema_name": f"zebra_{suffix}",
        "kind": TenantKind.VNO,
        "operator_code": f"ZB{suffix.upper()}",
        "domain": f"zebra{suffix}.localhost",
        "admin_email": "luc@zebra.example",
        **VALID_IDENTITY,
    }
    fields.update(overrides)
    return fields


@pytest.mark.parametrize(("field", "typed", "named"), ONE_DIGIT_WRONG)
def test_one_digit_wrong_identifier_is_refused_by_the_service_with_its_reason(operator, field, typed, named):
    with pytest.raises(ApplicationError) as error:
        tenant_create(by=operator, today=datetime.date(2026, 1, 5), **_new_tenant_fields(**{field: typed}))
    assert error.value.field == field
    assert named in error.value.message and "clé de contrôle" in error.value.message
    assert not Tenant.objects.filter(name="Zebra Télécom").exists()


@pytest.mark.parametrize(("field", "typed", "named"), ONE_DIGIT_WRONG)
def test_one_digit_wrong_identifier_is_shown_on_the_creation_form(operator_client, field, typed, named):
    response = operator_client.post("/tenants/new/", _new_tenant_fields(**{field: typed}))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert named in errors[field][0] and "clé de contrôle" in errors[field][0]
    assert not Tenant.objects.filter(name="Zebra Télécom").exists()


@pytest.mark.parametrize(("field", "typed", "named"), ONE_DIGIT_WRONG)
def test_one_digit_wrong_identifier_is_a_400_in_the_api(operator_api, field, typed, named):
    response = operator_api.post("/api/v1/tenants/", _new_tenant_fields(**{field: typed}), format="json")
    assert response.status_code == 400
    assert response.json()["field"] == field and named in response.json()["detail"]


def test_siret_of_another_siren_and_vat_of_another_company_are_refused(operator):
    with pytest.raises(ApplicationError, match="SIREN"):
        tenant_create(by=operator, today=datetime.date(2026, 1, 5), **_new_tenant_fields(siren="303265045"))
    with pytest.raises(ApplicationError) as error:
        tenant_create(
            by=operator, today=datetime.date(2026, 1, 5), **_new_tenant_fields(vat_number="FR40303265045")
        )
    assert error.value.field == "vat_number"


def test_bic_of_another_country_than_the_iban_is_refused(operator):
    with pytest.raises(ApplicationError) as error:
        tenant_create(
            by=operator, today=datetime.date(2026, 1, 5), **_new_tenant_fields(creditor_bic="DEUTDEFF")
        )
    assert error.value.field == "creditor_bic"


def test_platform_admin_creates_a_tenant_whose_admin_is_invited_on_its_domain(
    operator_client, django_capture_on_commit_callbacks
):
    fields = _new_tenant_fields()
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post("/tenants/new/", fields)
    assert response.status_code == 302, response.context["form"].errors
    tenant = Tenant.objects.get(schema_name=fields["schema_name"])
    # Identity normalised.
    assert tenant.siret == "73282932000074" and tenant.siren == "732829320"
    assert tenant.creditor_iban == "FR1420041010050500013M02606" and tenant.vat_number == "FR44732829320"
    assert tenant.status == TenantStatus.ONBOARDING
    assert Domain.objects.get(tenant=tenant).domain == fields["domain"]
    # The VNO checklist, with due dates.
    steps = list(OnboardingStep.objects.filter(tenant=tenant).order_by("position"))
    assert len(steps) == 18 and steps[-1].code == "go_live"
    assert {"sim_production", "rate_tables_received"} <= {step.code for step in steps}
    assert all(step.due_date for step in steps)
    # The first admin lives in the new schema and got a link on the tenant's domain.
    with in_schema(tenant):
        admin = User.objects.get(email="luc@zebra.example")
        assert admin.role == Role.ADMIN and not admin.has_usable_password()
    assert not User.objects.filter(email="luc@zebra.example").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["luc@zebra.example"]
    assert re.search(rf"http://{re.escape(fields['domain'])}/reset/\S+/", mail.outbox[0].body)
    assert AuditEvent.objects.filter(action="tenant.created", object_id=str(tenant.pk)).exists()
    # Its page shows the checklist.
    body = operator_client.get(f"/tenants/{tenant.pk}/").content.decode()
    assert "Production des cartes SIM" in body and "Zebra Télécom" in body


def test_editing_the_identity_checks_it_the_same_way_and_is_audited(acme, operator, operator_client):
    response = operator_client.post(
        f"/tenants/{acme.pk}/identity/", {"name": "Acme Télécom", "siret": "73282932000075"}
    )
    assert response.status_code == 200
    assert "SIRET" in response.context["form"].errors["siret"][0]
    response = operator_client.post(
        f"/tenants/{acme.pk}/identity/", {**VALID_IDENTITY, "name": "Acme Télécom", "country": "FR"}
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.siren == "732829320" and acme.sepa_creditor_id == "FR72ZZZ123456"
    event = AuditEvent.objects.filter(action="tenant.identity_changed", object_id=str(acme.pk)).first()
    assert event is not None and event.changes["siret"] == ["", "73282932000074"]
    # Nothing changed: nothing recorded.
    tenant_update_identity(tenant=acme, by=operator, siret="73282932000074")
    assert AuditEvent.objects.filter(action="tenant.identity_changed", object_id=str(acme.pk)).count() == 1


def test_api_reads_and_updates_a_tenant_identity(acme, operator_api):
    listing = operator_api.get("/api/v1/tenants/?q=acme").json()
    assert [row["schema_name"] for row in listing["results"]] == ["acme"]
    response = operator_api.patch(
        f"/api/v1/tenants/{acme.pk}/", {"vat_number": "FR45732829320"}, format="json"
    )
    assert response.status_code == 400 and "TVA" in response.json()["detail"]
    response = operator_api.patch(
        f"/api/v1/tenants/{acme.pk}/",
        {"siret": "73282932000074", "vat_number": "FR 44 732829320"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["vat_number"] == "FR44732829320" and response.json()["siren"] == "732829320"


def test_a_wrong_identifier_is_shown_even_when_required_fields_are_missing(operator_client):
    response = operator_client.post("/tenants/new/", {"siret": "73282932000075"})
    errors = response.context["form"].errors
    assert "SIRET" in errors["siret"][0] and "name" in errors


def test_api_creates_a_tenant_with_its_checklist_and_invites_its_admin(
    operator_api, django_capture_on_commit_callbacks, settings
):
    # The link's port is the configured one (ISM_PUBLIC_PORT), not the request's.
    settings.ISM_PUBLIC_PORT = "8443"
    fields = _new_tenant_fields(kind=TenantKind.INTEGRATOR, admin_email="api-admin@zebra.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_api.post(
            "/api/v1/tenants/", fields, format="json", HTTP_HOST="admin.localhost:8443"
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["siret"] == "73282932000074" and body["status"] == "onboarding"
    assert body["steps_total"] == 13 and body["steps_done"] == 0 and body["feed_access"] is None
    assert mail.outbox[0].to == ["api-admin@zebra.example"]
    assert f"http://{fields['domain']}:8443/reset/" in mail.outbox[0].body
    steps = operator_api.get(f"/api/v1/tenants/{body['id']}/steps/").json()
    assert [step["code"] for step in steps][-1] == "go_live"


def test_operator_invites_an_admin_again_on_the_tenant_domain(
    acme, operator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(f"/tenants/{acme.pk}/invite/", {"email": "chef@acme.example"})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(f"/tenants/{acme.pk}/invite/", {"email": "chef@acme.example"})
    with in_schema(acme):
        assert User.objects.filter(email="chef@acme.example", role=Role.ADMIN).count() == 1
        assert AuditEvent.objects.filter(action="user.invited", actor_label="platform:olivier").count() == 2
    assert len(mail.outbox) == 2 and "http://acme.localhost/reset/" in mail.outbox[1].body
