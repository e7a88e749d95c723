"""Pages and API of delivery and collection, the portal's invoices and PayPal's endpoint; acme's
staff and portal users never reach nova's invoices, payments, SEPA files or e-mails."""

import datetime as dt
from decimal import Decimal

from billing.models import BillingRun, BillingSettings, InvoiceEmail, InvoiceStatus, Payment, SepaBatch
from billing.services_mail import mailing_create
from billing.services_payments import payment_record
from customers.models import Mandate
from tests.billing.conftest import customer
from tests.billing.issued import NOW, issued_invoice
from tests.conftest import in_schema

TODAY = dt.date(2026, 11, 5)  # the pages run on the real clock: dates in the past


def _creditor(tenant):
    tenant.sepa_creditor_id = "FR72ZZZ123456"
    tenant.creditor_iban = "FR7610107001011234567890129"
    tenant.creditor_bic = "BREDFRPPXXX"
    tenant.save()


def _world(tenant, prefix="A"):
    """A finalized run with a transfer invoice (overdue) and a SEPA invoice, a payment, a mailing."""
    with in_schema(tenant):
        run = BillingRun.objects.create(
            period="2026-09", period_start=dt.date(2026, 9, 1), period_end=dt.date(2026, 9, 30),
            status="finalized", created_at=NOW, issue_date=dt.date(2026, 10, 2),
        )  # fmt: skip
        transfer = customer(f"{prefix}1")
        sepa = customer(f"{prefix}2", payment_mode="sepa")
        Mandate.objects.create(
            customer=sepa, rum=f"RUM-{prefix}2", iban="FR1420041010050500013M02606", bic="PSSTFRPPPAR",
            signed_on=dt.date(2026, 1, 1),
        )  # fmt: skip
        late = issued_invoice(
            transfer, number=f"{prefix}-1", run=run, issue_date=dt.date(2026, 10, 2), due_date=dt.date(2026, 10, 20),
            period="2026-09",
        )  # fmt: skip
        debit = issued_invoice(
            sepa, number=f"{prefix}-2", run=run, mode="sepa", issue_date=dt.date(2026, 10, 2),
            debit_date=dt.date(2026, 10, 25), period="2026-09",
        )  # fmt: skip
        paid = issued_invoice(
            transfer, number=f"{prefix}-3", issue_date=dt.date(2026, 10, 2), period="2026-09"
        )
        payment = payment_record(
            customer=transfer, channel="cheque", amount="24", received_on=TODAY, invoices=[paid],
            by=None, now=NOW, today=TODAY,
        )  # fmt: skip
        mailing = mailing_create(run=run, by=None, now=NOW)
        return {"run": run, "late": late, "debit": debit, "paid": paid, "payment": payment, "mailing": mailing,
                "customer": transfer}  # fmt: skip


def test_the_accountant_records_a_payment_and_follows_the_overdue_invoices(
    acme, make_user, client_for, mailoutbox
):
    world = _world(acme)
    client = client_for(acme, make_user(acme, "accountant"))
    page = client.get("/billing/payments/")
    assert page.status_code == 200 and "A-3" in page.content.decode()
    refused = client.post("/billing/payments/", {"customer": "NOPE", "channel": "cash", "amount": "abc",
                                                 "received_on": "2026-11-01"})  # fmt: skip
    assert refused.status_code == 200
    form = refused.context["form"]
    assert set(form.errors) == {"amount"}  # the form's own checks first, all at once
    refused = client.post("/billing/payments/", {"customer": "NOPE", "channel": "cash", "amount": "10,00",
                                                 "received_on": "2026-11-01"})  # fmt: skip
    assert set(refused.context["form"].errors) == {"customer"}
    done = client.post("/billing/payments/", {"customer": "A1", "channel": "transfer", "amount": "12,00",
                                              "received_on": "2026-11-01", "invoice": "A-1"})  # fmt: skip
    assert done.status_code == 302
    with in_schema(acme):
        world["late"].refresh_from_db()
        assert world["late"].amount_paid == Decimal("12.00")
    page = client.get("/billing/overdue/")
    assert page.status_code == 200 and "A-1" in page.content.decode()
    assert client.post("/billing/overdue/").status_code == 302
    assert [m.subject for m in mailoutbox if "Rappel" in m.subject]
    assert client.get(f"/billing/invoices/{world['late'].pk}/").status_code == 200
    rejected = client.post(f"/billing/payments/{world['payment'].pk}/reject/", {"code": "MS03", "fee": ""})
    assert rejected.status_code == 302
    with in_schema(acme):
        world["paid"].refresh_from_db()
        assert world["paid"].status != InvoiceStatus.PAID


