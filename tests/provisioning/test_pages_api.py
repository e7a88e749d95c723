"""Pages, API and command of the SIM stock and the RIO check, and tenant isolation (acme/nova)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.conftest import in_schema
from tests.provisioning.conftest import SAMPLE_SIMS

pytestmark = pytest.mark.django_db

SIM = "8933012026100000004"


def _sim_id(tenant, iccid=SIM):
    from provisioning.models import Sim

    with in_schema(tenant):
        return Sim.objects.get(iccid=iccid).pk


# --- pages ------------------------------------------------------------------------------------


def test_sim_list_searches_and_warns_of_low_stock(acme, make_user, client_for, load_sample_sims):
    load_sample_sims(acme)
    client = client_for(acme, make_user(acme, "sales"))
    page = client.get("/lines/sims/", {"q": "208159000000002"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "8933012026100000020" in body and "8933012026100000012" not in body
    assert 'data-testid="low-stock"' in body and "CMD-000042" in body


def test_sim_list_query_count_does_not_grow_with_the_page(
    acme, make_user, client_for, load_sample_sims, django_assert_max_num_queries
):
    load_sample_sims(acme)
    client = client_for(acme, make_user(acme, "admin"))
    with django_assert_max_num_queries(15):
        assert client.get("/lines/sims/").status_code == 200


def test_sim_import_page_refuses_a_bad_file_naming_the_row_then_imports_the_sample(
    acme, make_user, client_for
):
    from provisioning.models import Sim

    client = client_for(acme, make_user(acme, "admin"))
    bad = SAMPLE_SIMS.read_bytes().replace(b"8933012026100000012", b"8933012026100000013")
    refused = client.post("/lines/sims/import/", {"file": SimpleUploadedFile("bad.csv", bad)})
    assert refused.status_code == 400
    assert "Luhn" in refused.content.decode() and 'data-testid="upload-errors"' in refused.content.decode()
    with in_schema(acme):
        assert Sim.objects.count() == 0
    done = client.post(
        "/lines/sims/import/", {"file": SimpleUploadedFile(SAMPLE_SIMS.name, SAMPLE_SIMS.read_bytes())}
    )
    assert done.status_code == 302
    with in_schema(acme):
        assert Sim.objects.count() == 12


def test_accountant_cannot_import(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "accountant"))
    assert client.get("/lines/sims/import/").status_code == 403


def test_sim_page_reveals_codes_for_support_only(acme, make_user, client_for, load_sample_sims):
    load_sample_sims(acme)
    pk = _sim_id(acme)
    support = client_for(acme, make_user(acme, "support"))
    shown = support.post(f"/lines/sims/{pk}/")
    assert shown.status_code == 200 and "51655684" in shown.content.decode()
    page = support.get(f"/lines/sims/{pk}/")
    assert "51655684" not in page.content.decode() and 'data-testid="reveal-puk"' in page.content.decode()
    sales = client_for(acme, make_user(acme, "sales"))
    assert 'data-testid="reveal-puk"' not in sales.get(f"/lines/sims/{pk}/").content.decode()
    assert sales.post(f"/lines/sims/{pk}/").status_code == 403


def test_rio_checker_page_says_valid_or_why_not(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "sales"))
    valid = client.post("/lines/rio-check/", {"number": "06 12 34 56 78", "rio": "01P12345636Q"})
    assert "Valide : ce RIO correspond au numéro." in valid.content.decode()
    key = client.post("/lines/rio-check/", {"number": "0612345679", "rio": "01P12345636Q"})
    assert "Clé du RIO erronée" in key.content.decode()
    shape = client.post("/lines/rio-check/", {"number": "0612345678", "rio": "01P1"})
    assert "Format du RIO erroné" in shape.content.decode()


def test_rio_checker_page_in_french(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "sales"))
    page = client.post(
        "/lines/rio-check/",
        {"number": "0612345679", "rio": "01P12345636Q"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "Clé du RIO erronée" in page.content.decode()


def test_settings_page_for_admins(acme, make_user, client_for):
    from provisioning.selectors import provisioning_settings_get

    admin = client_for(acme, make_user(acme, "admin"))
    form = {
        "low_stock_threshold": 7,
        "porting_min_days": 5,
        "porting_max_days": 59,
        "gateway_backend": "simulator",
        "simulator_delay_seconds": 3,
        "confirmation_timeout_hours": 48,
    }
    assert admin.post("/lines/settings/", form).status_code == 302
    with in_schema(acme):
        assert provisioning_settings_get().low_stock_threshold == 7
    refused = admin.post("/lines/settings/", {**form, "porting_min_days": 60})
    assert refused.status_code == 200 and "au plus tôt doit précéder" in refused.content.decode()
    assert client_for(acme, make_user(acme, "sales")).get("/lines/settings/").status_code == 403


# --- API --------------------------------------------------------------------------------------


def test_api_sim_list_import_stock_and_codes(acme, make_user, api_for):
    admin = api_for(acme, make_user(acme, "admin"))
    created = admin.post(
        "/api/v1/sims/import/",
        {"file": SimpleUploadedFile(SAMPLE_SIMS.name, SAMPLE_SIMS.read_bytes())},
        format="multipart",
    )
    assert created.status_code == 201 and created.json()["count"] == 12
    again = admin.post(
        "/api/v1/sims/import/",
        {"file": SimpleUploadedFile(SAMPLE_SIMS.name, SAMPLE_SIMS.read_bytes())},
        format="multipart",
    )
    assert again.status_code == 400 and again.json()["errors"][0]["line"] == 2
    listed = admin.get("/api/v1/sims/", {"q": "33750001001"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["iccid"] for r in rows] == ["8933012026100000012"] and rows[0]["profile"] == "PE-ACME-01"
    assert "puk1" not in rows[0] and "puk1_encrypted" not in rows[0]
    stock = admin.get("/api/v1/sims/stock/").json()
    assert stock["available"] == 12 and stock["low"] is True
    codes = admin.post(f"/api/v1/sims/{rows[0]['id']}/codes/").json()
    assert codes["puk1"] == "54275341"


def test_api_codes_need_the_reveal_permission(acme, make_user, api_for, load_sample_sims):
    load_sample_sims(acme)
    sales = api_for(acme, make_user(acme, "sales"))
    assert sales.get(f"/api/v1/sims/{_sim_id(acme)}/").status_code == 200
    assert sales.post(f"/api/v1/sims/{_sim_id(acme)}/codes/").status_code == 403


def test_api_rio_check(acme, make_user, api_for):
    api = api_for(acme, make_user(acme, "sales"))
    ok = api.post("/api/v1/rio-check/", {"number": "+33612345678", "rio": "01P12345636Q"}, format="json")
    assert ok.status_code == 200 and ok.json() == {"valid": True, "error": None, "reason": ""}
    key = api.post(
        "/api/v1/rio-check/", {"number": "0612345679", "rio": "01P12345636Q"}, format="json"
    ).json()
    assert key["valid"] is False and key["error"] == "key"
    shape = api.post(
        "/api/v1/rio-check/", {"number": "0612345678", "rio": "01Z12345636Q"}, format="json"
    ).json()
    assert shape["error"] == "format"
    assert api_for(acme).post("/api/v1/rio-check/", {"number": "x", "rio": "y"}).status_code in (401, 403)


# --- tenant isolation ------------------------------------------------------------------------


def test_acme_cannot_reach_novas_sims_by_page_or_api(
    acme, nova, make_user, client_for, api_for, load_sample_sims
):
    from provisioning.models import Sim

    load_sample_sims(nova)
    nova_pk = _sim_id(nova)
    with in_schema(acme):
        assert not Sim.objects.filter(pk=nova_pk).exists()
    page = client_for(acme, make_user(acme, "admin"))
    assert page.get(f"/lines/sims/{nova_pk}/").status_code == 404
    assert page.post(f"/lines/sims/{nova_pk}/").status_code == 404
    assert "<code>8933012026100000004</code>" not in page.get("/lines/sims/", {"q": SIM}).content.decode()
    api = api_for(acme, make_user(acme, "admin"))
    assert api.get(f"/api/v1/sims/{nova_pk}/").status_code == 404
    assert api.post(f"/api/v1/sims/{nova_pk}/codes/").status_code == 404
    listed = api.get("/api/v1/sims/").json()
    assert (listed["results"] if isinstance(listed, dict) else listed) == []


# --- command ----------------------------------------------------------------------------------


def test_rio_check_command(capsys):
    call_command("rio_check", "0612345678", "01P12345636Q")
    assert capsys.readouterr().out.strip() == "valid"
    with pytest.raises(SystemExit) as exit_:
        call_command("rio_check", "0612345679", "01P12345636Q")
    assert exit_.value.code == 1
    assert capsys.readouterr().out.startswith("invalid: Clé du RIO erronée")


def test_header_search_finds_a_sim_by_iccid_or_msisdn(acme, make_user, load_sample_sims):
    from django.test import RequestFactory

    from provisioning.search import search_sims

    load_sample_sims(acme)
    request = RequestFactory().get("/")
    request.user = make_user(acme, "support")
    with in_schema(acme):
        assert [hit.label for hit in search_sims(request, "8933012026100000012")] == ["8933012026100000012"]
        assert [hit.label for hit in search_sims(request, "33750001003")] == ["8933012026100000038"]
        assert search_sims(request, "Dupont") == []


def test_sim_stock_is_in_the_navigation(acme, make_user, client_for):
    page = client_for(acme, make_user(acme, "sales")).get("/lines/rio-check/")
    assert 'href="/lines/sims/"' in page.content.decode()


def test_the_provisioning_api_is_in_the_openapi_schema(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))
    paths = set(client.get("/api/v1/schema/?format=json").json()["paths"])
    assert {
        "/api/v1/orders/",
        "/api/v1/orders/{id}/validate/",
        "/api/v1/lines/",
        "/api/v1/lines/{id}/",
        "/api/v1/lines/{id}/actions/",
        "/api/v1/lines/{id}/history/",
        "/api/v1/line-actions/bulk/",
        "/api/v1/sims/",
        "/api/v1/sims/{id}/",
        "/api/v1/sims/{id}/codes/",
        "/api/v1/sims/import/",
        "/api/v1/sims/stock/",
        "/api/v1/fixed-numbers/",
        "/api/v1/fixed-numbers/{id}/assign/",
        "/api/v1/fixed-numbers/{id}/move/",
        "/api/v1/fixed-numbers/{id}/unassign/",
        "/api/v1/rio-check/",
        "/api/v1/operator-disagreements/",
    } <= paths
