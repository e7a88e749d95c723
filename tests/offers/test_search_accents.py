"""Catalogue searches ignore accents, case and punctuation."""

from decimal import Decimal

from offers.services import offer_create
from tests.conftest import in_schema


def _offer(tenant, code, label):
    with in_schema(tenant):
        return offer_create(code=code, label=label, price=Decimal("9.99"), by=None)


def test_offer_list_page_api_and_header_search_ignore_accents(acme, make_user, client_for, api_for):
    offer = _offer(acme, "DECOUV-1", "Forfait Découverte l'Étoile")
    _offer(acme, "PRO-1", "Forfait Pro")
    client = client_for(acme, make_user(acme, "support"))
    api = api_for(acme, make_user(acme, "support"))
    for query in ("découverte", "DECOUVERTE", "l etoile", "L'Étoile", "decouv 1"):
        body = client.get("/catalogue/offers/", {"q": query}).content.decode()
        assert "DECOUV-1" in body and "PRO-1" not in body, query
        assert [o["id"] for o in api.get("/api/v1/offers/", {"q": query}).json()["results"]] == [offer.pk]
        assert "DECOUV-1" in client.get("/search/", {"q": query}).content.decode(), query


def test_rate_rows_and_tables_are_found_without_accents(
    acme, make_user, client_for, api_for, load_sample_table
):
    table = load_sample_table(acme, code="GRILLE-ETE")
    client = client_for(acme, make_user(acme, "admin"))
    body = client.get(
        f"/catalogue/rate-tables/{table.pk}/?on=2026-10-15&destination=numeros speciaux"
    ).content
    assert "Numéros spéciaux" in body.decode()
    rows = api_for(acme, make_user(acme, "admin")).get(
        f"/api/v1/rate-tables/{table.pk}/rates/", {"on": "2026-10-15", "destination": "NUMEROS-SPECIAUX"}
    )
    assert rows.status_code == 200
    found = rows.json()["results"] if isinstance(rows.json(), dict) else rows.json()
    assert found and all(r["destination"] == "Numéros spéciaux" for r in found)
    assert "GRILLE-ETE" in client.get("/catalogue/rate-tables/", {"q": "grille ete"}).content.decode()
