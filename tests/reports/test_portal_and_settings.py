"""The portal's consumption page (data per month and its greenhouse-gas equivalent) and the
tenant's factor setting."""

from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse

from audit.models import AuditEvent
from cdr_import.models import Cdr
from customers.models import Customer
from provisioning.models import MobileLine
from reports.models import ReportSettings
from tests.cdr_import.conftest import MOBILE_NUMBERS
from tests.conftest import in_schema


def _portal_client(tenant, make_user, client_for):
    user = make_user(tenant, "customer")
    with in_schema(tenant):
        Customer.objects.filter(number="C-FEED-1").update(portal_user=user)
    return client_for(tenant, user)


def test_portal_shows_each_months_data_and_its_greenhouse_gas_equivalent(acme_usage, make_user, client_for):
    with in_schema(acme_usage):
        ReportSettings.objects.create(ghg_grams_per_gb=Decimal("40"))
    client = _portal_client(acme_usage, make_user, client_for)
    response = client.get(reverse("portal_usage"))
    assert response.status_code == 200
    line = next(i for i in response.context["lines"] if i["line"].msisdn == MOBILE_NUMBERS[3])
    october = next(m for m in line["months"] if m["month"].month == 10 and m["month"].year == 2026)
    with in_schema(acme_usage):
        volume = Cdr.objects.filter(line_ref=MOBILE_NUMBERS[3]).aggregate(v=Sum("volume_bytes"))["v"]
    assert october["data_mb"] == Decimal(volume) / 1_000_000
    assert october["ghg_grams"] == Decimal(volume) / 1_000_000_000 * 40
    assert b"<svg" in response.content and "CO2e" in response.content.decode()


def test_portal_shows_only_the_customers_own_lines(acme_usage, make_user, client_for):
    with in_schema(acme_usage):
        other = Customer.objects.create(number="C-OTHER", company_name="Autre SA")
        MobileLine.objects.filter(msisdn=MOBILE_NUMBERS[0]).update(customer=other)
    client = _portal_client(acme_usage, make_user, client_for)
    shown = {i["line"].msisdn for i in client.get(reverse("portal_usage")).context["lines"]}
    assert shown == set(MOBILE_NUMBERS[1:])
    staff = client_for(acme_usage, make_user(acme_usage, "admin"))
    assert staff.get(reverse("portal_usage")).status_code in (302, 403, 404)


def test_the_factor_is_a_tenant_setting_typed_the_french_way_and_audited(acme, nova, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))
    assert client.get(reverse("reports:settings")).status_code == 200
    response = client.post(reverse("reports:settings"), {"ghg_grams_per_gb": "52,5"})
    assert response.status_code == 302
    refused = client.post(reverse("reports:settings"), {"ghg_grams_per_gb": "-1"})
    assert refused.status_code == 200 and refused.context["form"].errors.keys() == {"ghg_grams_per_gb"}
    with in_schema(acme):
        assert ReportSettings.objects.get().ghg_grams_per_gb == Decimal("52.5")
        assert AuditEvent.objects.filter(action="report_settings.updated").count() == 1
    with in_schema(nova):
        assert not ReportSettings.objects.exists()
    sales = client_for(acme, make_user(acme, "sales"))
    assert sales.get(reverse("reports:settings")).status_code == 403
