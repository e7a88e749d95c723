"""Issue 3: an e-mail draft can be previewed and "sent to me as a test" over the settings API,
with the same sandbox as the page; nothing is saved."""

from django.core import mail

from audit.models import AuditEvent
from tenants.models import TenantEmailTemplate
from tests.conftest import in_schema

DRAFT = {
    "subject": "Facture {{ invoice_number }}",
    "body": "Montant : {{ amount_ttc }} pour {{ customer_name }}",
}


def test_the_api_previews_a_draft_with_sample_data_without_saving(acme, acme_admin, api_for):
    response = api_for(acme, acme_admin).post(
        "/api/v1/settings/email-templates/invoice/preview/", DRAFT, format="json"
    )
    assert response.status_code == 200
    rendered = response.json()
    assert rendered["subject"] == "Facture FA202611-00042"
    assert "1 234,56 €" in rendered["body"] and "Transports Dupont SARL" in rendered["body"]
    assert not TenantEmailTemplate.objects.filter(tenant=acme).exists()
    assert mail.outbox == []


def test_send_me_a_test_over_the_api_mails_the_caller_and_is_audited(acme, acme_admin, api_for):
    response = api_for(acme, acme_admin).post(
        "/api/v1/settings/email-templates/invoice/test/", DRAFT, format="json"
    )
    assert response.status_code == 200 and response.json() == {"sent_to": acme_admin.email}
    assert [m.to for m in mail.outbox] == [[acme_admin.email]]
    assert mail.outbox[0].subject == "[TEST] Facture FA202611-00042"
    assert not TenantEmailTemplate.objects.filter(tenant=acme).exists()
    with in_schema(acme):
        assert AuditEvent.objects.filter(action="tenant.email_template_tested").count() == 1


def test_the_api_draft_sandbox_refuses_tags_and_attribute_walks(acme, acme_admin, api_for):
    api = api_for(acme, acme_admin)
    for body in ("{% load static %}x", "{{ settings.SECRET_KEY }}", "{{ customer_name.__class__ }}"):
        for action in ("preview", "test"):
            response = api.post(
                f"/api/v1/settings/email-templates/invoice/{action}/",
                {"subject": "x", "body": body},
                format="json",
            )
            assert response.status_code == 400, (action, body)
    assert mail.outbox == []
    assert api.post("/api/v1/settings/email-templates/nope/preview/", DRAFT, format="json").status_code == 400


def test_a_sales_user_cannot_preview_or_send_tests(acme, make_user, api_for):
    api = api_for(acme, make_user(acme, "sales"))
    assert api.post("/api/v1/settings/email-templates/invoice/test/", DRAFT, format="json").status_code == 403
    assert mail.outbox == []
