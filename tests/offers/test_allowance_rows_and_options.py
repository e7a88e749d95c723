"""Issue 10, catalogue forms: allowance rows naming only known zones, unlimited or a quantity
(not both), and the options an offer may take, on the page and the API."""

from decimal import Decimal

import pytest

from tests.conftest import in_schema
from tests.offers.test_pages import OFFER_POST

VOICE = {"event_type": "VOICE", "zones": "FR_MOBILE", "origin_zones": "HOME", "unit": "MIN"}


def _option(tenant, code, archived=False):
    from offers.services import catalogue_item_archive, option_create

    with in_schema(tenant):
        option = option_create(by=None, code=code, label=f"Option {code}", price=Decimal("2"))
        if archived:
            catalogue_item_archive(item=option, by=None)
    return option


def test_an_allowance_naming_a_zone_the_rate_tables_do_not_know_is_refused_with_its_name(
    acme, load_sample_table
):
    from core.errors import ApplicationError
    from offers.models import Offer
    from offers.services import offer_create

    load_sample_table(acme)
    with in_schema(acme):
        with pytest.raises(ApplicationError) as refused:
            offer_create(
                by=None,
                code="ZONES",
                label="x",
                allowances=[
                    {**VOICE, "quantity": Decimal(60)},
                    {**VOICE, "zones": "FR_MOBILE,MARS", "quantity": Decimal(1)},
                ],
            )
        assert refused.value.field == "zones" and refused.value.extra == {"allowance": 1}
        assert "MARS" in refused.value.message and "FR_MOBILE" in refused.value.message
        assert not Offer.objects.filter(code="ZONES").exists()
        with pytest.raises(ApplicationError) as origin:
            offer_create(
                by=None,
                code="ORIG",
                label="x",
                allowances=[{**VOICE, "origin_zones": "LUNE", "quantity": Decimal(1)}],
            )
        assert origin.value.field == "origin_zones" and "LUNE" in origin.value.message
        offer = offer_create(
            by=None,
            code="OK",
            label="x",
            allowances=[
                {
                    **VOICE,
                    "zones": "fr_mobile, FR_FIXED",
                    "origin_zones": "HOME,EU,WORLD1",
                    "quantity": Decimal(1),
                }
            ],
        )
        assert offer.allowances.get().zones == "FR_MOBILE,FR_FIXED"


def test_unlimited_and_a_quantity_together_are_refused(acme):
    from core.errors import ApplicationError
    from offers.services import offer_create

    with in_schema(acme):
        with pytest.raises(ApplicationError) as refused:
            offer_create(
                by=None,
                code="BOTH",
                label="x",
                allowances=[{**VOICE, "unlimited": True, "quantity": Decimal(60)}],
            )
        assert refused.value.field == "quantity" and "pas les deux" in refused.value.message


def test_options_are_attached_replaced_and_audited_but_an_archived_one_is_not_added(acme, make_user):
    from audit.models import AuditEvent
    from core.errors import ApplicationError
    from offers.services import offer_create, offer_update

    admin = make_user(acme, "admin")
    boost, roam, old = _option(acme, "BOOST"), _option(acme, "ROAM"), _option(acme, "OLD", archived=True)
    with in_schema(acme):
        offer = offer_create(by=admin, code="OPT", label="Avec options", options=[boost])
        assert list(offer.options.values_list("code", flat=True)) == ["BOOST"]
        created = AuditEvent.objects.get(action="offer.created", object_id=str(offer.pk))
        assert created.changes["options"] == [[], ["BOOST"]]
        fields = {
            name: getattr(offer, name)
            for name in (
                "code", "label", "price", "vat_rate", "billing_timing", "prorated", "commitment_none",
                "commitment_12", "commitment_24", "termination_rule", "default_rate_table",
                "valid_from", "valid_to",
            )
        }  # fmt: skip
        offer_update(offer=offer, by=admin, **fields)
        assert offer.options.count() == 1  # not given: kept
        offer_update(offer=offer, by=admin, **fields, options=[roam])
        assert list(offer.options.values_list("code", flat=True)) == ["ROAM"]
        updated = AuditEvent.objects.filter(action="offer.updated", object_id=str(offer.pk)).latest("id")
        assert updated.changes["options"] == [["BOOST"], ["ROAM"]]
        with pytest.raises(ApplicationError) as archived:
            offer_update(offer=offer, by=admin, **fields, options=[roam, old])
        assert archived.value.field == "options" and "OLD" in archived.value.message


