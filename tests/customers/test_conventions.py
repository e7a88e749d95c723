"""Issue 8: the customers' services take the clock and the request's context from their caller,
and the API is made of ViewSets that keep every URL and name."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework import viewsets

from tests.conftest import in_schema
from tests.customers.conftest import VALID_BIC, VALID_IBAN

NOW = dt.datetime(2026, 3, 15, 9, 30, tzinfo=dt.UTC)


def test_archiving_and_revoking_are_dated_by_the_now_given(acme, make_customer):
    from customers.services import customer_archive, mandate_create, mandate_revoke

    customer = make_customer(acme, company_name="CLIENT HORLOGE")
    with in_schema(acme):
        mandate = mandate_create(customer=customer, by=None, now=NOW, iban=VALID_IBAN, bic=VALID_BIC)
        revoked = mandate_revoke(mandate=mandate, by=None, now=NOW + dt.timedelta(days=1))
        archived = customer_archive(customer=customer, by=None, now=NOW + dt.timedelta(days=2))
    assert revoked.ended_at == NOW + dt.timedelta(days=1)
    assert archived.archived_at == NOW + dt.timedelta(days=2)


def test_a_signature_date_after_the_today_given_is_refused(acme, make_customer):
    from core.errors import ApplicationError
    from customers.services import mandate_create, mandate_set_signed

    customer = make_customer(acme, company_name="CLIENT SIGNATURE")
    with in_schema(acme):
        mandate = mandate_create(customer=customer, by=None, now=NOW, iban=VALID_IBAN, bic=VALID_BIC)
        with pytest.raises(ApplicationError):
            mandate_set_signed(mandate=mandate, by=None, signed_on=dt.date(2026, 3, 16), today=NOW.date())
        signed = mandate_set_signed(mandate=mandate, by=None, signed_on=NOW.date(), today=NOW.date())
    assert signed.signed_on == NOW.date()


def test_a_ledger_entry_is_dated_on_the_day_of_now_and_a_suspension_at_now(acme, make_customer):
    from customers.services import charge_record

    customer = make_customer(acme, company_name="CLIENT STRICT", balance_policy="strict")
    with in_schema(acme):
        entry = charge_record(
            customer=customer, by=None, now=NOW, amount_ht=Decimal("10"), description="Frais"
        )
        customer.refresh_from_db()
    assert entry.entry_date == NOW.date()
    assert customer.suspended_for_balance and customer.suspended_for_balance_at == NOW


def test_the_api_records_where_a_customer_change_came_from(acme, make_user, make_customer, api_for):
    from audit.models import AuditEvent

    customer = make_customer(acme, company_name="CLIENT CONTEXTE")
    api = api_for(acme, make_user(acme, "sales"))
    response = api.patch(
        f"/api/v1/customers/{customer.pk}/",
        {"company_name": "CLIENT CONTEXTE DEUX"},
        format="json",
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="script/1.0",
    )
    assert response.status_code == 200
    with in_schema(acme):
        event = AuditEvent.objects.get(action="customer.updated", object_id=str(customer.pk))
    assert event.ip_address == "203.0.113.7" and event.user_agent == "script/1.0"
    assert event.path == f"/api/v1/customers/{customer.pk}/"


def test_the_staff_page_records_where_a_payment_came_from(acme, make_user, make_customer, client_for):
    from audit.models import AuditEvent

    customer = make_customer(acme, company_name="CLIENT PAIEMENT PAGE")
    client = client_for(acme, make_user(acme, "accountant"))
    client.post(
        f"/customers/{customer.pk}/payments/new/",
        {
            "payment-amount": "12.00",
            "payment-entry_date": "2026-03-01",
            "payment-method": "transfer",
            "payment-description": "",
        },
        REMOTE_ADDR="198.51.100.4",
    )
    with in_schema(acme):
        event = AuditEvent.objects.get(action="customer.ledger_payment", object_id=str(customer.pk))
    assert event.ip_address == "198.51.100.4"


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("api-customer-list", {}, "/api/v1/customers/"),
        ("api-customer-detail", {"pk": 1}, "/api/v1/customers/1/"),
        ("api-customer-send-logins", {"pk": 1}, "/api/v1/customers/1/send-logins/"),
        ("api-contact-list", {"customer_id": 1}, "/api/v1/customers/1/contacts/"),
        ("api-contact-detail", {"pk": 1}, "/api/v1/contacts/1/"),
        ("api-mandate-list", {"customer_id": 1}, "/api/v1/customers/1/mandates/"),
        ("api-mandate-detail", {"pk": 1}, "/api/v1/mandates/1/"),
        ("api-mandate-revoke", {"pk": 1}, "/api/v1/mandates/1/revoke/"),
        ("api-ledger-entry-list", {"customer_id": 1}, "/api/v1/customers/1/ledger-entries/"),
        ("api-ledger-entry-detail", {"pk": 1}, "/api/v1/ledger-entries/1/"),
        ("api-portal-me", {}, "/api/v1/portal/me/"),
        ("api-portal-ledger-entries", {}, "/api/v1/portal/me/ledger-entries/"),
        ("api-portal-ledger-entry", {"pk": 1}, "/api/v1/portal/me/ledger-entries/1/"),
        ("api-portal-mandates", {}, "/api/v1/portal/me/mandates/"),
        ("api-portal-mandate", {"pk": 1}, "/api/v1/portal/me/mandates/1/"),
        ("api-portal-contact", {"role": "billing"}, "/api/v1/portal/me/contacts/billing/"),
    ],
)
def test_every_customers_api_route_keeps_its_path_and_name(name, kwargs, path):
    assert reverse(name, kwargs=kwargs, urlconf="ism.urls_tenant") == path


def test_every_customers_and_offers_api_view_is_a_viewset():
    from customers import api_urls as customer_urls
    from offers import api_urls as offer_urls

    for pattern in [*customer_urls.urlpatterns, *offer_urls.urlpatterns]:
        assert issubclass(pattern.callback.cls, viewsets.GenericViewSet), pattern.name
