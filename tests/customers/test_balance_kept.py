"""Each customer's balance kept by PostgreSQL with its ledger (`CustomerBalance`, triggers of
`customers/migrations/0005_customer_balance.py`): always the sum of the entries whatever writes
them, in the tenant's own schema only, and what the watch list of low balances ranks."""

from decimal import Decimal

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from tests.conftest import in_schema


def _sums():
    from customers.models import LedgerEntry

    return {
        row["customer_id"]: row["s"]
        for row in LedgerEntry.objects.values("customer_id").annotate(s=Sum("amount_ttc")).order_by()
    }


def _kept():
    from customers.models import CustomerBalance

    return {b.customer_id: b.balance for b in CustomerBalance.objects.all()}


def test_the_balance_is_the_sum_of_the_entries_whatever_writes_them(acme, nova, make_customer):
    from customers.models import CustomerBalance, LedgerEntry
    from customers.services import ledger_entry_add

    first = make_customer(acme, company_name="PREMIER")
    second = make_customer(acme, company_name="SECOND")
    other = make_customer(nova, company_name="AUTRE TENANT")
    now = timezone.now()
    with in_schema(acme):
        assert not CustomerBalance.objects.exists()
        ledger_entry_add(customer=first, by=None, now=now, kind="invoice", amount_ttc=Decimal("-120.00"))
        ledger_entry_add(customer=first, by=None, now=now, kind="payment", amount_ttc=Decimal("100.00"))
        assert CustomerBalance.objects.get(customer=first).balance == Decimal("-20.00")
        # A bulk insert of several customers' entries (one statement), then a raw COPY.
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(customer=first, kind="payment", entry_date="2026-11-02", amount_ttc="20.00"),
                LedgerEntry(customer=second, kind="invoice", entry_date="2026-11-02", amount_ttc="-35.50"),
                LedgerEntry(customer=second, kind="invoice", entry_date="2026-11-03", amount_ttc="-4.50"),
            ]
        )
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                "COPY customers_ledgerentry (customer_id, kind, entry_date, description, method, amount_vat, "
                "amount_ttc, created_at) FROM STDIN"
            ) as copy,
        ):
            copy.write_row([second.pk, "payment", "2026-11-04", "", "", "0", "10.00", now])
        assert _kept() == _sums() == {first.pk: Decimal("0.00"), second.pk: Decimal("-30.00")}
        # The ledger is append-only, but a correction by hand or a purge keeps the balance right.
        LedgerEntry.objects.filter(customer=second, amount_ttc=Decimal("-4.50")).update(
            amount_ttc=Decimal("-5.50")
        )
        LedgerEntry.objects.filter(customer=first).delete()
        assert CustomerBalance.objects.get(customer=first).balance == Decimal("0.00")
        assert CustomerBalance.objects.get(customer=second).balance == Decimal("-31.00") == _sums()[second.pk]
    with in_schema(nova):  # the other tenant's balances never moved
        assert not CustomerBalance.objects.exists()
        ledger_entry_add(customer=other, by=None, now=now, kind="payment", amount_ttc=Decimal("5.00"))
        assert CustomerBalance.objects.get().balance == Decimal("5.00")
    with in_schema(acme):
        assert CustomerBalance.objects.get(customer=second).balance == Decimal("-31.00")


def test_the_low_balances_watch_list_ranks_the_kept_balances(acme, make_customer):
    from customers.services import ledger_entry_add
    from reports.selectors import watch_balances

    owes = make_customer(acme, company_name="DOIT BEAUCOUP")
    little = make_customer(acme, company_name="DOIT PEU")
    quiet = make_customer(acme, company_name="SANS MOUVEMENT")
    ahead = make_customer(acme, company_name="EN AVANCE")
    now = timezone.now()
    with in_schema(acme):
        ledger_entry_add(customer=owes, by=None, now=now, kind="invoice", amount_ttc=Decimal("-250.00"))
        ledger_entry_add(customer=little, by=None, now=now, kind="invoice", amount_ttc=Decimal("-3.20"))
        ledger_entry_add(customer=ahead, by=None, now=now, kind="payment", amount_ttc=Decimal("80.00"))
        listed = watch_balances(threshold=Decimal(10))
        assert [(c.pk, c.balance) for c in listed] == [
            (owes.pk, Decimal("-250.00")),
            (little.pk, Decimal("-3.20")),
            (quiet.pk, Decimal("0")),  # no entry yet: a balance of 0
        ]
        assert ahead.pk not in {c.pk for c in listed}
