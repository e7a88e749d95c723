"""Catalogue pages and API: editing, archiving, uploads, simulator, permissions, tenant isolation."""

import datetime as dt
import io
import json
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from audit.models import AuditEvent
from offers.models import Offer, RateTable
from offers.services import allowances_replace, offer_create
from tests.conftest import in_schema
from tests.offers.conftest import SAMPLE_CDRS

OFFER_POST = {
    "code": "ILLIM-5",
    "label": "Illimité 5 Go",
    "price": "14.99",
    "vat_rate": "20",
    "billing_timing": "advance",
    "prorated": "on",
    "commitment_none": "on",
    "commitment_24": "on",
    "termination_rule": "fr_quarter",
    "allowances-TOTAL_FORMS": "2",
    "allowances-INITIAL_FORMS": "0",
    "allowances-0-event_type": "VOICE",
    "allowances-0-zones": "fr_mobile, FR_FIXED",
    "allowances-0-origin_zones": "HOME,EU",
    "allowances-0-unit": "MIN",
    "allowances-0-unlimited": "on",
    "allowances-1-event_type": "DATA",
    "allowances-1-zones": "FR_DATA",
    "allowances-1-origin_zones": "HOME",
    "allowances-1-quantity": "5120",
    "allowances-1-unit": "MB",
}


def _offer(tenant, code="OFF-1", table=None):
    with in_schema(tenant):
        offer = offer_create(
            by=None,
            code=code,
            label=f"Offre {code}",
            price=Decimal("9.99"),
            default_rate_table=table,
        )
        allowances_replace(
            owner=offer,
            by=None,
            allowances=[
                {
                    "event_type": "VOICE",
                    "zones": "FR_MOBILE",
                    "origin_zones": "HOME",
                    "quantity": Decimal(2),
                    "unit": "MIN",
                }
            ],
        )
    return offer


def test_admin_creates_an_offer_with_its_allowances_and_it_is_audited(acme, make_user, client_for):
    admin = make_user(acme, "admin")
    response = client_for(acme, admin).post("/catalogue/offers/new/", OFFER_POST)
    assert response.status_code == 302
    with in_schema(acme):
        offer = Offer.objects.get(code="ILLIM-5")
        assert offer.commitment_choices == [0, 24]
        allowances = list(offer.allowances.all())
        assert [(a.event_type, a.zones, a.unlimited, a.quantity) for a in allowances] == [
            ("VOICE", "FR_MOBILE,FR_FIXED", True, None),
            ("DATA", "FR_DATA", False, Decimal("5120.00")),
        ]
        assert AuditEvent.objects.filter(
            action="offer.created", object_id=str(offer.pk), actor=admin
        ).exists()
        assert AuditEvent.objects.filter(action="offer.allowances_changed", object_id=str(offer.pk)).exists()


def test_an_allowance_in_the_wrong_unit_is_refused_with_its_reason(acme, make_user, client_for):
    admin = make_user(acme, "admin")
    post = {**OFFER_POST, "allowances-1-unit": "MIN"}
    body = client_for(acme, admin).post("/catalogue/offers/new/", post).content.decode()
    assert "DATA" in body and "MB" in body and "se compte en" in body
    with in_schema(acme):
        assert not Offer.objects.filter(code="ILLIM-5").exists()


def test_offers_are_archived_not_deleted_and_audited(acme, make_user, client_for, api_for):
    admin = make_user(acme, "admin")
    offer = _offer(acme)
    client_for(acme, admin).post(f"/catalogue/offers/{offer.pk}/archive/", {"archived": "1"})
    with in_schema(acme):
        offer.refresh_from_db()
        assert offer.archived
        assert AuditEvent.objects.filter(action="offer.archived", object_id=str(offer.pk)).exists()
    assert api_for(acme, admin).delete(f"/api/v1/offers/{offer.pk}/").status_code == 405


def test_sales_may_read_the_catalogue_but_not_change_it(acme, make_user, client_for, api_for):
    sales = make_user(acme, "sales")
    offer = _offer(acme)
    client = client_for(acme, sales)
    assert client.get("/catalogue/offers/").status_code == 200
    assert client.get("/catalogue/offers/new/").status_code == 403
    api = api_for(acme, sales)
    assert api.get("/api/v1/offers/").json()["results"][0]["code"] == offer.code
    assert api.post("/api/v1/offers/", {"code": "X", "label": "x", "price": "1"}).status_code == 403


