"""SIM stock: import of a SIM listing (all or nothing), PIN/PUK encrypted and revealed with the
permission (audited), search, the stock per order and profile, the low-stock warning."""

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError
from tests.conftest import in_schema
from tests.provisioning.conftest import NOW, luhn_complete, sim_listing

pytestmark = pytest.mark.django_db


def test_sample_listing_is_imported_with_its_profile_and_encrypted_codes(acme, load_sample_sims):
    from provisioning.models import Sim, SimProfile, SimState

    result = load_sample_sims(acme)
    assert result.count == 12 and result.order_refs == ["CMD-000042"]
    with in_schema(acme):
        sim = Sim.objects.get(iccid="8933012026100000004")
        assert sim.imsi == "208159000000000" and sim.msisdn == "33750001000"
        assert sim.state == SimState.AVAILABLE and sim.state_changed_at == NOW
        assert sim.profile == SimProfile.objects.get(code="PE-ACME-01")
        assert "51655684" not in sim.puk1_encrypted and sim.puk1_encrypted
        assert Sim.objects.get(iccid="8933012026100000111").msisdn == ""


def test_a_wrong_luhn_digit_refuses_the_whole_file(acme):
    from provisioning.models import Sim
    from provisioning.services import sim_import

    good = luhn_complete("893301202610000100")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    data = sim_listing(
        f"{good};208150000000001;;1234;12345678;;;CMD-1;",
        f"{bad};208150000000002;;1234;12345678;;;CMD-1;",
    )
    with in_schema(acme):
        with pytest.raises(ApplicationError) as refused:
            sim_import(data=data, filename="sims.csv", by=None, now=NOW)
        assert Sim.objects.count() == 0
    errors = refused.value.extra["errors"]
    assert errors == [
        {"line": 3, "column": "ICCID", "reason": "ICCID erroné : sa clé de contrôle ne correspond pas (Luhn)"}
    ]


@pytest.mark.parametrize(
    ("iccid", "reason"),
    [("89330120261", "19 ou 20 chiffres"), ("8933012026100000A04", "que des chiffres")],
)
def test_iccid_length_and_digits_are_checked(acme, iccid, reason):
    from provisioning.services import sim_import

    with in_schema(acme), pytest.raises(ApplicationError) as refused:
        sim_import(data=sim_listing(f"{iccid};208150000000001;;;12345678;;;CMD-1;"), by=None, now=NOW)
    assert reason in refused.value.extra["errors"][0]["reason"]


def test_a_twenty_digit_iccid_is_accepted(acme):
    from provisioning.models import Sim
    from provisioning.services import sim_import

    iccid = luhn_complete("8933012026100000999")
    with in_schema(acme):
        sim_import(data=sim_listing(f"{iccid};208150000000001;;;12345678;;;CMD-1;"), by=None, now=NOW)
        assert Sim.objects.get().iccid == iccid and len(iccid) == 20


def test_duplicates_are_refused_naming_the_rows(acme, load_sample_sims):
    from provisioning.models import Sim
    from provisioning.services import sim_import

    load_sample_sims(acme)
    new = luhn_complete("893301202610000200")
    data = sim_listing(
        f"{new};208150000000001;;;12345678;;;CMD-2;",
        f"{new};208150000000002;;;12345678;;;CMD-2;",
        "8933012026100000004;208150000000003;;;12345678;;;CMD-2;",
    )
    with in_schema(acme):
        with pytest.raises(ApplicationError) as refused:
            sim_import(data=data, by=None, now=NOW)
        assert Sim.objects.count() == 12
    reasons = {(e["line"], e["reason"]) for e in refused.value.extra["errors"]}
    assert (3, f"l'ICCID {new} figure déjà à la ligne 2 de ce fichier") in reasons
    assert (4, "l'ICCID 8933012026100000004 est déjà dans le stock de cartes SIM") in reasons


