"""The billing settings through the API (and the page's new fields): read by billing staff,
changed by tenant admins, every refusal at once, the numbering rules enforced, audited, per tenant."""

from audit.models import AuditEvent
from billing.models import BillingSettings
from tests.conftest import in_schema


def test_billing_settings_are_read_and_changed_through_the_api(acme, nova, make_user, api_for):
    accountant = api_for(acme, make_user(acme, "accountant"))
    got = accountant.get("/api/v1/billing-settings/")
    assert got.status_code == 200
    body = got.json()
    assert body["number_restart"] == "yearly" and body["sepa_prenotification_days"] == 14
    assert body["vat_on_debits"] is False and body["email_delivery"] == "attachment"
    assert (
        accountant.patch("/api/v1/billing-settings/", {"vat_on_debits": True}, format="json").status_code
        == 403
    )

    admin = api_for(acme, make_user(acme, "admin"))
    refused = admin.patch(
        "/api/v1/billing-settings/",
        {"sepa_version": "pain.008.009", "due_days_transfer": -3, "email_delivery": "pigeon"},
        format="json",
    )
    assert refused.status_code == 400
    assert {"sepa_version", "due_days_transfer", "email_delivery"} <= set(refused.json()), refused.json()
    too_long = admin.patch(
        "/api/v1/billing-settings/",
        {"credit_note_number_format": "AVOIR-{YYYY}-{MM}-CLIENTS-PRO-{SEQ:12}"},
        format="json",
    )
    assert too_long.status_code == 400 and "credit_note_number_format" in str(too_long.json())

    saved = admin.patch(
        "/api/v1/billing-settings/",
        {"vat_on_debits": True, "sepa_lead_days": 5, "number_restart": "monthly",
         "credit_note_number_format": "AV{YYYY}{MM}-{SEQ:4}", "reminder_days": "10,20"},
        format="json",
    )  # fmt: skip
    assert saved.status_code == 200, saved.json()
    assert saved.json()["vat_on_debits"] is True and saved.json()["number_restart"] == "monthly"
    with in_schema(acme):
        settings = BillingSettings.objects.get()
        assert settings.sepa_lead_days == 5 and settings.credit_note_number_format == "AV{YYYY}{MM}-{SEQ:4}"
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {"billing_settings.updated", "billing_settings.numbering_changed"} <= actions
    with in_schema(nova):  # another tenant's settings are its own
        assert not BillingSettings.objects.filter(vat_on_debits=True).exists()
    assert (
        api_for(nova, make_user(nova, "admin")).get("/api/v1/billing-settings/").json()["vat_on_debits"]
        is False
    )


def test_the_settings_page_offers_vat_on_debits(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))
    page = client.get("/billing/settings/")
    assert page.status_code == 200 and 'name="vat_on_debits"' in page.content.decode()
