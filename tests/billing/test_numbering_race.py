"""Two finalizations racing, in real concurrent transactions (threads with their own connections,
on committed data): the invoice series stays gapless, each run's numbers contiguous."""

import threading

from django.db import connection

from billing.issuing import billing_run_finalize
from billing.models import BillingRun, Invoice
from tests.billing.issuing_helpers import NOW, TODAY, customer, draft_run
from tests.conftest import in_schema

TABLES = (
    "billing_invoiceline, billing_invoicevat, billing_creditnoteline, billing_creditnotevat, billing_creditnote, "
    "billing_invoice, billing_billingrun, billing_numbercounter, billing_chainhead"
)


def _wipe():
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # the immutability triggers stand aside
        cursor.execute(f"TRUNCATE {TABLES} CASCADE")
        cursor.execute("DELETE FROM customers_ledgerentry WHERE kind = 'invoice'")
        cursor.execute("DELETE FROM customers_customer WHERE number LIKE 'RACE%%'")
        cursor.execute("SET session_replication_role = DEFAULT")


def test_two_finalizations_at_once_give_gapless_contiguous_numbers(committed_db):
    from tenants.models import Tenant, TenantInvoiceSettings

    acme = Tenant.objects.get(schema_name="acme")
    with in_schema(acme):
        _wipe()
        TenantInvoiceSettings.objects.update_or_create(
            tenant=acme, defaults={"number_format": "R{YYYY}-{SEQ:5}"}
        )
        runs = [
            draft_run("2026-11", [customer(f"RACE-A{i:02d}") for i in range(12)]),
            draft_run("2026-12", [customer(f"RACE-B{i:02d}") for i in range(12)]),
        ]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def finalize(run: BillingRun) -> None:
        try:
            with in_schema(acme):
                barrier.wait(timeout=30)
                billing_run_finalize(run=run, tenant=acme, by=None, now=NOW, today=TODAY)
        except BaseException as exc:  # reported below, from the main thread
            errors.append(exc)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=finalize, args=(run,)) for run in runs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        with in_schema(acme):
            sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
            assert sequences == list(range(1, 25))  # no hole, no number twice
            for run in runs:
                own = sorted(Invoice.objects.filter(run=run).values_list("sequence", flat=True))
                assert own == list(range(own[0], own[0] + 12))  # the numbering step is atomic per run
            assert len(set(Invoice.objects.values_list("number", flat=True))) == 24
    finally:
        with in_schema(acme):
            _wipe()
