"""The customer page's consumption tab (staff): its lines' usage over the month and 12 months,
each line's allowances as a filling bar, the figures one click away; isolation and query counts."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Sum
from django.urls import reverse

from cdr_import.models import Cdr
from customers.models import Customer
from offers.models import Allowance
from provisioning.models import MobileLine
from tests.cdr_import.conftest import MOBILE_NUMBERS
from tests.conftest import in_schema


def _customer_url(customer):
    return reverse("customers:detail", args=[customer.pk]) + "?tab=usage"


def test_the_tab_shows_the_customers_usage_equal_to_its_cdrs(acme_usage, make_user, client_for):
    with in_schema(acme_usage):
        customer = Customer.objects.get(number="C-FEED-1")
        cdrs = Cdr.objects.filter(customer=customer, start_time__gte=dt.datetime(2025, 12, 1, tzinfo=dt.UTC))
        own = cdrs.aggregate(events=Count("id"), volume=Sum("volume_bytes"))
        line = MobileLine.objects.get(msisdn=MOBILE_NUMBERS[3])
        data = Cdr.objects.filter(line_ref=MOBILE_NUMBERS[3], event_type="DATA").aggregate(
            v=Sum("volume_bytes")
        )["v"]
        Allowance.objects.create(
            offer=line.offer, event_type="DATA", unit="MB", quantity=Decimal(data) / 1_000_000 * 2
        )
    client = client_for(acme_usage, make_user(acme_usage, "admin"))
    response = client.get(_customer_url(customer))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-tab="usage"' in page and "Consommation" in page
    assert page.count("<svg") == 3
    # Every line of the customer (same offer): half of the data allowance used by line 3 in October,
    # but the bars show the current month.
    assert page.count('<progress class="allowance-bar"') == len(MOBILE_NUMBERS)
    assert reverse("reports:line_usage", args=[line.pk]) in page
    assert f"?customer={customer.pk}" in page
    export = client.get(reverse("reports:usage_export", args=["csv"]), {"customer": customer.pk})
    rows = b"".join(export.streaming_content).decode("utf-8-sig").strip().split("\r\n")[1:]
    assert sum(int(r.split(";")[1]) for r in rows) == own["events"]
    assert f"consommation_{customer.number}.csv" in export["Content-Disposition"]


def test_allowance_use_of_many_lines_matches_one_by_one(acme_usage):
    from reports.selectors import allowance_use, allowance_use_for_lines

    with in_schema(acme_usage):
        line = MobileLine.objects.get(msisdn=MOBILE_NUMBERS[3])
        Allowance.objects.create(offer=line.offer, event_type="DATA", unit="MB", quantity=Decimal(500))
        Allowance.objects.create(offer=line.offer, event_type="VOICE", unit="MIN", quantity=Decimal(60))
        october = dt.date(2026, 10, 1)
        lines = list(MobileLine.objects.all())
        together = allowance_use_for_lines(lines=lines, month=october)
        for each in lines:
            assert together[each.pk] == allowance_use(line=each, month=october)
        data = next(a for a in together[line.pk] if a["allowance"].unit == "MB")
        volume = Cdr.objects.filter(line_ref=MOBILE_NUMBERS[3], event_type="DATA").aggregate(
            v=Sum("volume_bytes")
        )["v"]
        assert data["used"] == Decimal(volume) / 1_000_000
        assert data["percent"] == min(Decimal(100), data["used"] / 500 * 100).quantize(Decimal(1))


def test_the_tab_keeps_a_bounded_number_of_queries(
    acme_usage, make_user, client_for, django_assert_max_num_queries
):
    with in_schema(acme_usage):
        customer = Customer.objects.get(number="C-FEED-1")
        line = MobileLine.objects.first()
        Allowance.objects.create(offer=line.offer, event_type="DATA", unit="MB", quantity=Decimal(500))
    client = client_for(acme_usage, make_user(acme_usage, "admin"))
    client.get(_customer_url(customer))
    with django_assert_max_num_queries(25):
        assert client.get(_customer_url(customer)).status_code == 200


def test_another_tenants_customer_cannot_be_reached(acme_usage, nova_usage, make_user, client_for):
    with in_schema(acme_usage):
        # An id nova has no customer with: acme's line moved to it, with its usage.
        customer = Customer.objects.create(pk=987654, number="C-ACME-ONLY", company_name="Acme seul")
        MobileLine.objects.filter(msisdn=MOBILE_NUMBERS[2]).update(customer=customer)
    acme_client = client_for(acme_usage, make_user(acme_usage, "admin"))
    assert MOBILE_NUMBERS[2] in acme_client.get(_customer_url(customer)).content.decode()
    nova_client = client_for(nova_usage, make_user(nova_usage, "admin"))
    assert nova_client.get(_customer_url(customer)).status_code == 404
    export = nova_client.get(reverse("reports:usage_export", args=["csv"]), {"customer": customer.pk})
    assert export.status_code == 404
