"""The month's journey in Chromium: an accountant runs the month, reviews, finalizes, exports the
recap and the SEPA file, sends the invoices; the customer then sees one in the portal and pays it
(PayPal's notification, checked against a local server playing PayPal, marks it paid).
The run's ZIP of PDFs belongs to the finalization work (another branch) and is not clicked here."""

import datetime as dt
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from django.core import mail

from tests.billing.conftest import customer, line, offer
from tests.conftest import PASSWORD, in_schema

pytestmark = pytest.mark.browser


class _Verified(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"VERIFIED")

    def log_message(self, *args):
        pass


def _cleanup(acme):
    from django.db import connection

    from billing.models import (
        BillingRun,
        BillingSettings,
        Invoice,
        InvoiceEmail,
        InvoiceMailing,
        Payment,
        PaymentAllocation,
        PayPalNotification,
        SepaBatch,
        SepaDebit,
    )
    from customers.models import Contact, Customer, LedgerEntry, Mandate
    from provisioning.models import MobileLine, Order, OrderLine

    with in_schema(acme), connection.cursor() as cursor:
        # Issued documents cannot be deleted (their trigger): this committed test's cleanup
        # bypasses the triggers for its own session only.
        cursor.execute("SET session_replication_role = replica")
        PayPalNotification.objects.all().delete()
        SepaDebit.objects.all().delete()
        SepaBatch.objects.all().delete()
        InvoiceEmail.objects.all().delete()
        InvoiceMailing.objects.all().delete()
        PaymentAllocation.objects.all().delete()
        Payment.objects.all().delete()
        Invoice.objects.all().delete()
        BillingRun.objects.all().delete()
        BillingSettings.objects.all().delete()
        customers = Customer.objects.filter(number__startswith="J")
        LedgerEntry.objects.filter(customer__in=customers).delete()
        Contact.objects.filter(customer__in=customers).delete()
        Mandate.objects.filter(customer__in=customers).delete()
        OrderLine.objects.filter(order__customer__in=customers).delete()
        Order.objects.filter(customer__in=customers).delete()
        MobileLine.objects.filter(customer__in=customers).delete()
        customers.delete()
        cursor.execute("SET session_replication_role = DEFAULT")
        from offers.models import Offer

        Offer.objects.filter(code__startswith="OJ-").delete()
    acme.sepa_creditor_id = acme.creditor_iban = acme.creditor_bic = ""
    acme.save()


