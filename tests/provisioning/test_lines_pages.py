"""Line pages and API: lists, detail, actions, bulk; tenant isolation; the header search; the
customer's tabs, archive blockers and catalogue items in use; bounded query counts."""

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from tests.conftest import in_schema
from tests.provisioning import lines_support
from tests.provisioning.lines_support import (
    make_customer,
    make_line,
    make_offer,
)

acme_line = lines_support.acme_line


@pytest.fixture
def nova_line(nova):
    with in_schema(nova):
        return make_line("33798765432", make_customer("NOVA1"), make_offer())


def test_the_line_list_filters_and_searches(acme, acme_line, make_user, client_for):
    line = acme_line("33611112222")
    acme_line("33633334444")
    client = client_for(acme, make_user(acme, "support"))
    page = client.get("/lines/?q=0611112")
    assert page.status_code == 200
    body = page.content.decode()
    assert "33611112222" in body and "33633334444" not in body
    assert "33633334444" in client.get("/lines/?status=active").content.decode()
    assert "33633334444" not in client.get(f"/lines/?customer={line.customer_id}").content.decode()
    detail = client.get(f"/lines/{line.pk}/")
    assert detail.status_code == 200 and b'data-testid="line-actions"' in detail.content


def test_the_line_list_keyset_pages(acme, make_user, client_for):
    with in_schema(acme):
        customer, offer = make_customer("PAGES"), make_offer()
        for i in range(55):
            make_line(f"3365000{i:04d}", customer, offer)
    client = client_for(acme, make_user(acme, "support"))
    first = client.get("/lines/").content.decode()
    assert ">33650000049<" in first and ">33650000050<" not in first
    import re

    cursor = re.search(r'href="\?(after=[^"]+)">', first)
    assert cursor is not None
    second = client.get("/lines/?" + cursor.group(1).replace("&amp;", "&")).content.decode()
    assert ">33650000050<" in second and ">33650000049<" not in second


def test_actions_from_the_pages(acme, acme_line, make_user, client_for):
    line = acme_line(commitment_months=12)
    client = client_for(acme, make_user(acme, "support"))
    confirm = client.get(f"/lines/{line.pk}/actions/terminate/")
    assert b'data-testid="termination-fee"' in confirm.content
    response = client.post(f"/lines/{line.pk}/actions/bar_outgoing/", {})
    assert response.status_code == 302
    refused = client.post(f"/lines/{line.pk}/actions/rename/", {"user_name": "Jean-Louis"})
    assert refused.status_code == 200 and "« - »" in refused.content.decode()
    with in_schema(acme):
        assert list(line.actions.values_list("kind", "status")) == [("bar_outgoing", "sent")]
    history = client.get(f"/lines/{line.pk}/").content.decode()
    assert 'data-action="bar_outgoing"' in history


def test_bulk_from_the_list_returns_the_job_page(acme, acme_line, make_user, client_for):
    lines = [acme_line("33612000001"), acme_line("33612000002")]
    client = client_for(acme, make_user(acme, "support"))
    response = client.post("/lines/bulk/", {"kind": "bar_all", "lines": [x.pk for x in lines]})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")


def test_an_accountant_cannot_act(acme, acme_line, make_user, client_for):
    line = acme_line()
    client = client_for(acme, make_user(acme, "accountant"))
    assert client.get(f"/lines/{line.pk}/").status_code == 200
    assert client.post(f"/lines/{line.pk}/actions/bar_outgoing/", {}).status_code == 403


def test_acme_cannot_act_on_novas_lines_by_page_or_api(acme, nova_line, make_user, client_for, api_for):
    user = make_user(acme, "admin")
    client = client_for(acme, user)
    assert client.get(f"/lines/{nova_line.pk}/").status_code == 404
    assert client.post(f"/lines/{nova_line.pk}/actions/bar_outgoing/", {}).status_code == 404
    api = api_for(acme, user)
    assert api.get(f"/api/v1/lines/{nova_line.pk}/").status_code == 404
    assert api.post(f"/api/v1/lines/{nova_line.pk}/actions/", {"kind": "bar_outgoing"}).status_code == 404
    assert "33798765432" not in api.get("/api/v1/lines/").content.decode()


