"""The ledger, the balance derived from it, the strict balance policy and archiving."""

from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from tests.conftest import in_schema


def test_balance_is_the_sum_of_payments_and_charges_incl_vat(acme, make_user, make_customer):
    from customers.selectors import customer_balance
    from customers.services import charge_record, payment_record

    accountant = make_user(acme, "accountant")
    customer = make_customer(acme)
    with in_schema(acme):
        charge = charge_record(
            now=timezone.now(),
            customer=customer,
            by=accountant,
            amount_ht="10.00",
            vat_rate="20",
            description="Frais",
        )
        assert (charge.amount_ht, charge.amount_vat, charge.amount_ttc) == (
            Decimal("10.00"),
            Decimal("2.00"),
            Decimal("-12.00"),
        )
        payment_record(now=timezone.now(), customer=customer, by=accountant, amount="5.50", method="cheque")
        assert customer_balance(customer=customer) == Decimal("-6.50")


def test_a_mistaken_entry_is_corrected_by_a_reversing_entry_only_once(acme, make_customer):
    from customers.models import LedgerEntry
    from customers.selectors import customer_balance
    from customers.services import ledger_entry_reverse, payment_record

    customer = make_customer(acme)
    with in_schema(acme):
        wrong = payment_record(now=timezone.now(), customer=customer, by=None, amount=Decimal("100"))
        reversal = ledger_entry_reverse(now=timezone.now(), entry=wrong, by=None, reason="double saisie")
        assert reversal.amount_ttc == Decimal("-100.00") and reversal.reverses == wrong
        assert customer_balance(customer=customer) == Decimal("0")
        assert LedgerEntry.objects.filter(customer=customer).count() == 2
        with pytest.raises(ApplicationError):
            ledger_entry_reverse(now=timezone.now(), entry=wrong, by=None)
        with pytest.raises(ApplicationError):
            ledger_entry_reverse(now=timezone.now(), entry=reversal, by=None)


def test_floats_and_negative_payments_are_refused(acme, make_customer):
    from customers.services import payment_record

    customer = make_customer(acme)
    with in_schema(acme):
        with pytest.raises(ApplicationError):
            payment_record(now=timezone.now(), customer=customer, by=None, amount=12.5)
        with pytest.raises(ApplicationError):
            payment_record(now=timezone.now(), customer=customer, by=None, amount="-3")


@pytest.fixture
def handler_calls():
    from customers.hooks import register_balance_policy_handler, unregister_balance_policy_handler

    calls: list[tuple[str, str]] = []

    def handler(customer, action):
        calls.append((customer.number, action))

    register_balance_policy_handler(handler)
    yield calls
    unregister_balance_policy_handler(handler)


def test_strict_customer_is_suspended_once_when_balance_falls_and_reactivated_by_a_payment(
    acme, make_customer, handler_calls, django_capture_on_commit_callbacks
):
    from audit.models import AuditEvent
    from customers.services import charge_record, payment_record

    customer = make_customer(acme, balance_policy="strict", balance_mode="prepaid")

    def step(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            service(customer=customer, by=None, now=timezone.now(), **kwargs)

    with in_schema(acme):
        step(payment_record, amount="20")
        step(charge_record, amount_ht="10", vat_rate="20", description="Forfait")
        assert handler_calls == []
        step(charge_record, amount_ht="10", vat_rate="20", description="Forfait")  # exactly 0: suspended
        step(charge_record, amount_ht="5", vat_rate="20", description="Option")
        assert handler_calls == [(customer.number, "suspend")]
        customer.refresh_from_db()
        assert customer.suspended_for_balance and customer.suspended_for_balance_at
        step(payment_record, amount="3")  # still below zero: -6 + 3
        assert handler_calls == [(customer.number, "suspend")]
        step(payment_record, amount="10")
        assert handler_calls == [(customer.number, "suspend"), (customer.number, "reactivate")]
        customer.refresh_from_db()
        assert not customer.suspended_for_balance
        events = list(
            AuditEvent.objects.filter(object_id=str(customer.pk), action__in=AUTOMATIC)
            .order_by("at", "id")
            .values_list("action", "actor_label")
        )
    assert events == [
        ("customer.suspended_for_balance", "system"),
        ("customer.reactivated_after_payment", "system"),
    ]


AUTOMATIC = ["customer.suspended_for_balance", "customer.reactivated_after_payment"]


def test_permissive_customer_is_never_suspended(
    acme, make_customer, handler_calls, django_capture_on_commit_callbacks
):
    from customers.services import charge_record

    customer = make_customer(acme)
    with in_schema(acme), django_capture_on_commit_callbacks(execute=True):
        charge_record(now=timezone.now(), customer=customer, by=None, amount_ht="50", description="Frais")
        customer.refresh_from_db()
    assert handler_calls == [] and not customer.suspended_for_balance


def test_deletion_is_refused_with_the_reasons_then_the_customer_is_archived_not_erased(acme, make_customer):
    from customers.hooks import register_archive_blocker, unregister_archive_blocker
    from customers.models import Customer
    from customers.services import charge_record, customer_archive, payment_record

    customer = make_customer(acme, login_email="lea@client.example")

    def lines_blocker(c):
        return ["2 lignes actives : résiliez-les d'abord."] if c.pk == customer.pk else []

    register_archive_blocker(lines_blocker)
    try:
        with in_schema(acme):
            charge_record(now=timezone.now(), customer=customer, by=None, amount_ht="10", description="Frais")
            with pytest.raises(ApplicationError) as exc:
                customer_archive(now=timezone.now(), customer=customer, by=None)
            assert "2 lignes actives" in exc.value.message and "12,00" in exc.value.message
            assert len(exc.value.extra["reasons"]) == 2
            payment_record(now=timezone.now(), customer=customer, by=None, amount="12")
            with pytest.raises(ApplicationError) as exc:
                customer_archive(now=timezone.now(), customer=customer, by=None)
            assert exc.value.extra["reasons"] == ["2 lignes actives : résiliez-les d'abord."]
    finally:
        unregister_archive_blocker(lines_blocker)
    with in_schema(acme):
        customer_archive(now=timezone.now(), customer=customer, by=None)
        customer = Customer.objects.get(pk=customer.pk)
        assert customer.status == "archived" and customer.ledger_entries.count() == 2
        assert not customer.portal_user.is_active


def test_switching_an_indebted_customer_to_strict_suspends_it_and_back_to_permissive_reactivates(
    acme, make_customer, handler_calls, django_capture_on_commit_callbacks
):
    from customers.services import charge_record, customer_update

    customer = make_customer(acme)
    with in_schema(acme):
        charge_record(now=timezone.now(), customer=customer, by=None, amount_ht="10", description="Frais")
        with django_capture_on_commit_callbacks(execute=True):
            customer_update(now=timezone.now(), customer=customer, by=None, data={"balance_policy": "strict"})
        with django_capture_on_commit_callbacks(execute=True):
            customer_update(
                now=timezone.now(), customer=customer, by=None, data={"balance_policy": "permissive"}
            )
    assert handler_calls == [(customer.number, "suspend"), (customer.number, "reactivate")]
