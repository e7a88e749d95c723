"""Fixed numbers: the inventory with an offer and a rate table; assign, unassign, move; pages with
history; API; isolation between tenants."""

import pytest

from core.errors import ApplicationError
from tests.conftest import in_schema
from tests.provisioning.lines_support import TODAY, make_customer, make_offer


def _services():
    from provisioning.services import fixed

    return fixed


def test_a_number_is_created_assigned_moved_and_unassigned(acme):
    from audit.selectors import audit_event_list

    s = _services()
    with in_schema(acme):
        offer = make_offer("FIXE10", price="10.00")
        first, second = make_customer("F1"), make_customer("F2")
        number = s.fixed_number_create(number="01 23 45 67 89", offer=offer, rate_table=None, by=None)
        assert number.number == "0123456789" and number.status == "available"
        with pytest.raises(ApplicationError, match="déjà dans"):
            s.fixed_number_create(number="0123456789", offer=offer, rate_table=None, by=None)
        with pytest.raises(ApplicationError, match="pas attribué"):
            s.fixed_number_move(fixed=number, customer=second, by=None, today=TODAY)
        number = s.fixed_number_assign(fixed=number, customer=first, by=None, today=TODAY)
        assert (number.customer, number.status, number.assigned_on) == (first, "active", TODAY)
        with pytest.raises(ApplicationError, match="déjà attribué"):
            s.fixed_number_assign(fixed=number, customer=second, by=None, today=TODAY)
        number = s.fixed_number_move(fixed=number, customer=second, by=None, today=TODAY)
        assert number.customer == second
        number = s.fixed_number_unassign(fixed=number, by=None, today=TODAY)
        assert number.customer is None and number.status == "available" and number.unassigned_on == TODAY
        actions = list(audit_event_list(obj=number).values_list("action", flat=True))
        assert actions == [
            "fixed_number.unassigned",
            "fixed_number.moved",
            "fixed_number.assigned",
            "fixed_number.created",
        ]


def test_a_number_needs_an_offer_to_be_assigned(acme):
    with in_schema(acme):
        number = _services().fixed_number_create(number="+33123456780", offer=None, rate_table=None, by=None)
        with pytest.raises(ApplicationError, match="offre"):
            _services().fixed_number_assign(fixed=number, customer=make_customer("F3"), by=None, today=TODAY)
        with pytest.raises(ApplicationError):
            _services().fixed_number_create(number="12ab", offer=None, rate_table=None, by=None)


def test_fixed_number_pages(acme, nova, make_user, client_for):
    with in_schema(acme):
        offer = make_offer("FIXE10", price="10.00")
        customer = make_customer("F4")
    with in_schema(nova):
        hidden = _services().fixed_number_create(number="0499999999", offer=None, rate_table=None, by=None)
    client = client_for(acme, make_user(acme, "support"))
    created = client.post("/lines/fixed/new/", {"number": "0140000000", "offer": offer.pk})
    assert created.status_code == 302
    detail_url = created["Location"]
    assert client.post(detail_url + "assign/", {"customer": customer.pk}).status_code == 302
    body = client.get(detail_url).content.decode()
    assert "F4" in body and 'data-action="fixed_number.assigned"' in body
    listing = client.get("/lines/fixed/?q=0140").content.decode()
    assert "0140000000" in listing and "0499999999" not in listing
    assert client.get(f"/lines/fixed/{hidden.pk}/").status_code == 404
    tab = client.get(f"/customers/{customer.pk}/?tab=lines").content.decode()
    assert "0140000000" in tab


def test_fixed_number_api(acme, nova, make_user, api_for):
    with in_schema(acme):
        offer = make_offer("FIXE10", price="10.00")
        customer = make_customer("F5")
    with in_schema(nova):
        hidden = _services().fixed_number_create(number="0499999999", offer=None, rate_table=None, by=None)
    api = api_for(acme, make_user(acme, "admin"))
    created = api.post("/api/v1/fixed-numbers/", {"number": "0150000000", "offer": offer.pk})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assigned = api.post(f"/api/v1/fixed-numbers/{pk}/assign/", {"customer": customer.pk})
    assert assigned.status_code == 200 and assigned.json()["customer"] == customer.pk
    refused = api.post(f"/api/v1/fixed-numbers/{pk}/assign/", {"customer": customer.pk})
    assert refused.status_code == 400
    assert api.post(f"/api/v1/fixed-numbers/{pk}/unassign/").json()["status"] == "available"
    assert api.get(f"/api/v1/fixed-numbers/{hidden.pk}/").status_code == 404
    assert (
        api.post(f"/api/v1/fixed-numbers/{hidden.pk}/assign/", {"customer": customer.pk}).status_code == 404
    )
