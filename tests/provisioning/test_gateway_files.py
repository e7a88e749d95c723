"""The `files` operator link: each batch is one order file in the feed's Commandes/ folder (real
FTP and SFTP servers, a local folder), named on the actions before it is written so a retry never
writes a second file, then confirmed by an AccountStatus snapshot; refusals e-mailed once per batch."""

import pytest

from tests.conftest import in_schema
from tests.foundation.test_transfer import (  # noqa: F401  (the servers are fixtures)
    PASSWORD,
    ftp_server,
    local_folder,
    sftp_server,
)
from tests.provisioning.conftest import NOW
from tests.provisioning.operator_helpers import LATER, action, line, snapshot, status_row

pytestmark = pytest.mark.django_db

S0, S6, S7 = "8933012026100000004", "8933012026100000061", "8933012026100000079"
I6, I7 = "208159000000006", "208159000000007"
NEW_SIM = "8933012026100000087"


def _feed(tenant, server):
    from core.crypto import encrypt_secret
    from tenants.models import FeedAccess

    FeedAccess.objects.update_or_create(
        tenant=tenant,
        defaults={
            "protocol": server.protocol,
            "host": "" if server.protocol == "local" else "127.0.0.1",
            "port": server.port or None,
            "username": "acme",
            "secret_encrypted": encrypt_secret(PASSWORD),
            "root_path": str(server.root) if server.protocol == "local" else "",
        },
    )


def _gateway():
    from provisioning.gateway.files import FilesGateway

    return FilesGateway()


def _orders(server):
    return sorted(p.name for p in (server.root / "Commandes").iterdir())


@pytest.mark.parametrize("fixture", ["ftp_server", "sftp_server", "local_folder"])
def test_a_batch_is_one_order_file_then_confirmed_by_an_account_status_snapshot(
    request, fixture, acme, load_sample_sims
):
    from provisioning.models import LineActionStatus
    from provisioning.services.lines import line_actions_submit
    from provisioning.services.snapshots import snapshot_import

    server = request.getfixturevalue(fixture)
    _feed(acme, server)
    load_sample_sims(acme)
    with in_schema(acme):
        first, second = line("33750001006", iccid=S6), line("33750001007", iccid=S7)
        actions = [action("suspend", line=first), action("bar_all", line=second)]
        sent = line_actions_submit(actions=actions, now=NOW, gateway=_gateway())
        assert len(sent) == 2
        name = "ORDER_ACME_20261021140000.csv"  # NOW in Paris time
        assert _orders(server) == [name]
        text = (server.root / "Commandes" / name).read_bytes().decode("utf-8-sig")
        rows = [row.split(";") for row in text.strip().split("\r\n")]
        assert rows[0][:4] == ["REQUEST_ID", "ACTION", "ICCID", "MSISDN"]
        assert rows[1][:4] == [str(actions[0].pk), "SUSPEND", S6, "33750001006"]
        assert rows[2][1] == "BAR" and rows[2][10] == "ALL" and rows[2][11] == "2026-10-21 14:00:00"
        assert rows[-1] == ["TRAILER", "2"]
        for item in actions:
            item.refresh_from_db()
            assert (item.status, item.batch_reference) == (LineActionStatus.SENT, name)
        result = snapshot_import(
            source=snapshot(
                status_row(S6, I6, "33750001006", "SUSPENDED"),
                status_row(S7, I7, "33750001007", "BARRED_ALL"),
            ),
            filename="AccountStatus_ACME_20261021170000.csv",
            by=None,
            now=LATER,
        )
        assert result.actions_confirmed == 2 and result.disagreements_new == 0
        for item in actions:
            item.refresh_from_db()
            assert item.status == LineActionStatus.CONFIRMED
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == "suspended" and second.barred_incoming and second.barred_outgoing


def test_a_retried_batch_rewrites_the_same_file(acme, load_sample_sims, local_folder):  # noqa: F811
    from provisioning.gateway.files import order_batch_prepare
    from provisioning.models import LineActionStatus
    from provisioning.services.lines import line_actions_submit

    class Crashing:
        """Writes the file, then the process dies before the actions are recorded as sent."""

        name = "files"

        def submit(self, actions, *, now):
            _gateway().submit(actions, now=now)
            raise RuntimeError("worker lost")

    _feed(acme, local_folder)
    load_sample_sims(acme)
    with in_schema(acme):
        actions = [action("suspend", line=line("33750001006", iccid=S6))]
        name = order_batch_prepare(actions=actions, now=NOW)
        with pytest.raises(RuntimeError):
            line_actions_submit(actions=actions, now=NOW, gateway=Crashing())
        actions[0].refresh_from_db()
        assert actions[0].status == LineActionStatus.REQUESTED and actions[0].batch_reference == name
        later = NOW.replace(minute=5)
        line_actions_submit(actions=actions, now=later, gateway=_gateway())
        assert _orders(local_folder) == [name]
        actions[0].refresh_from_db()
        assert actions[0].status == LineActionStatus.SENT and actions[0].batch_reference == name


