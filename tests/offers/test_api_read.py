"""Issue 4: every catalogue object is readable over the API, and the rows in force at any date
can be shown on the rate table's page."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.conftest import in_schema

HEADER = "PREFIX;DESTINATION;ZONE;EVENT_TYPE;ORIGIN_ZONE;PRICE;UNIT;FIRST_INCREMENT;NEXT_INCREMENT;CONNECTION_FEE;VALID_FROM"


def _catalogue(tenant, load_sample_table):
    from offers.services import (
        allowances_replace,
        offer_create,
        option_create,
        product_create,
        terminal_create,
    )

    table = load_sample_table(tenant, code="GRILLE-API")
    with in_schema(tenant):
        offer = offer_create(
            by=None,
            code="API-2H",
            label="Forfait 2h",
            price=Decimal("9.99"),
            default_rate_table=table,
        )
        allowances_replace(
            owner=offer,
            allowances=[
                {
                    "event_type": "VOICE",
                    "zones": "FR_FIXED,FR_MOBILE",
                    "quantity": Decimal("120"),
                    "unit": "MIN",
                }
            ],
            by=None,
        )
        option = option_create(
            by=None,
            code="API-BOOST",
            label="Booster",
            price=Decimal("5"),
            data_speed="4G+ 150 Mbit/s",
        )
        product = product_create(
            by=None,
            code="API-ACT",
            label="Frais d'activation",
            price=Decimal("19"),
            recurring=False,
        )
        terminal = terminal_create(
            by=None,
            code="API-PHONE",
            label="Phone",
            brand="Fairphone",
            model="5",
            price=Decimal("599"),
            instalment_months=24,
            instalment_price=Decimal("26"),
            rental_price=Decimal("19.99"),
        )
    return table, offer, option, product, terminal


def test_every_catalogue_object_is_readable_over_the_api_by_any_staff(
    acme, make_user, api_for, load_sample_table
):
    table, offer, option, product, terminal = _catalogue(acme, load_sample_table)
    api = api_for(acme, make_user(acme, "support"))  # read-only role
    got = api.get(f"/api/v1/offers/{offer.pk}/").json()
    assert got["code"] == "API-2H" and got["default_rate_table"] == table.pk
    assert got["allowances"][0]["quantity"].startswith("120") and got["allowances"][0]["unit"] == "MIN"
    assert api.get(f"/api/v1/options/{option.pk}/").json()["data_speed"] == "4G+ 150 Mbit/s"
    assert api.get(f"/api/v1/products/{product.pk}/").json()["recurring"] is False
    phone = api.get(f"/api/v1/terminals/{terminal.pk}/").json()
    assert (phone["instalment_months"], phone["rental_price"]) == (24, "19.99")
    assert api.get(f"/api/v1/rate-tables/{table.pk}/").json()["code"] == "GRILLE-API"
    for kind, obj in (("offers", offer), ("options", option), ("products", product), ("terminals", terminal)):
        listed = api.get(f"/api/v1/{kind}/").json()["results"]
        assert obj.pk in [row["id"] for row in listed], kind
    # reading is not writing
    assert api.patch(f"/api/v1/offers/{offer.pk}/", {"label": "x"}, format="json").status_code == 403


def test_the_table_page_shows_the_rows_in_force_at_the_chosen_date(
    acme, make_user, client_for, load_sample_table
):
    from offers.services import rate_table_import

    table = load_sample_table(acme, code="GRILLE-DATES")
    newer = (HEADER + "\n336;Mobile France;FR_MOBILE;VOICE;HOME;0,12;MIN;60;1;0;2026-11-01\n").encode()
    with in_schema(acme):
        rate_table_import(today=timezone.localdate(), table=table, data=newer, filename="nov.csv", by=None)
    client = client_for(acme, make_user(acme, "sales"))
    url = f"/catalogue/rate-tables/{table.pk}/?prefix=336"
    october = client.get(f"{url}&on={dt.date(2026, 10, 15)}").content.decode()
    november = client.get(f"{url}&on={dt.date(2026, 11, 2)}").content.decode()
    assert "0,15" in october and "0,12" not in october
    assert "0,12" in november and "0,15" not in november
    assert "Mobile France" not in client.get(f"{url}&on={dt.date(2026, 9, 30)}").content.decode()