def test_the_sepa_file_exports_and_mailing_pages(
    acme, make_user, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    _creditor(acme)
    world = _world(acme)
    client = client_for(acme, make_user(acme, "accountant"))
    with django_capture_on_commit_callbacks(execute=True):  # the task runs in process
        queued = client.post("/billing/sepa/", {"run": world["run"].pk})
    assert queued.status_code == 302
    with in_schema(acme):
        batch = SepaBatch.objects.get()
    assert client.get("/billing/sepa/").status_code == 200
    assert client.get(f"/billing/sepa/{batch.pk}/").status_code == 200
    download = client.get(f"/billing/sepa/{batch.pk}/file/")
    assert download.status_code == 200 and b"pain.008.001.08" in download.content
    assert client.post(f"/billing/sepa/{batch.pk}/settle/").status_code == 302
    for kind, marker in (("csv", b"A-1"), ("xlsx", b"PK"), ("fec", b"JournalCode|")):
        answer = client.get("/billing/exports/", {"period": "2026-10", "kind": kind})
        assert answer.status_code == 200 and marker in answer.content, kind
    assert (
        client.get("/billing/exports/", {"period": "2099-01", "kind": "csv"}).status_code == 200
    )  # refused in the form
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/billing/runs/{world['run'].pk}/send/")
    assert sent.status_code == 302
    mailing_page = client.get(sent["Location"])
    assert mailing_page.status_code == 200
    assert len([m for m in mailoutbox if "Votre facture" in m.subject]) == 2


def test_support_can_look_but_not_collect(acme, make_user, client_for):
    world = _world(acme)
    client = client_for(acme, make_user(acme, "support"))
    assert client.get("/billing/payments/").status_code == 200
    assert client.post("/billing/payments/", {"customer": "A1"}).status_code == 403
    assert client.post(f"/billing/payments/{world['payment'].pk}/reject/").status_code in (302, 403)
    assert client.get("/billing/exports/").status_code in (302, 403)


def test_settings_page_saves_paypal_and_reminders(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))
    page = client.get("/billing/settings/")
    assert page.status_code == 200
    data = {
        name: field.initial if field.initial is not None else ""
        for name, field in page.context["form"].fields.items()
    }
    data.update(page.context["form"].initial)
    data.update({"paypal_enabled": "on", "paypal_email": "pay@acme.example", "reminder_days": "10,20"})
    data = {k: v for k, v in data.items() if v is not None and v is not False}
    answer = client.post("/billing/settings/", data)
    assert answer.status_code == 302, answer.context["form"].errors
    with in_schema(acme):
        saved = BillingSettings.objects.get()
        assert saved.paypal_email == "pay@acme.example" and saved.reminder_days == "10,20"