def test_two_batches_in_the_same_second_get_two_files(acme, load_sample_sims, local_folder):  # noqa: F811
    from provisioning.services.lines import line_actions_submit

    _feed(acme, local_folder)
    load_sample_sims(acme)
    with in_schema(acme):
        one, two = line("33750001006", iccid=S6), line("33750001007", iccid=S7)
        line_actions_submit(actions=[action("suspend", line=one)], now=NOW, gateway=_gateway())
        line_actions_submit(actions=[action("suspend", line=two)], now=NOW, gateway=_gateway())
    assert _orders(local_folder) == ["ORDER_ACME_20261021140000.csv", "ORDER_ACME_20261021140001.csv"]


def test_without_feed_access_the_actions_stay_requested(acme, load_sample_sims):
    from core.errors import ApplicationError
    from provisioning.services.lines import line_actions_submit

    load_sample_sims(acme)
    with in_schema(acme):
        pending = action("suspend", line=line("33750001006", iccid=S6))
        with pytest.raises(ApplicationError):
            line_actions_submit(actions=[pending], now=NOW, gateway=_gateway())
        pending.refresh_from_db()
        assert pending.status == "requested" and pending.batch_reference == ""


def test_the_tenant_settings_choose_the_files_backend_and_platform_only_actions_are_confirmed(
    acme,
    load_sample_sims,
    local_folder,  # noqa: F811
):
    from provisioning.gateway import operator_gateway
    from provisioning.gateway.files import FilesGateway
    from provisioning.models import ProvisioningSettings
    from provisioning.services.lines import line_actions_poll, line_actions_submit

    _feed(acme, local_folder)
    load_sample_sims(acme)
    with in_schema(acme):
        settings = ProvisioningSettings.objects.create(gateway_backend="files")
        assert isinstance(operator_gateway(settings), FilesGateway)
        rename = action("rename", line=line("33750001006", iccid=S6), parameters={"user_name": "PAUL"})
        line_actions_submit(actions=[rename], now=NOW)
        assert _orders(local_folder) == []  # nothing for the operator
        assert line_actions_poll(now=NOW) == [rename]


def test_refusals_are_emailed_once_per_batch(
    acme, load_sample_sims, mailoutbox, django_capture_on_commit_callbacks
):
    from provisioning.gateway import SimulatorGateway
    from provisioning.models import Sim
    from provisioning.services.lines import line_actions_poll, line_actions_submit
    from tenants.models import Tenant

    load_sample_sims(acme)
    Tenant.objects.filter(pk=acme.pk).update(technical_email="noc@client.example")
    with in_schema(acme):
        Sim.objects.filter(iccid__in=[S6, S7]).update(state="active")
        refused = [action("activate", sim=Sim.objects.get(iccid=iccid)) for iccid in (S6, S7)]
        gateway = SimulatorGateway(delay_seconds=0)
        line_actions_submit(actions=refused, now=NOW, gateway=gateway)
        with django_capture_on_commit_callbacks(execute=True):
            assert len(line_actions_poll(now=NOW, gateway=gateway)) == 2
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["noc@client.example"]
    assert S6 in mailoutbox[0].body and S7 in mailoutbox[0].body


def test_a_bulk_action_is_handed_over_in_order_files_of_submit_size(request, acme):
    """A bulk barring records its actions batch by batch, then hands them to the operator
    `submit_size` at a time: 7 lines, batches of 2, files of 5 → 2 order files (5 and 2 rows),
    two "sent" audit events, each row the action's line and barring; the progress ends once sent."""
    from audit.models import AuditEvent
    from provisioning.models import LineAction, ProvisioningSettings
    from provisioning.services.lines import line_actions_bulk

    folder = request.getfixturevalue("local_folder")
    _feed(acme, folder)
    with in_schema(acme):
        ProvisioningSettings.objects.create(gateway_backend="files")
        lines = [line(f"3361000000{i}") for i in range(7)]
        seen = []
        reference, count = line_actions_bulk(
            line_ids=[x.pk for x in lines],
            kind="bar_outgoing",
            by=None,
            now=NOW,
            today=NOW.date(),
            batch_size=2,
            submit_size=5,
            progress=lambda done, total: seen.append(done),
        )
        assert count == 7 and seen == [2, 4, 6, 7]
        files = _orders(folder)
        assert len(files) == 2
        rows = [
            r.split(";")
            for name in files
            for r in (folder.root / "Commandes" / name).read_text().splitlines()[1:-1]
        ]
        assert sorted(r[3] for r in rows) == sorted(x.msisdn for x in lines)
        assert {(r[1], r[10]) for r in rows} == {("BAR", "OUT")}
        actions = LineAction.objects.filter(line__in=lines)
        assert actions.count() == 7 and set(actions.values_list("status", flat=True)) == {"sent"}
        assert set(actions.values_list("batch_reference", flat=True)) == set(files)
        assert AuditEvent.objects.filter(action="line_action.sent").count() == 2
        assert AuditEvent.objects.filter(action="line.bulk_requested", object_repr=reference).count() == 4
