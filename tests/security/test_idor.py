"""Object ids: every lookup is scoped.

- Tenant-schema objects: nova's ids asked on acme's site never show nova's data (another schema),
  and a nested id must belong to its parent (an entry of another customer, a rate of another table).
- Public-schema rows (domains, branding, e-mail templates, invoice settings, onboarding steps,
  documents): ids of other tenants' rows ARE reachable there, so each lookup must be by tenant.
"""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from customers.models import LedgerEntry
from tenants.models import (
    OnboardingStep,
    TenantBranding,
    TenantDocument,
    TenantEmailTemplate,
    TenantInvoiceSettings,
)
from tests.conftest import in_schema
from tests.offers.conftest import SAMPLE_TABLE

IBAN, BIC = "FR1420041010050500013M02606", "PSSTFRPPLIL"


def _nova_objects(nova, nova_customer):
    from customers.services import mandate_create, payment_record
    from jobs.services import job_create
    from offers.services import rate_table_create, rate_table_import

    with in_schema(nova):
        mandate = mandate_create(
            now=timezone.now(),
            customer=nova_customer,
            by=None,
            iban=IBAN,
            bic=BIC,
            account_holder="NOVA HOLDER",
        )
        entry = payment_record(
            now=timezone.now(), customer=nova_customer, by=None, amount="123.45", description="NOVA PAYMENT"
        )
        job = job_create(kind="test", label="NOVA SECRET JOB", by=None)
        table = rate_table_create(data={"code": "NOVASECRET", "label": "NOVA SECRET TABLE"}, by=None)
        rate_table_import(
            table=table,
            data=SAMPLE_TABLE.read_bytes(),
            filename="grille.csv",
            by=None,
            today=dt.date(2026, 10, 1),
        )
        contact = nova_customer.contacts.first()
        upload = table.uploads.first()
        rate = table.rates.first()
    return {
        "mandate": mandate,
        "entry": entry,
        "job": job,
        "table": table,
        "contact": contact,
        "upload": upload,
        "rate": rate,
    }


def test_nova_ids_on_acme_site_never_show_nova_data(
    acme, nova, nova_customer, make_user, client_for, api_for
):
    objs = _nova_objects(nova, nova_customer)
    c, t = nova_customer.pk, objs["table"].pk
    admin = make_user(acme, "admin")
    pages = [
        f"/customers/{c}/",
        f"/customers/{c}/edit/",
        f"/customers/{c}/mandates/{objs['mandate'].pk}/pdf/",
        f"/jobs/{objs['job'].pk}/",
        f"/catalogue/rate-tables/{t}/",
        f"/catalogue/rate-tables/{t}/export.csv",
        f"/catalogue/rate-tables/{t}/uploads/{objs['upload'].pk}/",
        f"/catalogue/rate-tables/{t}/rates/{objs['rate'].pk}/",
    ]
    apis = [
        f"/api/v1/customers/{c}/",
        f"/api/v1/customers/{c}/contacts/",
        f"/api/v1/contacts/{objs['contact'].pk}/",
        f"/api/v1/customers/{c}/mandates/",
        f"/api/v1/mandates/{objs['mandate'].pk}/",
        f"/api/v1/customers/{c}/ledger-entries/",
        f"/api/v1/ledger-entries/{objs['entry'].pk}/",
        f"/api/v1/jobs/{objs['job'].pk}/",
        f"/api/v1/rate-tables/{t}/",
        f"/api/v1/rate-tables/{t}/rates/",
        f"/api/v1/rate-tables/{t}/export/",
    ]
    client, api = client_for(acme, admin), api_for(acme, admin)
    for path in pages:
        body = client.get(path).content
        assert b"NOVA" not in body and b"Nina" not in body, path
    for path in apis:
        body = api.get(path).content
        assert b"NOVA" not in body and b"Nina" not in body and b"nova-client" not in body, path


def test_a_nested_id_must_belong_to_its_parent(acme, make_user, client_for):
    from customers.services import customer_create, mandate_create, payment_record

    with in_schema(acme):
        a, b = (
            customer_create(
                now=timezone.now(),
                by=None,
                data={"kind": "business", "company_name": name},
                number="",
                billing_contact={"name": "X", "email": "x@example.com", "phone": ""},
                login_contact=None,
            )
            for name in ("CLIENT A", "CLIENT B")
        )
        b_mandate = mandate_create(now=timezone.now(), customer=b, by=None, iban=IBAN, bic=BIC)
        b_entry = payment_record(now=timezone.now(), customer=b, by=None, amount="10")
    client = client_for(acme, make_user(acme, "admin"))
    assert client.get(f"/customers/{a.pk}/mandates/{b_mandate.pk}/pdf/").status_code == 404
    assert client.post(f"/customers/{a.pk}/mandates/{b_mandate.pk}/revoke/").status_code == 404
    assert client.post(f"/customers/{a.pk}/mandates/{b_mandate.pk}/signed/").status_code == 404
    assert client.post(f"/customers/{a.pk}/entries/{b_entry.pk}/reverse/").status_code == 404
    with in_schema(acme):
        assert not LedgerEntry.objects.filter(reverses=b_entry).exists()
        b_mandate.refresh_from_db()
    assert b_mandate.status == "active"


