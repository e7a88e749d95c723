"""PayPal IPN against a local server playing PayPal's check: VERIFIED credits once per transaction
id; INVALID (forged), replayed, or not to the tenant's account credits nothing."""

import datetime as dt
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlencode

import pytest

from billing.models import BillingSettings, InvoiceStatus, Payment, PayPalNotification
from billing.services_paypal import paypal_ipn_receive
from tests.billing.conftest import customer
from tests.billing.issued import NOW, issued_invoice
from tests.conftest import in_schema

TODAY = dt.date(2027, 2, 5)


class _PayPal(BaseHTTPRequestHandler):
    answer = "VERIFIED"
    bodies: list[bytes] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).bodies.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(type(self).answer.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def paypal():
    server = HTTPServer(("127.0.0.1", 0), _PayPal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _PayPal.answer = "VERIFIED"
    _PayPal.bodies = []
    yield server, _PayPal
    server.shutdown()
    server.server_close()


def _ipn(**fields) -> bytes:
    base = {
        "txn_id": "8XY12345AB",
        "payment_status": "Completed",
        "mc_gross": "24.00",
        "mc_currency": "EUR",
        "receiver_email": "pay@acme.example",
        "payer_email": "client@example.com",
        "custom": "",
    }
    base.update(fields)
    return urlencode(base).encode()


def _settings(server):
    BillingSettings.objects.create(
        paypal_enabled=True,
        paypal_email="pay@acme.example",
        paypal_verify_url=f"http://127.0.0.1:{server.server_port}/cgi-bin/webscr",
    )


def test_a_verified_notification_pays_the_invoice_once(acme, paypal):
    server, handler = paypal
    with in_schema(acme):
        _settings(server)
        invoice = issued_invoice(customer("C1"), number="FA-1")
        raw = _ipn(custom=f"invoice:{invoice.pk}")
        note = paypal_ipn_receive(raw=raw, now=NOW, today=TODAY)
        assert note.outcome == "credited"
        assert handler.bodies == [b"cmd=_notify-validate&" + raw]  # posted back as received
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.PAID
        payment = Payment.objects.get()
        assert payment.channel == "paypal" and payment.amount_incl_vat == Decimal("24.00")
        assert payment.external_id == "paypal:8XY12345AB"
        replay = paypal_ipn_receive(raw=raw, now=NOW, today=TODAY)
        assert replay.outcome == "replayed" and Payment.objects.count() == 1


def test_a_forged_notification_credits_nothing(acme, paypal):
    server, handler = paypal
    handler.answer = "INVALID"
    with in_schema(acme):
        _settings(server)
        invoice = issued_invoice(customer("C1"), number="FA-1")
        note = paypal_ipn_receive(raw=_ipn(custom=f"invoice:{invoice.pk}"), now=NOW, today=TODAY)
        assert note.outcome == "invalid" and not Payment.objects.exists()
        handler.answer = "VERIFIED"
        wrong = paypal_ipn_receive(
            raw=_ipn(txn_id="T2", receiver_email="thief@example.com", custom=f"invoice:{invoice.pk}"),
            now=NOW, today=TODAY,
        )  # fmt: skip
        pending = paypal_ipn_receive(raw=_ipn(txn_id="T3", payment_status="Pending"), now=NOW, today=TODAY)
        assert wrong.outcome == pending.outcome == "ignored" and not Payment.objects.exists()
        assert PayPalNotification.objects.count() == 3


def test_an_unreachable_check_credits_nothing(acme):
    with in_schema(acme):
        BillingSettings.objects.create(
            paypal_enabled=True, paypal_email="pay@acme.example", paypal_verify_url="http://127.0.0.1:9/"
        )
        assert paypal_ipn_receive(raw=_ipn(), now=NOW, today=TODAY).outcome == "invalid"


def test_a_top_up_credits_the_balance(acme, paypal):
    server, _handler = paypal
    with in_schema(acme):
        _settings(server)
        cust = customer("C1")
        note = paypal_ipn_receive(raw=_ipn(custom=f"topup:{cust.pk}", mc_gross="20.00"), now=NOW, today=TODAY)
        assert note.outcome == "credited"
        assert cust.ledger_entries.get().amount_ttc == Decimal("20.00")
        assert not note.payment.allocations.exists()