def test_bad_imsi_missing_puk_and_truncated_file_are_refused(acme, sample_sims_bytes):
    from provisioning.services import sim_import

    iccid = luhn_complete("893301202610000300")
    with in_schema(acme):
        with pytest.raises(ApplicationError) as refused:
            sim_import(data=sim_listing(f"{iccid};2081;;;;;;CMD-3;"), by=None, now=NOW)
        columns = {e["column"] for e in refused.value.extra["errors"]}
        assert {"IMSI", "PUK1"} <= columns
        truncated = sample_sims_bytes.replace(b"TRAILER;12", b"TRAILER;13")
        with pytest.raises(ApplicationError) as refused:
            sim_import(data=truncated, by=None, now=NOW)
        assert refused.value.extra["errors"][0]["column"] == "TRAILER"


def test_the_same_listing_in_another_tenant_is_its_own_stock(acme, nova, load_sample_sims):
    from provisioning.models import Sim

    load_sample_sims(acme)
    load_sample_sims(nova)
    with in_schema(nova):
        assert Sim.objects.count() == 12


def test_puk_reveal_needs_the_permission_and_is_audited(acme, make_user, load_sample_sims):
    from audit.models import AuditEvent
    from provisioning.models import Sim
    from provisioning.services import sim_codes_reveal

    load_sample_sims(acme)
    support = make_user(acme, "support")
    sales = make_user(acme, "sales")
    with in_schema(acme):
        sim = Sim.objects.get(iccid="8933012026100000004")
        codes = sim_codes_reveal(sim=sim, by=support)
        assert (codes.pin1, codes.puk1, codes.pin2, codes.puk2) == ("8948", "51655684", "9508", "01452117")
        event = AuditEvent.objects.get(action="sim.puk_revealed")
        assert event.actor == support and event.object_id == str(sim.pk)
        with pytest.raises(PermissionDenied):
            sim_codes_reveal(sim=sim, by=sales)
        assert AuditEvent.objects.filter(action="sim.puk_revealed").count() == 1


def test_search_by_iccid_imsi_or_msisdn(acme, load_sample_sims):
    from provisioning.selectors import sim_list

    load_sample_sims(acme)
    with in_schema(acme):
        assert [s.iccid for s in sim_list(search="8933012026100000012")] == ["8933012026100000012"]
        assert [s.iccid for s in sim_list(search="208159000000002")] == ["8933012026100000020"]
        assert [s.iccid for s in sim_list(search="33750001003")] == ["8933012026100000038"]
        assert sim_list(search="893301202610000").count() == 12


def test_stock_per_order_and_profile_and_low_stock_warning(acme, load_sample_sims):
    from provisioning.models import Sim, SimState
    from provisioning.selectors import sim_stock_summary
    from provisioning.services import provisioning_settings_update

    load_sample_sims(acme)
    with in_schema(acme):
        Sim.objects.filter(iccid="8933012026100000004").update(state=SimState.ACTIVE)
        Sim.objects.filter(iccid="8933012026100000012").update(state=SimState.RESERVED)
        summary = sim_stock_summary()
        assert [
            (r.order_ref, r.profile, r.available, r.reserved, r.in_use, r.total) for r in summary.rows
        ] == [("CMD-000042", "PE-ACME-01", 10, 1, 1, 12)]
        assert summary.threshold == 20 and summary.low
        provisioning_settings_update(data={"low_stock_threshold": 5}, by=None)
        assert not sim_stock_summary().low


def test_porting_window_bounds_must_be_in_order(acme):
    from provisioning.services import provisioning_settings_update

    with in_schema(acme), pytest.raises(ApplicationError):
        provisioning_settings_update(data={"porting_min_days": 30, "porting_max_days": 10}, by=None)


def test_a_sim_listing_from_the_feed_goes_through_the_same_import(acme):
    from types import SimpleNamespace

    from cdr_import.hooks import feed_handler_for
    from provisioning.models import Sim
    from tests.provisioning.conftest import SAMPLE_SIMS

    handler = feed_handler_for("sim")
    assert handler is not None  # registered by cdr_import from provisioning.services
    fetched = SimpleNamespace(original_name=SAMPLE_SIMS.name)
    with in_schema(acme):
        counts = handler(path=SAMPLE_SIMS, feed_import=fetched, by=None, now=NOW)
        assert counts == {"rows": 12, "imported": 12} and Sim.objects.count() == 12
        with pytest.raises(ApplicationError, match="rien n.a été importé"):
            handler(path=SAMPLE_SIMS, feed_import=fetched, by=None, now=NOW)
        assert Sim.objects.count() == 12