def test_the_offer_page_edits_and_shows_its_options(acme, make_user, client_for):
    from offers.models import Offer

    admin = make_user(acme, "admin")
    boost = _option(acme, "BOOST")
    _option(acme, "OLD", archived=True)
    client = client_for(acme, admin)
    form = client.get("/catalogue/offers/new/").content.decode()
    assert 'name="options"' in form and "BOOST" in form and "Option OLD" not in form
    assert "data-formset-add" in form and "js/formsets.js" in form and "__prefix__" in form
    response = client.post("/catalogue/offers/new/", {**OFFER_POST, "options": [str(boost.pk)]})
    assert response.status_code == 302, response.content.decode()[:2000]
    with in_schema(acme):
        offer = Offer.objects.get(code="ILLIM-5")
        assert list(offer.options.all()) == [boost]
    detail = client.get(f"/catalogue/offers/{offer.pk}/").content.decode()
    assert 'data-testid="offer-options"' in detail and "Option BOOST" in detail


def test_the_offer_page_takes_any_number_of_rows_and_shows_a_refusal_on_its_row(
    acme, make_user, client_for, load_sample_table
):
    from offers.models import Offer

    load_sample_table(acme)
    admin = make_user(acme, "admin")
    client = client_for(acme, admin)
    rows = {"allowances-TOTAL_FORMS": "5", "allowances-INITIAL_FORMS": "0"}
    for index, (kind, zone, unit) in enumerate(
        [("VOICE", "FR_MOBILE", "MIN"), ("VOICE", "FR_FIXED", "MIN"), ("SMS", "FR_MOBILE", "EVENT"),
         ("DATA", "", "MB"), ("MMS", "FR_MOBILE", "EVENT")]
    ):  # fmt: skip
        rows.update(
            {
                f"allowances-{index}-event_type": kind,
                f"allowances-{index}-zones": zone,
                f"allowances-{index}-origin_zones": "HOME",
                f"allowances-{index}-quantity": "10",
                f"allowances-{index}-unit": unit,
            }
        )
    post = {k: v for k, v in OFFER_POST.items() if not k.startswith("allowances-")}
    refused = client.post("/catalogue/offers/new/", {**post, **rows, "allowances-4-zones": "ATLANTIS"})
    body = refused.content.decode()
    assert refused.status_code == 200 and "ATLANTIS" in body and "Forfait 5" in body
    both = client.post("/catalogue/offers/new/", {**post, **rows, "allowances-2-unlimited": "on"})
    assert "pas les deux" in both.content.decode()
    assert client.post("/catalogue/offers/new/", {**post, **rows}).status_code == 302
    with in_schema(acme):
        assert Offer.objects.get(code="ILLIM-5").allowances.count() == 5


def test_the_api_reads_and_writes_an_offers_options(acme, make_user, api_for):
    from offers.models import Offer

    admin = make_user(acme, "admin")
    boost, roam = _option(acme, "BOOST"), _option(acme, "ROAM")
    api = api_for(acme, admin)
    created = api.post(
        "/api/v1/offers/", {"code": "API-OPT", "label": "x", "options": [boost.pk]}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["options"] == [boost.pk]
    pk = created.json()["id"]
    assert api.patch(f"/api/v1/offers/{pk}/", {"label": "y"}, format="json").json()["options"] == [boost.pk]
    changed = api.patch(f"/api/v1/offers/{pk}/", {"options": [roam.pk]}, format="json")
    assert changed.json()["options"] == [roam.pk]
    with in_schema(acme):
        assert list(Offer.objects.get(pk=pk).options.all()) == [roam]
    both = api.patch(
        f"/api/v1/offers/{pk}/",
        {"allowances": [{**VOICE, "quantity": "5", "unlimited": True}]},
        format="json",
    )
    assert both.status_code == 400
