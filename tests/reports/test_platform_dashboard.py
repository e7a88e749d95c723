"""The platform admins' dashboard (public site): each tenant's figures read from its own schema,
for platform admins only, in a bounded number of queries; and its API."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from billing.models import BillingRun, RunStatus
from cdr_import.models import FeedFolder, FeedFolderKey
from provisioning.models import LineStatus, MobileLine
from tests.cdr_import.conftest import MOBILE_NUMBERS
from tests.conftest import in_schema

T0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
PLATFORM_URLS = "ism.urls_public"


@pytest.fixture
def two_tenants(acme_usage, nova_usage):
    """acme: 4 active, 1 suspended, 1 pending line, a feed folder in error, a draft run;
    nova: no mobile line, an error fetched again since, a finalized run and a cancelled one after."""
    with in_schema(acme_usage):
        MobileLine.objects.filter(msisdn=MOBILE_NUMBERS[0]).update(status=LineStatus.SUSPENDED)
        MobileLine.objects.filter(msisdn=MOBILE_NUMBERS[1]).update(status=LineStatus.PENDING)
        FeedFolder.objects.create(
            key=FeedFolderKey.RATED,
            last_run_at=T0 + dt.timedelta(hours=2),
            last_success_at=T0,
            last_error_at=T0 + dt.timedelta(hours=2),
            last_error="Connexion refusée par le serveur",
        )
        FeedFolder.objects.create(key=FeedFolderKey.SIM, last_run_at=T0, last_success_at=T0)
        BillingRun.objects.create(
            period="2026-10",
            period_start=dt.date(2026, 10, 1),
            period_end=dt.date(2026, 10, 31),
            status=RunStatus.DRAFT,
            created_at=T0,
        )
    with in_schema(nova_usage):
        FeedFolder.objects.create(
            key=FeedFolderKey.ACCOUNT_VGA,
            last_run_at=T0 + dt.timedelta(hours=5),
            last_success_at=T0 + dt.timedelta(hours=5),
            last_error_at=T0,
            last_error="Délai dépassé",
        )
        finalized = BillingRun.objects.create(
            period="2026-09",
            period_start=dt.date(2026, 9, 1),
            period_end=dt.date(2026, 9, 30),
            status=RunStatus.FINALIZED,
            created_at=T0 - dt.timedelta(days=30),
            finalized_at=T0 - dt.timedelta(days=29),
        )
        BillingRun.objects.create(
            period="2026-10",
            period_start=dt.date(2026, 10, 1),
            period_end=dt.date(2026, 10, 31),
            status=RunStatus.CANCELLED,
            created_at=T0,
        )
    return acme_usage, nova_usage, finalized


def _rows(response):
    return {row["tenant"].schema_name: row for row in response.context["rows"]}


def test_each_tenants_figures_come_from_its_own_schema(two_tenants, operator_client):
    acme, nova, nova_run = two_tenants
    response = operator_client.get(reverse("platform_dashboard", urlconf=PLATFORM_URLS))
    assert response.status_code == 200
    rows = _rows(response)
    a, n = rows["acme"]["figures"], rows["nova"]["figures"]
    assert (a.lines_active, a.lines_suspended, a.lines_pending) == (4, 1, 1)
    assert (n.lines_active, n.lines_suspended, n.lines_pending) == (0, 0, 0)
    assert a.last_fetch_at == T0 + dt.timedelta(hours=2)
    assert a.error_open and a.error_folder == FeedFolderKey.RATED and "refusée" in a.error
    assert n.error_at == T0 and not n.error_open  # fetched successfully since
    assert (a.run_period, a.run_status) == ("2026-10", RunStatus.DRAFT)
    # A cancelled run is not the last run: the finalized one before it is.
    assert (n.run_id, n.run_period, n.run_status) == (nova_run.pk, "2026-09", RunStatus.FINALIZED)
    assert a.last_import_at is not None
    assert rows["acme"]["steps_total"] >= rows["acme"]["steps_done"]
    assert response.context["totals"]["feed_errors"] >= 1
    page = response.content.decode()
    # In words, the French way, with links to the tenant's pages.
    assert "Connexion refusée" in page and "Brouillons prêts à contrôler" in page
    assert f"/billing/runs/{a.run_id}/" in page
    assert "/imports/feed/" in page
    assert reverse("platform:tenant_detail", args=[acme.pk], urlconf=PLATFORM_URLS) in page


def test_the_api_gives_the_same_figures(two_tenants, operator_api):
    response = operator_api.get("/api/v1/overview/")
    assert response.status_code == 200
    rows = {r["schema_name"]: r for r in response.json()["results"]}
    assert rows["acme"]["lines_active"] == 4 and rows["acme"]["lines_suspended"] == 1
    assert rows["acme"]["error_open"] is True and rows["acme"]["last_run_status"] == "draft"
    assert rows["nova"]["last_run_period"] == "2026-09" and rows["nova"]["error_open"] is False
    assert "public" not in rows
    schema = operator_api.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/overview/" in schema["paths"]


def test_only_platform_admins_see_it(two_tenants, platform, make_user, client_for, api_for):
    acme = two_tenants[0]
    url = reverse("platform_dashboard", urlconf=PLATFORM_URLS)
    anonymous = client_for(platform).get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert APIClient(HTTP_HOST="admin.localhost").get("/api/v1/overview/").status_code == 401
    # A public-site account that is not a platform admin.
    other = make_user(platform, "admin")
    assert client_for(platform, other).get(url).status_code == 403
    assert api_for(platform, other).get("/api/v1/overview/").status_code == 403
    # Tenant staff: the page and the API do not exist on a tenant's site.
    staff = make_user(acme, "admin")
    assert client_for(acme, staff).get(url).status_code == 404
    assert api_for(acme, staff).get("/api/v1/overview/").status_code == 404


def test_queries_stay_bounded_one_per_tenant(
    two_tenants, operator_client, operator_api, django_assert_max_num_queries
):
    from tenants.models import Tenant

    url = reverse("platform_dashboard", urlconf=PLATFORM_URLS)
    operator_client.get(url)
    tenants = Tenant.objects.exclude(schema_name="public").count()
    # Session, user, tenants + count, the migrated schemas, then one query per tenant.
    with django_assert_max_num_queries(12 + tenants):
        assert operator_client.get(url).status_code == 200
    with django_assert_max_num_queries(12 + tenants):
        assert operator_api.get("/api/v1/overview/").status_code == 200


def test_a_tenant_whose_schema_is_not_migrated_is_shown_without_figures(db):
    from reports.platform import _migrated_schemas

    assert _migrated_schemas(["acme", "no_such_schema"]) == {"acme"}