def test_the_accountant_bills_the_month_and_the_customer_pays_in_the_portal(committed_db, page, site_url):
    from accounts.models import User
    from billing.models import BillingSettings, Invoice, SepaBatch
    from customers.models import Contact, Mandate
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    tag = uuid.uuid4().hex[:6]
    server = HTTPServer(("127.0.0.1", 0), _Verified)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    today = dt.date.today()
    month = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)
    period = f"{month.year:04d}-{month.month:02d}"
    acme.sepa_creditor_id, acme.creditor_iban, acme.creditor_bic = (
        "FR72ZZZ123456", "FR7610107001011234567890129", "BREDFRPPXXX",
    )  # fmt: skip
    acme.save()
    try:
        with in_schema(acme):
            BillingSettings.objects.create(
                paypal_enabled=True, paypal_email="pay@acme.example",
                paypal_verify_url=f"http://127.0.0.1:{server.server_port}/",
            )  # fmt: skip
            accountant = User(
                username=f"compta-{tag}", role="accountant", first_name="Anne", last_name="Compta"
            )
            accountant.set_password(PASSWORD)
            accountant.save()
            payer = customer("J1")
            sepa = customer("J2", payment_mode="sepa")
            for who in (payer, sepa):
                Contact.objects.create(
                    customer=who, role="billing", email=f"{who.number.lower()}-{tag}@client.example"
                )
            Mandate.objects.create(customer=sepa, rum=f"RUM-J2-{tag}", iban="FR1420041010050500013M02606",
                                   bic="PSSTFRPPPAR", signed_on=dt.date(2026, 1, 2))  # fmt: skip
            the_offer = offer(f"OJ-{tag}", "20.00")
            line(payer, the_offer, "33611000091", dt.date(2026, 1, 1))
            line(sepa, the_offer, "33611000092", dt.date(2026, 1, 1))
            portal_user = User(username=f"j1-{tag}", role="customer")
            portal_user.set_password(PASSWORD)
            portal_user.save()
            payer.portal_user = portal_user
            payer.save(update_fields=["portal_user"])
        mail.outbox = []
        page.on("dialog", lambda dialog: dialog.accept())

        page.goto(site_url("acme.localhost", "/login/"))
        page.fill("input[name=username]", f"compta-{tag}")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(site_url("acme.localhost", f"/billing/runs/?period={period}"))
        page.fill("#id_period", period)
        page.click("[data-testid=start-run]")
        page.wait_for_selector("[data-testid=run-status]")
        page.reload()
        assert page.inner_text("[data-testid=run-invoices]") == "2"
        assert "J1" in page.inner_text("main")  # the review lists each customer
        page.click("[data-testid=finalize]")
        page.wait_for_url("**/jobs/**")  # numbers, issuing and PDFs run as a job
        with in_schema(acme):
            from billing.models import BillingRun

            run_pk = BillingRun.objects.get(period=period).pk
        page.goto(site_url("acme.localhost", f"/billing/runs/{run_pk}/"))
        page.wait_for_selector("[data-testid=send-invoices]")

        with page.expect_download() as recap:
            page.click("[data-testid=recap-csv]")
        recap_text = Path(recap.value.path()).read_text(encoding="utf-8-sig")
        assert "J1" in recap_text and "J2" in recap_text

        page.click("[data-testid=sepa-file]")
        with in_schema(acme):
            batch = SepaBatch.objects.get()
        page.goto(site_url("acme.localhost", f"/billing/sepa/{batch.pk}/"))
        with page.expect_download() as sepa_file:
            page.click("[data-testid=sepa-download]")
        assert b"RUM-J2-" in Path(sepa_file.value.path()).read_bytes()

        page.goto(site_url("acme.localhost", "/billing/runs/"))
        page.click(f"a:has-text('{period}')")
        page.click("[data-testid=send-invoices]")
        page.wait_for_selector("[data-testid=email-status]")
        assert sorted(m.to[0] for m in mail.outbox) == [
            f"j1-{tag}@client.example",
            f"j2-{tag}@client.example",
        ]

        # The customer, in the portal.
        page.context.clear_cookies()
        page.goto(site_url("acme.localhost", "/portal/login/"))
        page.fill("input[name=username]", f"j1-{tag}")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(site_url("acme.localhost", "/portal/invoices/"))
        page.click("[data-testid=portal-invoice]")
        href = page.get_attribute("[data-testid=pay-invoice]", "href")
        assert href.startswith("https://www.paypal.com/cgi-bin/webscr?cmd=_xclick")
        with in_schema(acme):
            invoice = Invoice.objects.get(customer=payer)
        # PayPal takes the payment and notifies the site.
        notification = urlencode({
            "txn_id": f"TX{tag}", "payment_status": "Completed", "mc_gross": f"{invoice.total_incl_vat:.2f}",
            "mc_currency": "EUR", "receiver_email": "pay@acme.example", "custom": f"invoice:{invoice.pk}",
        })  # fmt: skip
        ipn_url = site_url("acme.localhost", "/paypal/ipn/").replace("acme.localhost", "127.0.0.1", 1)
        answer = requests.post(
            ipn_url,
            data=notification,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Host": site_url("acme.localhost", "/").split("/")[2],
            },
            timeout=30,
        )
        assert answer.status_code == 200
        page.reload()
        assert page.inner_text("[data-testid=portal-invoice-status]") == "Payée"
    finally:
        server.shutdown()
        server.server_close()
        _cleanup(acme)
