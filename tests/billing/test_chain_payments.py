"""Payments and their rejections are links of the inalterability chain: `billing_verify` names a
payment or a rejection changed behind the application's back."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from billing.chain import chain_verify
from billing.models import Payment
from billing.services_payments import payment_record, payment_reject
from tests.billing.conftest import customer
from tests.billing.issued import NOW, issued_invoice
from tests.conftest import in_schema

TODAY = dt.date(2027, 2, 10)


def _verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("billing_verify", "--tenant", "acme", stdout=out)
    except SystemExit as exit_status:
        return int(exit_status.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_payments_and_rejections_are_chained_and_a_change_behind_the_back_is_named(acme):
    with in_schema(acme):
        cust = customer("C1")
        issued_invoice(cust, number="FA-1")
        cheque = payment_record(
            customer=cust, channel="cheque", amount="24,00", received_on=TODAY, reference="CHQ 1",
            by=None, now=NOW, today=TODAY,
        )  # fmt: skip
        transfer = payment_record(
            customer=cust, channel="transfer", amount="10", received_on=TODAY, by=None, now=NOW, today=TODAY
        )
        payment_reject(payment=cheque, code="MS03", rejected_on=TODAY, by=None, now=NOW, today=TODAY)
        cheque.refresh_from_db()
        transfer.refresh_from_db()
        # recorded in order: the cheque, the transfer, then the cheque's rejection
        assert (cheque.chain_index, transfer.chain_index, cheque.reject_chain_index) == (1, 2, 3)
        assert transfer.previous_sha256 == cheque.content_sha256
        assert cheque.reject_previous_sha256 == transfer.content_sha256
    assert _verify() == (0, "OK: 3 records, the chain is unbroken.\n")

    with in_schema(acme):  # an amount changed in SQL
        Payment.objects.filter(pk=transfer.pk).update(amount_incl_vat="100.00")
    status, report = _verify()
    assert status == 1 and "payment" in report and f"id {transfer.pk}" in report
    assert "content was changed" in report and f"id {cheque.pk}" not in report

    with in_schema(acme):  # put back, then the rejection's reason changed
        Payment.objects.filter(pk=transfer.pk).update(amount_incl_vat="10.00")
        Payment.objects.filter(pk=cheque.pk).update(reject_code="AC01")
    status, report = _verify()
    assert status == 1 and "payment_rejection" in report and f"id {cheque.pk}" in report
    assert f"id {transfer.pk}" not in report

    with in_schema(acme), connection.cursor() as cursor:  # the rejection erased altogether
        Payment.objects.filter(pk=cheque.pk).update(reject_code="MS03")
        cursor.execute(
            "UPDATE billing_payment SET reject_chain_index = NULL, status = 'received' WHERE id = %s",
            [cheque.pk],
        )
        count, breaks = chain_verify()
    assert count == 2 and any("removed" in b.problem for b in breaks)


def test_the_migration_chains_payments_recorded_before(acme):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("billing.migrations.0004_payments_in_the_chain")
    with in_schema(acme):
        cust = customer("C1")
        first = payment_record(
            customer=cust, channel="cash", amount="5", received_on=TODAY, by=None, now=NOW, today=TODAY
        )
        payment_reject(payment=first, code="AM04", rejected_on=TODAY, by=None, now=NOW, today=TODAY)
        second = payment_record(
            customer=cust, channel="cash", amount="7", received_on=TODAY, by=None, now=NOW, today=TODAY
        )
        # as before the migration: no link at all
        Payment.objects.update(
            chain_index=None, content_sha256="", previous_sha256="", reject_chain_index=None, reject_sha256="",
            reject_previous_sha256="",
        )  # fmt: skip
        from billing.models import ChainHead

        ChainHead.objects.update(last_index=0, last_sha256="")
        migration.chain_existing_payments(apps, None)
        count, breaks = chain_verify()
        assert count == 3 and breaks == []
        assert Payment.objects.get(pk=second.pk).chain_index == 2


@pytest.mark.parametrize("field", ["received_on", "reference"])
def test_any_chained_field_of_a_payment_is_covered(acme, field):
    with in_schema(acme):
        cust = customer("C1")
        payment = payment_record(
            customer=cust, channel="transfer", amount="3", received_on=TODAY, by=None, now=NOW, today=TODAY
        )
        value = TODAY - dt.timedelta(days=3) if field == "received_on" else "changed"
        Payment.objects.filter(pk=payment.pk).update(**{field: value})
        _count, breaks = chain_verify()
    assert [b.record_id for b in breaks] == [payment.pk]