def test_list_pages_do_not_grow_queries_with_rows(
    acme, make_user, client_for, django_assert_max_num_queries, load_sample_table
):
    admin = make_user(acme, "admin")
    table = load_sample_table(acme)
    for n in range(8):
        _offer(acme, code=f"OFF-{n}", table=table)
    client = client_for(acme, admin)
    for url in (
        "/catalogue/offers/",
        "/catalogue/options/",
        "/catalogue/rate-tables/",
        f"/catalogue/rate-tables/{table.pk}/",
    ):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200


def test_upload_page_lists_every_fault_and_applies_nothing(acme, make_user, client_for):
    admin = make_user(acme, "admin")
    with in_schema(acme):
        table = RateTable.objects.create(code="T1", label="T1")
    bad = b"PREFIX;DESTINATION;ZONE;EVENT_TYPE;PRICE;UNIT\n33;France;FR;VOICE;x;MIN\n34;Espagne;EU;VOICE;0,1;HOUR\n"
    response = client_for(acme, admin).post(
        f"/catalogue/rate-tables/{table.pk}/upload/", {"file": SimpleUploadedFile("bad.csv", bad)}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "refusé" in body and "PRICE" in body and "HOUR" in body and '<td class="num">3</td>' in body
    with in_schema(acme):
        assert table.rates.count() == 0


def test_table_page_searches_by_prefix_and_destination_and_exports(
    acme, make_user, client_for, load_sample_table
):
    admin = make_user(acme, "admin")
    table = load_sample_table(acme)
    client = client_for(acme, admin)
    body = client.get(f"/catalogue/rate-tables/{table.pk}/?on=2026-10-15&prefix=212").content.decode()
    assert "Maroc mobile" in body and "Espagne" not in body
    body = client.get(
        f"/catalogue/rate-tables/{table.pk}/?on=2026-10-15&destination=espagne"
    ).content.decode()
    assert "Espagne mobile" in body and "Maroc" not in body
    csv = client.get(f"/catalogue/rate-tables/{table.pk}/export.csv")
    assert (
        csv["Content-Type"].startswith("text/csv") and b"3389;Num\xc3\xa9ros sp\xc3\xa9ciaux" in csv.content
    )
    xlsx = client.get(f"/catalogue/rate-tables/{table.pk}/export.xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row == 23


def test_simulator_shows_the_matched_row_units_allowance_and_amount(
    acme, make_user, client_for, load_sample_table
):
    admin = make_user(acme, "admin")
    table = load_sample_table(acme)
    offer = _offer(acme, table=table)
    client = client_for(acme, admin)
    body = client.get(
        "/catalogue/simulator/",
        {
            "offer": offer.pk,
            "event_type": "VOICE_MO",
            "called": "+33 6 12 34 56 78",
            "duration_s": "150",
            "on": "2026-10-15",
        },
    ).content.decode()
    # 2 minutes of allowance, then 30 s at 0.15 €/min
    assert "Mobile France" in body and "0,0750 €" in body and "<dd>120 " in body
    roaming = client.get(
        "/catalogue/simulator/",
        {"table": table.pk, "event_type": "DATA", "volume_mb": "10", "country": "us", "on": "2026-10-15"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "WORLD1" in roaming and "50,0000 €" in roaming and "<html" not in roaming


def test_rate_events_command_prints_one_json_line_per_event_and_a_summary(acme, load_sample_table, capsys):
    load_sample_table(acme, code="GRILLE")
    call_command("rate_events", str(SAMPLE_CDRS), tenant="acme", table="GRILLE")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 127 and lines[-1]["summary"]["events"] == 126
    special = next(r for r in lines if r.get("CDR_ID") == "ORG-M-202610000004")
    assert special == {
        "CDR_ID": "ORG-M-202610000004",
        "status": "rated",
        "prefix": "3389",
        "destination": "Numéros spéciaux",
        "origin_zone": "HOME",
        "billed_units": 1080,
        "unit": "s",
        "allowance_used": 0,
        "amount": "14.5200",
    }


def test_acme_cannot_reach_novas_catalogue_by_url_id_api_or_export(
    acme, nova, make_user, client_for, api_for, load_sample_table
):
    nova_table = load_sample_table(nova, code="NOVA-ONLY")
    nova_offer = _offer(nova, code="NOVA-OFFER", table=nova_table)
    acme_admin = make_user(acme, "admin")
    client = client_for(acme, acme_admin)
    for url in (
        f"/catalogue/offers/{nova_offer.pk}/",
        f"/catalogue/offers/{nova_offer.pk}/edit/",
        f"/catalogue/rate-tables/{nova_table.pk}/",
        f"/catalogue/rate-tables/{nova_table.pk}/export.csv",
        f"/catalogue/rate-tables/{nova_table.pk}/export.xlsx",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/catalogue/offers/{nova_offer.pk}/archive/").status_code == 404
    with in_schema(nova):
        nova_upload = nova_table.uploads.get()
    assert client.get(f"/catalogue/rate-tables/{nova_table.pk}/uploads/{nova_upload.pk}/").status_code == 404
    nova_client = client_for(nova, make_user(nova, "admin"))
    original = nova_client.get(f"/catalogue/rate-tables/{nova_table.pk}/uploads/{nova_upload.pk}/")
    assert original.status_code == 200 and original.content.startswith(b"PREFIX;")
    assert "NOVA-OFFER" not in client.get("/catalogue/offers/").content.decode()
    assert "NOVA-ONLY" not in client.get("/catalogue/rate-tables/").content.decode()
    api = api_for(acme, acme_admin)
    assert api.get(f"/api/v1/offers/{nova_offer.pk}/").status_code == 404
    assert api.get(f"/api/v1/rate-tables/{nova_table.pk}/rates/").status_code == 404
    assert api.get(f"/api/v1/rate-tables/{nova_table.pk}/export/").status_code == 404
    assert all(o["code"] != "NOVA-OFFER" for o in api.get("/api/v1/offers/").json()["results"])
    with in_schema(nova):
        assert Offer.objects.get(pk=nova_offer.pk).archived is False


def test_api_uploads_a_table_and_lists_the_rows_in_force(acme, make_user, api_for, sample_table_bytes):
    admin = make_user(acme, "admin")
    api = api_for(acme, admin)
    created = api.post("/api/v1/rate-tables/", {"code": "API", "label": "Par l'API"}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    refused = api.post(
        f"/api/v1/rate-tables/{pk}/upload/",
        {"file": SimpleUploadedFile("b.csv", b"PREFIX;X\n1;2\n")},
        format="multipart",
    )
    assert refused.status_code == 400 and {e["column"] for e in refused.json()["errors"]} >= {"PRICE", "UNIT"}
    done = api.post(
        f"/api/v1/rate-tables/{pk}/upload/",
        {"file": SimpleUploadedFile("g.csv", sample_table_bytes)},
        format="multipart",
    )
    assert done.status_code == 201 and done.json()["rows"] == 22
    rows = api.get(f"/api/v1/rate-tables/{pk}/rates/?on={dt.date(2026, 10, 2)}&prefix=34").json()["results"]
    assert {r["prefix"] for r in rows} == {"34", "346"}


def test_the_openapi_schema_stays_valid_with_the_catalogue(acme, make_user, client_for):
    schema = client_for(acme, make_user(acme, "admin")).get("/api/v1/schema/?format=json")
    assert schema.status_code == 200 and "/api/v1/rate-tables/{id}/upload/" in schema.json()["paths"]


def test_editing_an_offer_records_what_changed(acme, make_user, client_for):
    admin = make_user(acme, "admin")
    offer = _offer(acme)
    post = {**OFFER_POST, "code": offer.code, "price": "12.50", "allowances-TOTAL_FORMS": "0"}
    assert client_for(acme, admin).post(f"/catalogue/offers/{offer.pk}/edit/", post).status_code == 302
    with in_schema(acme):
        event = AuditEvent.objects.get(action="offer.updated", object_id=str(offer.pk))
        assert event.changes["price"] == ["9.99", "12.50"]
        assert not Offer.objects.get(pk=offer.pk).allowances.exists()


def test_rate_row_edit_page_changes_a_price_and_audits_it(acme, make_user, client_for, load_sample_table):
    admin = make_user(acme, "admin")
    table = load_sample_table(acme)
    with in_schema(acme):
        rate = table.rates.get(prefix="212", event_type="VOICE")
    post = {
        "prefix": "212",
        "destination": "Maroc",
        "zone": "INTL_2",
        "event_type": "VOICE",
        "origin_zone": "HOME",
        "price": "0.95",
        "unit": "MIN",
        "first_increment": "60",
        "next_increment": "60",
        "connection_fee": "0",
        "valid_from": "2026-10-01",
    }
    response = client_for(acme, admin).post(f"/catalogue/rate-tables/{table.pk}/rates/{rate.pk}/", post)
    assert response.status_code == 302
    with in_schema(acme):
        rate.refresh_from_db()
        assert rate.price == Decimal("0.95")
        assert AuditEvent.objects.get(action="rate.updated").changes["price"] == ["0.900000", "0.95"]


def test_demo_catalogue_is_realistic_and_its_tables_rate(acme):
    from offers.demo import seed_tenant
    from offers.models import Option, Product, Terminal
    from offers.rating import rate_event
    from offers.selectors import compiled_table_for

    with in_schema(acme):
        seed_tenant(acme)
        seed_tenant(acme)
        assert Offer.objects.count() == 4 and Option.objects.count() == 2
        assert Product.objects.filter(kind="service").count() == 3 and Terminal.objects.count() == 4
        markup = RateTable.objects.get(code="REVENTE-PRO")
        compiled = compiled_table_for(table=markup, on=dt.date(2026, 10, 10))
        assert (
            rate_event(compiled, event_type="VOICE_MO", called="33612345678", duration_s=60).amount_e4 == 1920
        )


def test_a_table_an_offer_uses_cannot_be_archived(acme, make_user, client_for, load_sample_table):
    admin = make_user(acme, "admin")
    table = load_sample_table(acme)
    _offer(acme, table=table)
    client = client_for(acme, admin)
    url = f"/catalogue/rate-tables/{table.pk}/"
    response = client.post(
        f"{url}archive/", {"archived": "1"}, HTTP_REFERER=f"http://acme.localhost{url}", follow=True
    )
    assert "utilisent encore cette table" in response.content.decode()
    with in_schema(acme):
        table.refresh_from_db()
        assert not table.archived


def test_api_reports_a_broken_rule_as_a_400_with_its_field(acme, make_user, api_for):
    api = api_for(acme, make_user(acme, "admin"))
    response = api.post(
        "/api/v1/offers/",
        {"code": "NOCOMMIT", "label": "x", "price": "5", "commitment_none": False},
        format="json",
    )
    assert response.status_code == 400 and response.json()["field"] == "commitment_none"
    created = api.post(
        "/api/v1/terminals/",
        {"code": "T1", "label": "Phone", "brand": "X", "model": "Y", "price": "99"},
        format="json",
    )
    assert created.status_code == 201
    archived = api.post(f"/api/v1/terminals/{created.json()['id']}/archive/")
    assert archived.status_code == 200 and archived.json()["archived"] is True


def test_shell_search_finds_offers_and_tables(acme, make_user, client_for, load_sample_table):
    load_sample_table(acme, code="GRILLE-PRO")
    _offer(acme, code="SEARCHME")
    body = client_for(acme, make_user(acme, "support")).get("/search/?q=searchme").content.decode()
    assert "SEARCHME" in body
    body = client_for(acme, make_user(acme, "support")).get("/search/?q=grille-pro").content.decode()
    assert "GRILLE-PRO" in body


def test_offer_page_shows_the_early_termination_fees_of_its_commitments(acme, make_user, client_for):
    admin = make_user(acme, "admin")
    with in_schema(acme):
        offer = offer_create(
            by=None,
            code="ENG24",
            label="Engagé",
            price=Decimal("20.00"),
            commitment_none=False,
            commitment_24=True,
            termination_rule="fr_quarter",
        )
    body = client_for(acme, admin).get(f"/catalogue/offers/{offer.pk}/").content.decode()
    section = body.split('data-testid="termination"')[1]
    # 24 months ended after 18: 25 % of the 6 remaining months at 20 €
    assert (
        "18 mois" in section and "30,00 €" in section and "300,00 €" in section
    )  # after 0: 12 × 20 + 25 % × 12 × 20


def test_markup_table_page_shows_the_prices_it_really_applies(acme, make_user, client_for):
    from offers.demo import seed_tenant

    with in_schema(acme):
        seed_tenant(acme)
        markup = RateTable.objects.get(code="REVENTE-PRO")
    client = client_for(acme, make_user(acme, "sales"))
    body = client.get(
        f"/catalogue/rate-tables/{markup.pk}/?on=2026-10-15&effective=1&prefix=3"
    ).content.decode()
    table = body.split('data-testid="effective"')[1]
    # Mobile France: (0.15 + 0.01) × 1.2 = 0.192; Spain: the table's own row, 0.19
    assert "0,192 €" in table and "0,19 €" in table and "cette table" in table


def test_api_creates_an_offer_with_its_allowances_checked(acme, make_user, api_for):
    api = api_for(acme, make_user(acme, "admin"))
    payload = {
        "code": "API-OFFER",
        "label": "Par API",
        "price": "19.99",
        "allowances": [
            {
                "event_type": "DATA",
                "zones": "FR_DATA",
                "origin_zones": "HOME",
                "quantity": "20480",
                "unit": "MB",
            }
        ],
    }
    created = api.post("/api/v1/offers/", payload, format="json")
    assert created.status_code == 201 and created.json()["allowances"][0]["quantity"] == "20480.00"
    wrong = {
        **payload,
        "code": "API-2",
        "allowances": [{"event_type": "DATA", "quantity": "5", "unit": "MIN"}],
    }
    refused = api.post("/api/v1/offers/", wrong, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "unit"
    with in_schema(acme):
        assert not Offer.objects.filter(code="API-2").exists()
