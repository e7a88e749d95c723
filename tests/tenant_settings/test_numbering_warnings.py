"""Issue 10, invoice numbering: a small {SEQ:n} is warned about, and changing a format in force
within its numbering period needs an explicit confirmation, which is audited."""

import datetime

import pytest
import time_machine

from audit.models import AuditEvent
from core.errors import ApplicationError
from tenants.models import TenantInvoiceSettings
from tenants.settings.numbering import invoice_number_capacity_warning, invoice_number_period
from tenants.settings.services import invoice_settings_update
from tests.conftest import in_schema

TODAY = datetime.date(2026, 11, 21)


def test_a_sequence_of_fewer_than_a_thousand_numbers_per_period_is_warned_about():
    assert (
        invoice_number_capacity_warning("F{YYYY}{MM}-{SEQ:2}")
        == "{SEQ:2} : 99 factures au plus par période ; au-delà, les numéros s’allongent."
    )
    assert "9 factures" in invoice_number_capacity_warning("F{SEQ:1}")
    assert invoice_number_capacity_warning("F{YYYY}{MM}-{SEQ:3}") == ""
    assert invoice_number_capacity_warning("F{YYYY}-{SEQ:5}") == ""


def test_the_numbering_period_follows_the_tokens_of_the_format():
    assert invoice_number_period("F{YYYY}{MM}-{SEQ:5}", year=2026, month=3) == "2026-03"
    assert invoice_number_period("F{YY}-{SEQ:5}", year=2026, month=3) == "2026"
    assert "jamais" in invoice_number_period("F-{SEQ:8}", year=2026, month=3)


def test_changing_a_format_in_force_needs_a_confirmation_and_is_audited(acme, acme_admin):
    with in_schema(acme):
        invoice_settings_update(tenant=acme, by=acme_admin, number_format="FA{YYYY}{MM}-{SEQ:5}", today=TODAY)
        with pytest.raises(ApplicationError) as refused:
            invoice_settings_update(
                tenant=acme, by=acme_admin, number_format="FB{YYYY}{MM}-{SEQ:5}", today=TODAY
            )
        assert refused.value.field == "confirm_format_change" and "2026-11" in refused.value.message
        assert TenantInvoiceSettings.objects.get(tenant=acme).number_format == "FA{YYYY}{MM}-{SEQ:5}"
        # The texts alone change without a confirmation.
        invoice_settings_update(
            tenant=acme, by=acme_admin, number_format="FA{YYYY}{MM}-{SEQ:5}", today=TODAY, footer_text="Merci"
        )
        invoice_settings_update(
            tenant=acme,
            by=acme_admin,
            number_format="FB{YYYY}{MM}-{SEQ:5}",
            today=TODAY,
            confirm_format_change=True,
        )
        assert TenantInvoiceSettings.objects.get(tenant=acme).number_format == "FB{YYYY}{MM}-{SEQ:5}"
        event = AuditEvent.objects.filter(action="tenant.invoice_settings_changed").latest("id")
        assert event.changes["number_format"] == ["FA{YYYY}{MM}-{SEQ:5}", "FB{YYYY}{MM}-{SEQ:5}"]
        assert event.changes["numbering_period"] == "2026-11"


@time_machine.travel("2026-11-21 10:00:00+01:00", tick=False)
def test_the_page_warns_and_asks_for_the_confirmation_checkbox(acme, acme_admin, client_for):
    client = client_for(acme, acme_admin)
    assert client.post("/settings/invoicing/", {"number_format": "A{YYYY}{MM}-{SEQ:2}"}).status_code == 302
    page = client.get("/settings/invoicing/").content.decode()
    assert 'data-testid="numbering-warning"' in page and "99 factures au plus par période" in page
    preview = client.get(
        "/settings/invoicing/number-preview/", {"number_format": "X{SEQ:2}"}
    ).content.decode()
    assert "99 factures au plus" in preview
    refused = client.post("/settings/invoicing/", {"number_format": "B{YYYY}{MM}-{SEQ:5}"})
    body = refused.content.decode()
    assert refused.status_code == 200 and "période de numérotation 2026-11" in body
    assert 'name="confirm_format_change"' in body
    confirmed = client.post(
        "/settings/invoicing/", {"number_format": "B{YYYY}{MM}-{SEQ:5}", "confirm_format_change": "on"}
    )
    assert confirmed.status_code == 302
    with in_schema(acme):
        assert TenantInvoiceSettings.objects.get(tenant=acme).number_format == "B{YYYY}{MM}-{SEQ:5}"


def test_the_api_needs_the_confirmation_too(acme, acme_admin, api_for):
    api = api_for(acme, acme_admin)
    first = api.put("/api/v1/settings/invoicing/", {"number_format": "A{YY}-{SEQ:2}"}, format="json")
    assert first.status_code == 200 and "99" in first.json()["warning"]
    refused = api.put("/api/v1/settings/invoicing/", {"number_format": "B{YY}-{SEQ:4}"}, format="json")
    assert refused.status_code == 400
    confirmed = api.put(
        "/api/v1/settings/invoicing/",
        {"number_format": "B{YY}-{SEQ:4}", "confirm_format_change": True},
        format="json",
    )
    assert confirmed.status_code == 200 and confirmed.json()["warning"] == ""
