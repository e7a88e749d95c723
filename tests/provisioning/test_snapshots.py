"""Operator snapshots: the samples import with the expected counts, sent actions are confirmed by
the state they asked for, disagreements are listed then resolved, late actions are flagged, the
technical contact gets one e-mail per snapshot, and a tenant sees only its own disagreements."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import in_schema
from tests.provisioning.conftest import NOW
from tests.provisioning.operator_helpers import (
    LATER,
    SAMPLE_STATUS,
    SAMPLE_VGA,
    action,
    line,
    snapshot,
    status_row,
)

pytestmark = pytest.mark.django_db

S0, S6, S7 = "8933012026100000004", "8933012026100000061", "8933012026100000079"
I0, I6, I7 = "208159000000000", "208159000000006", "208159000000007"


def _import(data, *, now=LATER, name="AccountStatus_ACME_20261021170000.csv", kind=""):
    from provisioning.services.snapshots import snapshot_import

    return snapshot_import(source=data, filename=name, kind=kind, by=None, now=now)


def _technical_contact(tenant, email="noc@client.example"):
    from tenants.models import Tenant

    Tenant.objects.filter(pk=tenant.pk).update(technical_email=email)


def test_the_sample_account_status_imports_with_the_expected_counts(acme, load_sample_sims):
    from provisioning.models import OperatorDisagreement, Sim

    load_sample_sims(acme)
    with in_schema(acme):
        result = _import(SAMPLE_STATUS, name="")
        assert result.filename == SAMPLE_STATUS.name and result.kind == "account_status"
        assert (result.rows, result.rejected_rows, result.actions_confirmed) == (12, 0, 0)
        # 6 ACTIVE + BARRED_OUT → active, SUSPENDED, PORT_IN_PENDING → reserved, TERMINATED
        assert result.sims_updated == 10
        states = dict(Sim.objects.values_list("iccid", "state"))
        assert states[S0] == "active" and states[S6] == "suspended" and states[S7] == "active"
        assert states["8933012026100000087"] == "available"
        assert states["8933012026100000103"] == "reserved"
        assert states["8933012026100000111"] == "terminated"
        # the 8 lines in service at the operator are unknown to the platform
        assert result.disagreements_new == 8 and result.disagreements_open == 8
        assert set(OperatorDisagreement.objects.values_list("attribute", "platform_value")) == {
            ("presence", "absent")
        }
        again = _import(SAMPLE_STATUS, name="")
        assert (again.disagreements_new, again.disagreements_open, again.sims_updated) == (0, 8, 0)


def test_the_sample_account_vga_lists_and_resolves_fixed_number_disagreements(nova):
    from provisioning.models import FixedNumber, OperatorDisagreement

    with in_schema(nova):
        FixedNumber.objects.create(number="33240323750", status="active")
        FixedNumber.objects.create(number="33240323751", status="suspended")
        FixedNumber.objects.create(number="33240323799", status="active")
        result = _import(SAMPLE_VGA, name="")
        assert result.kind == "account_vga" and result.rows == 3
        found = set(
            OperatorDisagreement.objects.values_list(
                "identifier", "attribute", "platform_value", "operator_value"
            )
        )
        assert found == {
            ("33240323751", "status", "SUSPENDED", "ACTIVE"),
            ("33240323752", "presence", "absent", "SUSPENDED"),
            ("33240323799", "presence", "ACTIVE", "absent"),
        }
        FixedNumber.objects.filter(number="33240323751").update(status="active")
        FixedNumber.objects.filter(number="33240323799").update(status="terminated")
        FixedNumber.objects.create(number="33240323752", status="suspended")
        later = _import(SAMPLE_VGA, name="", now=LATER + dt.timedelta(days=1))
        assert (later.disagreements_new, later.disagreements_resolved, later.disagreements_open) == (0, 3, 0)
        assert not OperatorDisagreement.objects.filter(resolved_at__isnull=True).exists()


def test_sent_actions_are_confirmed_by_the_state_they_asked_for(acme, load_sample_sims):
    from provisioning.models import LineActionStatus

    load_sample_sims(acme)
    with in_schema(acme):
        suspended = line("33750001006", iccid=S6)
        barred = line("33750001007", iccid=S7)
        bar = action("bar_outgoing", line=barred, status="sent", sent_at=NOW)
        suspend = action("suspend", line=suspended, status="sent", sent_at=NOW)
        international = action(
            "set_international",
            line=suspended,
            status="sent",
            sent_at=NOW,
            parameters={"international": "WORLD"},
        )
        still = action("terminate", line=barred, status="sent", sent_at=NOW)
        result = _import(
            snapshot(
                status_row(S6, I6, "33750001006", "SUSPENDED", "WORLD"),
                status_row(S7, I7, "33750001007", "BARRED_OUT"),
            )
        )
        assert result.actions_confirmed == 3
        for item in (bar, suspend, international, still):
            item.refresh_from_db()
        assert [bar.status, suspend.status, international.status] == [LineActionStatus.CONFIRMED] * 3
        assert bar.confirmed_at == LATER and still.status == LineActionStatus.SENT
        suspended.refresh_from_db()
        barred.refresh_from_db()
        assert (suspended.status, suspended.international) == ("suspended", "WORLD")
        assert barred.barred_outgoing and not barred.barred_incoming and barred.status == "active"
        # The confirmed actions are applied to their lines by the outcome handlers (provisioning's
        # line actions); the snapshot then only writes what they left different.
        assert result.lines_updated <= 2 and result.disagreements_new == 0


def test_a_pending_line_the_operator_shows_active_completes(acme, load_sample_sims):
    load_sample_sims(acme)
    with in_schema(acme):
        pending = line("33750001000", iccid=S0, status="pending")
        _import(snapshot(status_row(S0, I0, "33750001000", "ACTIVE")))
        pending.refresh_from_db()
        assert pending.status == "active" and pending.activated_on == dt.date(2026, 10, 21)


def test_disagreements_are_listed_then_resolved_when_a_later_snapshot_agrees(acme, load_sample_sims):
    from provisioning.models import OperatorDisagreement

    load_sample_sims(acme)
    with in_schema(acme):
        first = line("33750001000", iccid=S0, international="WORLD")
        gone = line("33750009999")  # in service on the platform, absent from the snapshot
        result = _import(snapshot(status_row(S0, I0, "33750001000", "SUSPENDED")))
        found = set(
            OperatorDisagreement.objects.values_list(
                "identifier", "attribute", "platform_value", "operator_value"
            )
        )
        assert found == {
            ("33750001000", "status", "ACTIVE", "SUSPENDED"),
            ("33750001000", "international", "WORLD", "EUROPE"),
            ("33750009999", "presence", "ACTIVE", "absent"),
        }
        assert result.disagreements_new == 3
        first.international = "EUROPE"
        first.save()
        gone.status = "terminated"
        gone.save()
        later = _import(
            snapshot(status_row(S0, I0, "33750001000", "SUSPENDED")), now=LATER + dt.timedelta(hours=1)
        )
        assert (later.disagreements_new, later.disagreements_resolved, later.disagreements_open) == (0, 2, 1)
        agreed = _import(
            snapshot(status_row(S0, I0, "33750001000", "ACTIVE")), now=LATER + dt.timedelta(hours=2)
        )
        assert agreed.disagreements_resolved == 1 and agreed.disagreements_open == 0
        assert OperatorDisagreement.objects.filter(resolved_at=LATER + dt.timedelta(hours=2)).count() == 1


def test_a_faulty_row_is_kept_with_its_reason_and_a_truncated_file_is_refused(acme, load_sample_sims):
    from core.errors import ApplicationError

    load_sample_sims(acme)
    with in_schema(acme):
        result = _import(
            snapshot(status_row(S0, I0, "33750001000", "ACTIVE"), status_row("123", I0, "", "WHATEVER"))
        )
        assert (result.rows, result.rejected_rows) == (1, 1)
        assert {e["column"] for e in result.errors} == {"ICCID", "STATUS"} and result.errors[0]["line"] == 3
        with pytest.raises(ApplicationError) as refused:
            _import(snapshot(status_row(S0, I0, "33750001000", "ACTIVE"), "TRAILER;5"))
        assert [e["column"] for e in refused.value.extra["errors"]] == ["TRAILER"]


def test_actions_unconfirmed_after_the_timeout_are_flagged_once_then_resolved(
    acme, load_sample_sims, mailoutbox, django_capture_on_commit_callbacks
):
    from provisioning.models import OperatorDisagreement, ProvisioningSettings
    from provisioning.services.snapshots import line_actions_flag_unconfirmed

    load_sample_sims(acme)
    _technical_contact(acme)
    with in_schema(acme):
        ProvisioningSettings.objects.create(confirmation_timeout_hours=24)
        suspended = line("33750001006", iccid=S6)
        late = action("suspend", line=suspended, status="sent", sent_at=NOW)
        with django_capture_on_commit_callbacks(execute=True):
            assert line_actions_flag_unconfirmed(now=NOW + dt.timedelta(hours=23)) == []
            flags = line_actions_flag_unconfirmed(now=NOW + dt.timedelta(hours=24))
            assert [(f.identifier, f.attribute, f.platform_value) for f in flags] == [
                ("33750001006", "unconfirmed", f"suspend #{late.pk}")
            ]
            assert line_actions_flag_unconfirmed(now=NOW + dt.timedelta(hours=25)) == []
        assert len(mailoutbox) == 1 and mailoutbox[0].to == ["noc@client.example"]
        assert "33750001006" in mailoutbox[0].body
        _import(snapshot(status_row(S6, I6, "33750001006", "SUSPENDED")), now=NOW + dt.timedelta(hours=26))
        late.refresh_from_db()
        assert late.status == "confirmed"
        assert not OperatorDisagreement.objects.filter(
            attribute="unconfirmed", resolved_at__isnull=True
        ).exists()


def test_the_timeout_task_runs_in_the_tenant(acme, load_sample_sims):
    from provisioning.tasks import flag_unconfirmed_actions

    load_sample_sims(acme)
    with in_schema(acme):
        action("suspend", line=line("33750001006", iccid=S6), status="sent", sent_at=NOW)
        assert flag_unconfirmed_actions() == 1
        assert flag_unconfirmed_actions() == 0


def test_new_disagreements_are_emailed_once_per_snapshot(
    acme, load_sample_sims, mailoutbox, django_capture_on_commit_callbacks
):
    load_sample_sims(acme)
    _technical_contact(acme)
    with in_schema(acme), django_capture_on_commit_callbacks(execute=True):
        _import(SAMPLE_STATUS, name="")
    assert len(mailoutbox) == 1
    assert "8 " in mailoutbox[0].subject and mailoutbox[0].body.count("33750001") == 8
    with in_schema(acme), django_capture_on_commit_callbacks(execute=True):
        _import(SAMPLE_STATUS, name="")  # nothing new: no e-mail
    assert len(mailoutbox) == 1


def test_import_snapshot_command_prints_the_counts(acme, load_sample_sims):
    load_sample_sims(acme)
    out = StringIO()
    call_command("import_snapshot", "--tenant", "acme", str(SAMPLE_STATUS), stdout=out)
    counts = json.loads(out.getvalue())
    assert counts["rows"] == 12 and counts["disagreements_new"] == 8 and counts["kind"] == "account_status"


def test_acme_cannot_see_novas_disagreements(acme, nova, make_user, client_for, api_for):
    from provisioning.models import OperatorDisagreement

    with in_schema(nova):
        secret = OperatorDisagreement.objects.create(
            subject="fixed",
            identifier="33240323752",
            attribute="presence",
            platform_value="absent",
            operator_value="SUSPENDED",
            seen_at=NOW,
        )
    with in_schema(acme):
        mine = OperatorDisagreement.objects.create(
            subject="line",
            identifier="33750001000",
            attribute="status",
            platform_value="ACTIVE",
            operator_value="SUSPENDED",
            seen_at=NOW,
        )
    user = make_user(acme, "support")
    page = client_for(acme, user).get("/lines/disagreements/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "33750001000" in text and "33240323752" not in text
    api = api_for(acme, user)
    listed = api.get("/api/v1/operator-disagreements/").json()
    assert [row["identifier"] for row in listed["results"]] == ["33750001000"]
    assert api.get(f"/api/v1/operator-disagreements/{mine.pk}/").status_code == 200
    if secret.pk != mine.pk:
        assert api.get(f"/api/v1/operator-disagreements/{secret.pk}/").status_code == 404


def test_the_page_and_api_filter_open_and_resolved(acme, make_user, client_for, api_for):
    from provisioning.models import OperatorDisagreement

    with in_schema(acme):
        OperatorDisagreement.objects.create(
            subject="line", identifier="33750001000", attribute="status", seen_at=NOW
        )
        OperatorDisagreement.objects.create(
            subject="line", identifier="33750001001", attribute="status", seen_at=NOW, resolved_at=LATER
        )
    user = make_user(acme, "support")
    client = client_for(acme, user)
    assert "33750001001" not in client.get("/lines/disagreements/").content.decode()
    resolved = client.get("/lines/disagreements/?state=resolved").content.decode()
    assert "33750001001" in resolved and "33750001000" not in resolved
    api = api_for(acme, user)
    assert [
        r["identifier"] for r in api.get("/api/v1/operator-disagreements/?state=resolved").json()["results"]
    ] == ["33750001001"]
    assert api.get("/api/v1/operator-disagreements/?state=all").json()["count"] == 2