def test_the_api_lists_lines_and_requests_actions(acme, acme_line, make_user, api_for):
    line = acme_line()
    api = api_for(acme, make_user(acme, "admin"))
    listed = api.get("/api/v1/lines/?q=33612").json()
    assert [x["msisdn"] for x in listed["results"]] == ["33612345678"]
    created = api.post(
        f"/api/v1/lines/{line.pk}/actions/", {"kind": "set_international", "international": "WORLD"}
    )
    assert created.status_code == 201 and created.json()["status"] == "sent"
    refused = api.post(
        f"/api/v1/lines/{line.pk}/actions/", {"kind": "set_international", "international": "EUROPE"}
    )
    assert refused.status_code == 400
    history = api.get(f"/api/v1/lines/{line.pk}/history/").json()
    assert [x["kind"] for x in history] == ["set_international"]
    bulk = api.post("/api/v1/line-actions/bulk/", {"kind": "bar_outgoing", "lines": [line.pk]}, format="json")
    assert bulk.status_code == 202 and bulk.json()["job"]


def test_the_header_search_finds_lines_and_customers_by_msisdn(acme, acme_line, make_user, client_for):
    line = acme_line("33687654321")
    client = client_for(acme, make_user(acme, "support"))
    body = client.get("/search/?q=0687654").content.decode()
    assert f"/lines/{line.pk}/" in body
    assert f"/customers/{line.customer_id}/" in body


def test_the_customer_tabs_show_its_lines(acme, acme_line, make_user, client_for):
    line = acme_line("33622223333")
    client = client_for(acme, make_user(acme, "support"))
    body = client.get(f"/customers/{line.customer_id}/?tab=lines").content.decode()
    assert 'data-testid="customer-lines"' in body and "33622223333" in body
    orders = client.get(f"/customers/{line.customer_id}/?tab=orders").content.decode()
    assert 'data-testid="customer-orders"' in orders


def test_a_customer_with_live_lines_or_numbers_cannot_be_archived(acme, acme_line):
    from customers.selectors import customer_archive_blockers
    from customers.services import customer_archive
    from provisioning.models import FixedNumber

    line = acme_line("33644445555")
    with in_schema(acme):
        customer = line.customer
        FixedNumber.objects.create(number="0123456789", customer=customer, status="active")
        reasons = customer_archive_blockers(customer=customer)
        assert any("33644445555" in r for r in reasons) and any("0123456789" in r for r in reasons)
        with pytest.raises(ApplicationError):
            customer_archive(customer=customer, by=None, now=timezone.now())
        line.status = "terminated"
        line.save()
        FixedNumber.objects.filter(customer=customer).update(customer=None, status="available")
        assert customer_archive_blockers(customer=customer) == []


def test_offers_and_options_in_use_on_a_line_cannot_be_deleted(acme, acme_line):
    from offers.models import Offer, Option
    from offers.services import catalogue_item_delete

    line = acme_line()
    with in_schema(acme):
        option = Option.objects.create(code="OPT1", label="Option")
        line.options.add(option)
        with pytest.raises(ApplicationError, match="est utilisé"):
            catalogue_item_delete(item=line.offer, by=None)
        with pytest.raises(ApplicationError, match="est utilisé"):
            catalogue_item_delete(item=option, by=None)
        unused = make_offer("UNUSED")
        catalogue_item_delete(item=unused, by=None)
        assert not Offer.objects.filter(code="UNUSED").exists()


def test_list_and_search_queries_are_bounded(acme, make_user, client_for, django_assert_max_num_queries):
    with in_schema(acme):
        customer, offer = make_customer("BOUND"), make_offer()
        for i in range(60):
            make_line(f"3366600{i:04d}", customer, offer)
    client = client_for(acme, make_user(acme, "support"))
    with django_assert_max_num_queries(15):
        assert client.get("/lines/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/search/?q=336660").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/api/v1/lines/").status_code in (200, 401, 403)