def test_the_api_records_payments_and_lists_batches_and_mailings(
    acme, make_user, api_for, django_capture_on_commit_callbacks
):
    _creditor(acme)
    world = _world(acme)
    api = api_for(acme, make_user(acme, "accountant"))
    with in_schema(acme):
        customer_id = world["customer"].pk
    created = api.post(
        "/api/v1/payments/",
        {"customer": customer_id, "channel": "transfer", "amount": "24.00", "received_on": "2026-11-01",
         "invoices": [world["late"].pk]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["allocations"][0]["invoice_number"] == "A-1"
    listed = api.get("/api/v1/payments/").json()
    assert {p["id"] for p in listed["results"]} == {created.json()["id"], world["payment"].pk}
    with django_capture_on_commit_callbacks(execute=True):
        job = api.post("/api/v1/sepa-batches/", {"run": world["run"].pk}, format="json")
    assert job.status_code == 202
    batches = api.get("/api/v1/sepa-batches/").json()["results"]
    assert len(batches) == 1
    detail = api.get(f"/api/v1/sepa-batches/{batches[0]['id']}/").json()
    assert detail["debits"][0]["invoice_number"] == "A-2"
    mailing = api.get(f"/api/v1/mailings/{world['mailing'].pk}/").json()
    assert len(mailing["emails"]) == 2


def test_acme_never_reaches_novas_collection(acme, nova, make_user, client_for, api_for):
    _creditor(nova)
    ours = _world(acme, "A")
    theirs = _world(nova, "N")
    with in_schema(nova):
        from billing.services_sepa import sepa_batch_generate

        batch = sepa_batch_generate(tenant=nova, run=theirs["run"], by=None, now=NOW, today=TODAY)
        email = InvoiceEmail.objects.first()
    staff = client_for(acme, make_user(acme, "admin"))
    for url in (
        f"/billing/invoices/{theirs['late'].pk}/",
        f"/billing/sepa/{batch.pk}/",
        f"/billing/sepa/{batch.pk}/file/",
        f"/billing/mailings/{theirs['mailing'].pk}/",
    ):
        assert staff.get(url).status_code == 404, url
    assert staff.post(f"/billing/payments/{theirs['payment'].pk}/reject/").status_code == 404
    assert staff.post(f"/billing/emails/{email.pk}/", {"action": "bounced"}).status_code == 404
    assert b"N-3" not in staff.get("/billing/payments/").content
    assert b"N-1" not in staff.get("/billing/overdue/").content
    assert b"N-1" not in staff.get("/billing/exports/", {"period": "2026-10", "kind": "csv"}).content
    api = api_for(acme, make_user(acme, "accountant"))
    assert api.get(f"/api/v1/payments/{theirs['payment'].pk}/").status_code == 404
    assert api.get(f"/api/v1/sepa-batches/{batch.pk}/").status_code == 404
    assert api.get(f"/api/v1/mailings/{theirs['mailing'].pk}/").status_code == 404
    assert api.get("/api/v1/sepa-batches/").json()["results"] == []
    assert {p["id"] for p in api.get("/api/v1/payments/").json()["results"]} == {ours["payment"].pk}
    # The portal: acme's customer sees its invoices, not another customer's nor nova's.
    portal_user = make_user(acme, "customer")
    with in_schema(acme):
        ours["customer"].portal_user = portal_user
        ours["customer"].save(update_fields=["portal_user"])
    portal = client_for(acme, portal_user)
    listed = portal.get("/portal/invoices/")
    assert listed.status_code == 200 and b"A-1" in listed.content and b"A-2" not in listed.content
    assert portal.get(f"/portal/invoices/{ours['late'].pk}/").status_code == 200
    assert portal.get(f"/portal/invoices/{ours['debit'].pk}/").status_code == 404  # another customer's
    assert portal.get(f"/portal/invoices/{theirs['late'].pk}/").status_code == 404
    assert portal.get(f"/portal/invoices/{theirs['late'].pk}/pdf/").status_code == 404
    with in_schema(nova):
        assert Payment.objects.count() == 1


def test_the_portal_offers_paypal_and_the_endpoint_credits_once(acme, make_user, client_for):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from urllib.parse import urlencode

    class Verified(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"VERIFIED")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Verified)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        world = _world(acme)
        with in_schema(acme):
            BillingSettings.objects.create(
                paypal_enabled=True, paypal_email="pay@acme.example", paypal_amounts="10,25",
                paypal_verify_url=f"http://127.0.0.1:{server.server_port}/",
            )  # fmt: skip
            portal_user = make_user(acme, "customer")
            world["customer"].portal_user = portal_user
            world["customer"].save(update_fields=["portal_user"])
        portal = client_for(acme, portal_user)
        page = portal.get(f"/portal/invoices/{world['late'].pk}/").content.decode()
        assert (
            "https://www.paypal.com/cgi-bin/webscr?cmd=_xclick" in page
            and f"invoice%3A{world['late'].pk}" in page
        )
        listed = portal.get("/portal/invoices/").content.decode()
        assert listed.count('data-testid="top-up"') == 2
        body = urlencode({
            "txn_id": "TXN-1", "payment_status": "Completed", "mc_gross": "24.00", "mc_currency": "EUR",
            "receiver_email": "pay@acme.example", "custom": f"invoice:{world['late'].pk}",
        })  # fmt: skip
        anonymous = client_for(acme)
        for _attempt in range(2):
            answer = anonymous.post("/paypal/ipn/", body, content_type="application/x-www-form-urlencoded")
            assert answer.status_code == 200
        with in_schema(acme):
            world["late"].refresh_from_db()
            assert world["late"].status == InvoiceStatus.PAID
            assert Payment.objects.filter(channel="paypal").count() == 1
    finally:
        server.shutdown()
        server.server_close()
