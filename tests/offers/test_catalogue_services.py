"""Issue 8: one typed service per catalogue write, holding its transaction and its audit, used
by the pages and the API alike."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.conftest import in_schema

VOICE_2H = {"event_type": "VOICE", "zones": "fr_mobile", "quantity": Decimal("120"), "unit": "MIN"}


def test_an_offer_is_created_with_its_allowances_and_both_are_audited(acme, make_user):
    from audit.context import AuditContext
    from audit.models import AuditEvent
    from offers.services import offer_create

    admin = make_user(acme, "admin")
    context = AuditContext(ip="192.0.2.10", user_agent="test", path="/catalogue/offers/new/")
    with in_schema(acme):
        offer = offer_create(
            by=admin,
            context=context,
            code="SRV-2H",
            label="Forfait 2h",
            commitment_12=True,
            allowances=[VOICE_2H],
        )
        assert offer.commitment_choices == [0, 12] and offer.vat_rate == Decimal(20)
        assert [(a.zones, a.quantity) for a in offer.allowances.all()] == [("FR_MOBILE", Decimal("120"))]
        events = AuditEvent.objects.filter(object_id=str(offer.pk), object_type="offers.offer")
        assert sorted(e.action for e in events) == ["offer.allowances_changed", "offer.created"]
        assert {e.ip_address for e in events} == {"192.0.2.10"}
        assert {e.actor_id for e in events} == {admin.pk}


def test_a_refused_allowance_leaves_no_offer_behind(acme, make_user):
    from core.errors import ApplicationError
    from offers.models import Offer
    from offers.services import offer_create

    admin = make_user(acme, "admin")
    with in_schema(acme):
        with pytest.raises(ApplicationError) as refused:
            offer_create(by=admin, code="SRV-BAD", label="x", allowances=[{**VOICE_2H, "unit": "MB"}])
        assert refused.value.field == "unit"
        assert not Offer.objects.filter(code="SRV-BAD").exists()


def test_an_offer_update_keeps_its_allowances_unless_given_and_audits_the_changes(acme, make_user):
    from audit.models import AuditEvent
    from offers.services import offer_create, offer_update

    admin = make_user(acme, "admin")
    with in_schema(acme):
        offer = offer_create(by=admin, code="SRV-UPD", label="Avant", allowances=[VOICE_2H])
        fields = {
            name: getattr(offer, name)
            for name in (
                "code", "price", "vat_rate", "billing_timing", "prorated", "commitment_none",
                "commitment_12", "commitment_24", "termination_rule", "default_rate_table",
                "valid_from", "valid_to",
            )
        }  # fmt: skip
        updated = offer_update(offer=offer, by=admin, **{**fields, "label": "Après"})
        assert updated.label == "Après" and updated.allowances.count() == 1
        event = AuditEvent.objects.get(action="offer.updated", object_id=str(offer.pk))
        assert event.changes == {"label": ["Avant", "Après"]}
        offer_update(offer=offer, by=admin, **{**fields, "label": "Après"}, allowances=[])
        assert updated.allowances.count() == 0


def test_the_item_rules_hold_for_each_kind(acme, make_user):
    from core.errors import ApplicationError
    from offers.services import offer_create, option_create, product_create, terminal_create

    admin = make_user(acme, "admin")
    with in_schema(acme):
        with pytest.raises(ApplicationError) as no_commitment:
            offer_create(by=admin, code="SRV-NC", label="x", commitment_none=False)
        assert no_commitment.value.field == "commitment_none"
        with pytest.raises(ApplicationError) as backwards:
            offer_create(
                by=admin,
                code="SRV-BW",
                label="x",
                valid_from=dt.date(2026, 5, 1),
                valid_to=dt.date(2026, 4, 1),
            )
        assert backwards.value.field == "valid_to"
        with pytest.raises(ApplicationError) as negative:
            option_create(by=admin, code="SRV-NEG", label="x", price=Decimal("-1"))
        assert negative.value.field == "price"
        with pytest.raises(ApplicationError) as vat:
            product_create(by=admin, code="SRV-VAT", label="x", vat_rate=Decimal("120"))
        assert vat.value.field == "vat_rate"
        with pytest.raises(ApplicationError) as half:
            terminal_create(by=admin, code="SRV-T", label="x", brand="B", model="M", instalment_months=24)
        assert half.value.field == "instalment_months"
        phone = terminal_create(
            by=admin, code="SRV-T2", label="x", brand="B", model="M", rental_price=Decimal("9.99")
        )
        assert phone.rental_price == Decimal("9.99") and phone.instalment_months is None


def test_an_api_patch_changes_only_the_fields_given_through_the_typed_service(acme, make_user, api_for):
    from audit.models import AuditEvent
    from offers.models import Offer
    from offers.services import offer_create

    admin = make_user(acme, "admin")
    with in_schema(acme):
        offer = offer_create(
            by=admin,
            code="SRV-API",
            label="Avant",
            price=Decimal("9.99"),
            commitment_24=True,
            allowances=[VOICE_2H],
        )
    api = api_for(acme, admin)
    response = api.patch(
        f"/api/v1/offers/{offer.pk}/", {"label": "Après"}, format="json", REMOTE_ADDR="192.0.2.20"
    )
    assert response.status_code == 200 and response.json()["label"] == "Après"
    assert len(response.json()["allowances"]) == 1
    with in_schema(acme):
        offer = Offer.objects.get(pk=offer.pk)
        assert (offer.price, offer.commitment_choices) == (Decimal("9.99"), [0, 24])
        event = AuditEvent.objects.get(action="offer.updated", object_id=str(offer.pk))
        assert event.changes == {"label": ["Avant", "Après"]} and event.ip_address == "192.0.2.20"


def test_a_terminal_created_over_the_api_and_on_the_page_goes_through_the_same_rules(
    acme, make_user, api_for, client_for
):
    admin = make_user(acme, "admin")
    half = {
        "code": "SRV-TT",
        "label": "x",
        "brand": "B",
        "model": "M",
        "price": "100",
        "instalment_months": 12,
    }
    refused = api_for(acme, admin).post("/api/v1/terminals/", half, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "instalment_months"
    page = client_for(acme, admin).post("/catalogue/terminals/new/", {**half, "vat_rate": "20"})
    assert page.status_code == 200  # the form again, with the message
    with in_schema(acme):
        from offers.models import Terminal

        assert not Terminal.objects.filter(code="SRV-TT").exists()
