"""The customer list stays quick on 10,000 customers."""

import time

from tests.conftest import in_schema


def test_list_and_search_on_ten_thousand_customers(
    acme, make_user, client_for, django_assert_max_num_queries
):
    from customers.models import Contact, Customer, LedgerEntry

    with in_schema(acme):
        customers = Customer.objects.bulk_create(
            Customer(number=f"Z{i:06d}", company_name=f"ENTREPRISE {i:05d} LAMBDA", billing_city="Lyon")
            for i in range(10_000)
        )
        Contact.objects.bulk_create(
            Contact(customer=c, role="billing", email=f"contact{i}@ex.example", phone_digits=f"06{i:08d}")
            for i, c in enumerate(customers)
        )
        LedgerEntry.objects.bulk_create(
            LedgerEntry(customer=c, kind="payment", entry_date="2026-01-01", amount_ttc="10.00")
            for c in customers
        )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE customers_customer; ANALYZE customers_contact; ANALYZE customers_ledgerentry"
            )
    client = client_for(acme, make_user(acme, "support"))
    for params in (
        {},
        {"q": "04321"},
        {"q": "contact777@"},
        {"q": "06 00 00 12 34"},
        {"sort": "-balance", "page": "50"},
    ):
        started = time.monotonic()
        with django_assert_max_num_queries(12):
            response = client.get("/customers/", params)
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        assert elapsed < 3, (params, elapsed)
    assert "ENTREPRISE 04321 LAMBDA" in client.get("/customers/", {"q": "04321"}).content.decode()
    assert "ENTREPRISE 00777 LAMBDA" in client.get("/customers/", {"q": "contact777@"}).content.decode()
    assert "ENTREPRISE 01234 LAMBDA" in client.get("/customers/", {"q": "06 00 00 12 34"}).content.decode()