def test_a_rate_or_upload_of_another_table_is_not_found(acme, make_user, client_for):
    from offers.services import rate_table_create, rate_table_import

    with in_schema(acme):
        one = rate_table_create(data={"code": "ONE", "label": "One"}, by=None)
        two = rate_table_create(data={"code": "TWO", "label": "Two"}, by=None)
        rate_table_import(
            table=two, data=SAMPLE_TABLE.read_bytes(), filename="g.csv", by=None, today=dt.date(2026, 10, 1)
        )
        upload, rate = two.uploads.first(), two.rates.first()
    client = client_for(acme, make_user(acme, "admin"))
    assert client.get(f"/catalogue/rate-tables/{one.pk}/uploads/{upload.pk}/").status_code == 404
    assert client.get(f"/catalogue/rate-tables/{one.pk}/rates/{rate.pk}/").status_code == 404


def test_acme_settings_writes_never_touch_nova_rows(acme, nova, make_user, client_for, api_for):
    from tenants.settings.services import email_template_save, invoice_settings_update

    nova_admin = make_user(nova, "admin")
    with in_schema(nova):
        email_template_save(
            tenant=nova, kind="invoice", subject="Nova subject", body="Nova body", by=nova_admin
        )
        invoice_settings_update(
            tenant=nova, by=nova_admin, number_format="NOVA-{YYYY}-{SEQ:5}", today=dt.date(2026, 3, 2)
        )
    admin = make_user(acme, "admin")
    api = api_for(acme, admin)
    assert api.delete("/api/v1/settings/email-templates/invoice/").status_code == 200
    assert (
        api.put(
            "/api/v1/settings/email-templates/invoice/",
            {"subject": "Acme", "body": "Acme body"},
            format="json",
        ).status_code
        == 200
    )
    assert (
        api.put(
            "/api/v1/settings/invoicing/", {"number_format": "ACME-{YYYY}-{SEQ:4}"}, format="json"
        ).status_code
        == 200
    )
    assert (
        api.put(
            "/api/v1/settings/branding/", {"primary_color": "#000000", "ink_color": "#ffffff"}, format="json"
        ).status_code
        == 200
    )
    assert (
        api.put(
            "/api/v1/settings/bank-details/",
            {"sepa_creditor_id": "", "creditor_iban": "", "creditor_bic": ""},
            format="json",
        ).status_code
        == 200
    )
    nova_template = TenantEmailTemplate.objects.get(tenant=nova, kind="invoice")
    assert (nova_template.subject, nova_template.body.strip()) == ("Nova subject", "Nova body")
    assert TenantInvoiceSettings.objects.get(tenant=nova).number_format == "NOVA-{YYYY}-{SEQ:5}"
    assert not TenantBranding.objects.filter(tenant=nova, primary_color="#000000").exists()
    # And nothing of nova's is in acme's answers.
    assert "Nova" not in api.get("/api/v1/settings/email-templates/invoice/").content.decode()
    assert "NOVA" not in api.get("/api/v1/settings/invoicing/").content.decode()


def test_a_platform_step_or_document_is_looked_up_within_its_tenant(
    acme, nova, platform, make_user, client_for, api_for
):
    from tenants.platform.services import onboarding_checklist_ensure, tenant_document_add

    operator = make_user(platform, "platform_admin")
    onboarding_checklist_ensure(tenant=nova, start=dt.date(2026, 1, 5))
    nova_step = OnboardingStep.objects.filter(tenant=nova).first()
    document = tenant_document_add(
        tenant=nova,
        file=SimpleUploadedFile("kbis.pdf", b"%PDF-1.4 nova kbis"),
        by=operator,
        title="NOVA KBIS",
    )
    client, api = client_for(platform, operator), api_for(platform, operator)
    assert client.get(f"/tenants/{acme.pk}/documents/{document.pk}/download/").status_code == 404
    assert client.post(f"/tenants/{acme.pk}/documents/{document.pk}/delete/").status_code == 404
    assert TenantDocument.objects.filter(pk=document.pk).exists()
    assert client.post(f"/tenants/{acme.pk}/steps/{nova_step.pk}/", {}).status_code == 404
    assert api.get(f"/api/v1/tenants/{acme.pk}/steps/{nova_step.pk}/").status_code == 404
    assert (
        api.patch(
            f"/api/v1/tenants/{acme.pk}/steps/{nova_step.pk}/", {"status": "done"}, format="json"
        ).status_code
        == 404
    )
    download = client.get(f"/tenants/{nova.pk}/documents/{document.pk}/download/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_a_tenant_cannot_claim_a_name_in_another_sites_namespace(acme, nova, make_user, client_for):
    from tenants.models import Domain

    Domain.objects.create(domain="portal.nova-mobile.example", tenant=nova, is_primary=False)
    client = client_for(acme, make_user(acme, "admin"))
    for name in (
        "evil.nova.localhost",
        "x.admin.localhost",
        "nova-mobile.example",
        "a.portal.nova-mobile.example",
    ):
        response = client.post("/settings/domains/", {"domain": name})
        assert response.status_code == 200 and "espace de noms" in response.content.decode(), name
    assert client.post("/settings/domains/", {"domain": "extranet.acme-telecom.example"}).status_code == 302
    assert not Domain.objects.filter(
        tenant=acme, domain__in=["evil.nova.localhost", "x.admin.localhost"]
    ).exists()
