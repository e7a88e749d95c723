"""Invoice numbering from tokens, invoice texts and the sample invoice PDF."""

import io

import pytest
import time_machine
from pypdf import PdfReader

from audit.models import AuditEvent
from core.errors import ApplicationError
from tenants.settings.numbering import invoice_number_format, invoice_number_pattern_validate
from tenants.settings.selectors import invoice_settings_get
from tests.conftest import in_schema


def test_tokens_give_the_year_month_and_padded_sequence():
    assert invoice_number_format("FA{YYYY}{MM}-{SEQ:5}", year=2026, month=3, seq=42) == "FA202603-00042"
    assert invoice_number_format("NOVA-{YY}-{SEQ:6}", year=2026, month=11, seq=7) == "NOVA-26-000007"
    assert invoice_number_format("{SEQ:2}", year=2026, month=1, seq=1234) == "1234"


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("FA{YYYY}{MM}", "exactement un jeton"),
        ("F{SEQ:3}-{SEQ:4}", "exactement un jeton"),
        ("F{DD}{SEQ:4}", "Jeton inconnu"),
        ("F{YYYY-{SEQ:4}", "Jeton inconnu|accolade"),
        ("F<script>{SEQ:4}", "texte fixe"),
        ("F{SEQ:0}", "de 1 à 12"),
    ],
)
def test_bad_patterns_are_refused_with_their_reason(pattern, reason):
    with pytest.raises(ApplicationError, match=reason):
        invoice_number_pattern_validate(pattern)


def test_the_settings_default_to_the_legal_late_payment_mentions(acme):
    text = invoice_settings_get(tenant=acme).late_payment_text
    assert "40 €" in text and "pénalités de retard" in text


@time_machine.travel("2026-11-21 10:00:00+01:00", tick=False)
def test_saving_the_format_previews_the_next_number_and_is_audited(acme, acme_admin, client_for):
    client = client_for(acme, acme_admin)
    data = {
        "number_format": "ACME/{YY}{MM}/{SEQ:4}",
        "footer_text": "Merci de votre confiance",
        "late_payment_text": "Pénalités : 3 fois le taux légal, indemnité de 40 €.",
        "text_sepa": "Prélevé à échéance.",
        "text_transfer": "",
        "text_cheque": "",
        "text_card": "",
        "bank_details": "",
    }
    assert client.post("/settings/invoicing/", data).status_code == 302
    page = client.get("/settings/invoicing/").content.decode()
    assert "ACME/2611/0001" in page
    preview = client.get(
        "/settings/invoicing/number-preview/", {"number_format": "X{YYYY}-{SEQ:3}"}
    ).content.decode()
    assert "X2026-001" in preview
    refused = client.get("/settings/invoicing/number-preview/", {"number_format": "X{YYYY}"}).content.decode()
    assert "{SEQ:n}" in refused
    with in_schema(acme):
        event = AuditEvent.objects.get(action="tenant.invoice_settings_changed")
    assert event.changes["number_format"][1] == "ACME/{YY}{MM}/{SEQ:4}"


def test_a_pattern_without_sequence_is_refused_on_the_page(acme, acme_admin, client_for):
    response = client_for(acme, acme_admin).post("/settings/invoicing/", {"number_format": "FA{YYYY}"})
    assert response.status_code == 200
    assert "{SEQ:n}" in response.content.decode()


@time_machine.travel("2026-11-21 10:00:00+01:00", tick=False)
def test_the_sample_invoice_pdf_carries_the_tenants_branding_and_settings(
    acme, acme_admin, client_for, api_for
):
    api = api_for(acme, acme_admin)
    response = api.put(
        "/api/v1/settings/invoicing/",
        {
            "number_format": "FA{YYYY}{MM}-{SEQ:5}",
            "footer_text": "Acme Télécom vous remercie de votre confiance",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["next_number"] == "FA202611-00001"
    pdf = client_for(acme, acme_admin).get("/billing/invoice-preview/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Acme Télécom" in text
    assert "FA202611-00001" in text
    assert "Acme Télécom vous remercie de votre confiance" in text
    assert "SPECIMEN" in text
    assert "FACTURE" in text and "Total TTC" in text


def test_the_sample_invoice_is_refused_to_a_sales_user(acme, make_user, client_for):
    sales = make_user(acme, "sales")
    assert client_for(acme, sales).get("/billing/invoice-preview/").status_code == 403


def test_the_sample_invoice_embeds_the_logo_and_the_footer_banner(acme, acme_admin, client_for):
    from tenants.settings.services import branding_update
    from tests.tenant_settings.conftest import png_bytes

    with in_schema(acme):
        branding_update(
            tenant=acme,
            by=acme_admin,
            primary_color="#0a7d4f",
            ink_color="#ffffff",
            welcome_message="",
            logo=png_bytes((95, 95), "#0a7d4f"),
            banner=png_bytes((760, 95), "#123456"),
        )
    pdf = client_for(acme, acme_admin).get("/billing/invoice-preview/?mode=transfer")
    page = PdfReader(io.BytesIO(pdf.content)).pages[0]
    sizes = sorted(image.image.size for image in page.images)
    assert sizes == [(95, 95), (760, 95)]
    assert "virement" in page.extract_text()  # the text of the payment mode asked for


def test_every_payment_mode_has_an_invoice_text_the_tenants_or_the_default(acme):
    from core.choices import PaymentMode
    from tenants.models import TenantInvoiceSettings
    from tenants.settings.selectors import DEFAULT_PAYMENT_TEXTS, invoice_payment_text

    own = TenantInvoiceSettings(tenant=acme, text_cheque="Chèque à l'ordre d'Acme Télécom.")
    for mode in PaymentMode.values:
        assert invoice_payment_text(settings=own, mode=mode)  # a field exists for each mode
    assert invoice_payment_text(settings=own, mode="cheque") == "Chèque à l'ordre d'Acme Télécom."
    assert invoice_payment_text(settings=own, mode="card") == DEFAULT_PAYMENT_TEXTS["text_card"]
    with pytest.raises(ValueError):
        invoice_payment_text(settings=own, mode="bitcoin")
