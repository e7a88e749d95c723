"""The operator gateway's simulator: confirms after its delay, refuses what a real operator would
(unknown ICCID, RIO not matching the number, SIM already active); outcomes recorded on the actions."""

import datetime as dt

import pytest

from tests.conftest import in_schema
from tests.provisioning.conftest import NOW

pytestmark = pytest.mark.django_db

SIM = "8933012026100000004"
OTHER_SIM = "8933012026100000012"


def _action(kind, *, sim=None, **parameters):
    from provisioning.models import LineAction

    return LineAction.objects.create(kind=kind, sim=sim, parameters=parameters, requested_at=NOW)


def _send_and_poll(actions, *, delay=5, after=10):
    from provisioning.gateway import SimulatorGateway
    from provisioning.services.lines import line_actions_poll, line_actions_submit

    gateway = SimulatorGateway(delay_seconds=delay)
    line_actions_submit(actions=actions, now=NOW, gateway=gateway)
    return line_actions_poll(now=NOW + dt.timedelta(seconds=after), gateway=gateway)


def test_an_activation_is_confirmed_after_the_delay_only(acme, load_sample_sims):
    from provisioning.gateway import SimulatorGateway
    from provisioning.models import LineActionKind, LineActionStatus, Sim
    from provisioning.services.lines import line_actions_poll, line_actions_submit

    load_sample_sims(acme)
    with in_schema(acme):
        action = _action(LineActionKind.ACTIVATE, sim=Sim.objects.get(iccid=SIM))
        gateway = SimulatorGateway(delay_seconds=30)
        assert line_actions_submit(actions=[action], now=NOW, gateway=gateway) == [action]
        action.refresh_from_db()
        assert action.status == LineActionStatus.SENT and action.sent_at == NOW
        assert line_actions_poll(now=NOW + dt.timedelta(seconds=29), gateway=gateway) == []
        assert line_actions_poll(now=NOW + dt.timedelta(seconds=30), gateway=gateway) == [action]
        action.refresh_from_db()
        assert action.status == LineActionStatus.CONFIRMED
        assert action.confirmed_at == NOW + dt.timedelta(seconds=30)
        # a second poll records nothing more
        assert line_actions_poll(now=NOW + dt.timedelta(seconds=60), gateway=gateway) == []


def test_an_action_is_sent_once(acme, load_sample_sims):
    from provisioning.gateway import SimulatorGateway
    from provisioning.models import LineActionKind
    from provisioning.services.lines import line_actions_submit

    load_sample_sims(acme)
    with in_schema(acme):
        action = _action(LineActionKind.ACTIVATE, iccid=SIM)
        gateway = SimulatorGateway()
        assert len(line_actions_submit(actions=[action], now=NOW, gateway=gateway)) == 1
        assert line_actions_submit(actions=[action], now=NOW, gateway=gateway) == []


def test_unknown_iccid_is_refused(acme, load_sample_sims):
    from provisioning.models import LineActionKind, LineActionStatus

    load_sample_sims(acme)
    with in_schema(acme):
        action = _action(LineActionKind.ACTIVATE, iccid="8933012026199999999")
        _send_and_poll([action])
        action.refresh_from_db()
        assert action.status == LineActionStatus.FAILED
        assert action.failure_reason == "ICCID 8933012026199999999 inconnu de l'opérateur."
        assert action.failed_at == NOW + dt.timedelta(seconds=10)


def test_a_sim_already_active_is_refused(acme, load_sample_sims):
    from provisioning.models import LineActionKind, LineActionStatus, Sim, SimState

    load_sample_sims(acme)
    with in_schema(acme):
        sim = Sim.objects.get(iccid=SIM)
        sim.state = SimState.ACTIVE
        sim.save()
        action = _action(LineActionKind.ACTIVATE, sim=sim)
        _send_and_poll([action])
        action.refresh_from_db()
        assert action.status == LineActionStatus.FAILED
        assert action.failure_reason == f"La carte SIM {SIM} est déjà active."


def test_port_in_with_a_rio_of_another_number_is_refused_and_a_matching_one_confirmed(acme, load_sample_sims):
    from provisioning.models import LineActionKind, LineActionStatus, Sim

    load_sample_sims(acme)
    with in_schema(acme):
        wrong = _action(
            LineActionKind.PORT_IN,
            sim=Sim.objects.get(iccid=SIM),
            port_msisdn="0612345679",
            rio="01P12345636Q",
        )
        right = _action(
            LineActionKind.PORT_IN,
            sim=Sim.objects.get(iccid=OTHER_SIM),
            port_msisdn="+33612345678",
            rio="01P12345636Q",
        )
        _send_and_poll([wrong, right])
        wrong.refresh_from_db()
        right.refresh_from_db()
        assert wrong.status == LineActionStatus.FAILED
        assert wrong.failure_reason.startswith("Le RIO ne correspond pas au numéro à porter")
        assert right.status == LineActionStatus.CONFIRMED


def test_sim_swap_to_an_unknown_sim_is_refused(acme, load_sample_sims):
    from provisioning.models import LineActionKind, LineActionStatus, Sim

    load_sample_sims(acme)
    with in_schema(acme):
        action = _action(LineActionKind.SIM_SWAP, sim=Sim.objects.get(iccid=SIM), new_iccid="1234")
        _send_and_poll([action])
        action.refresh_from_db()
        assert action.status == LineActionStatus.FAILED and "ICCID 1234 inconnu" in action.failure_reason


def test_outcomes_are_audited_and_handlers_called(acme, load_sample_sims):
    from audit.models import AuditEvent
    from provisioning import gateway
    from provisioning.models import LineActionKind

    load_sample_sims(acme)
    seen = []

    def handler(action, now):
        seen.append((action.pk, action.status, now))

    gateway.outcome_handler_register(handler)
    try:
        with in_schema(acme):
            ok = _action(LineActionKind.ACTIVATE, iccid=SIM)
            ko = _action(LineActionKind.ACTIVATE, iccid="0000")
            _send_and_poll([ok, ko])
            assert AuditEvent.objects.filter(action="line_action.sent").count() == 1
            assert AuditEvent.objects.get(action="line_action.confirmed").object_id == str(ok.pk)
            failed = AuditEvent.objects.get(action="line_action.failed")
            assert failed.object_id == str(ko.pk) and "inconnu" in failed.changes["reason"]
    finally:
        gateway._outcome_handlers.remove(handler)
    later = NOW + dt.timedelta(seconds=10)
    assert sorted(seen) == [(ok.pk, "confirmed", later), (ko.pk, "failed", later)]


def test_the_tenant_settings_choose_the_backend_and_its_delay(acme):
    from core.errors import ApplicationError
    from provisioning.gateway import SimulatorGateway, operator_gateway
    from provisioning.models import GatewayBackend
    from provisioning.selectors import provisioning_settings_get

    with in_schema(acme):
        settings = provisioning_settings_get()
        settings.simulator_delay_seconds = 2
        gateway = operator_gateway(settings)
        assert isinstance(gateway, SimulatorGateway) and gateway.delay == dt.timedelta(seconds=2)
        settings.gateway_backend = GatewayBackend.FILES
        assert operator_gateway(settings).name == "files"  # registered by provisioning.gateway.files
        settings.gateway_backend = "carrier-api"
        with pytest.raises(ApplicationError):
            operator_gateway(settings)  # a backend nobody registered


def test_a_failing_gateway_leaves_the_actions_requested(acme):
    from provisioning.models import LineActionKind, LineActionStatus
    from provisioning.services.lines import line_actions_submit

    class Down:
        name = "down"

        def submit(self, actions, *, now):
            raise OSError("FTP unreachable")

        def poll(self, *, now):
            return []

    with in_schema(acme):
        action = _action(LineActionKind.BAR_ALL)
        with pytest.raises(OSError):
            line_actions_submit(actions=[action], now=NOW, gateway=Down())
        action.refresh_from_db()
        assert action.status == LineActionStatus.REQUESTED and action.sent_at is None


def test_the_poll_hands_over_what_a_failing_gateway_left_requested(acme, load_sample_sims):
    from provisioning.gateway import SimulatorGateway
    from provisioning.models import LineActionKind, LineActionStatus, Sim
    from provisioning.services.lines import line_actions_poll

    load_sample_sims(acme)
    with in_schema(acme):
        action = _action(LineActionKind.ACTIVATE, sim=Sim.objects.get(iccid=SIM))  # left requested
        gateway = SimulatorGateway(delay_seconds=5)
        assert line_actions_poll(now=NOW, gateway=gateway) == []
        action.refresh_from_db()
        assert action.status == LineActionStatus.SENT and action.sent_at == NOW
        assert line_actions_poll(now=NOW + dt.timedelta(seconds=5), gateway=gateway) == [action]


def test_the_poll_still_records_outcomes_while_the_link_refuses_new_requests(acme, load_sample_sims):
    from core.errors import ApplicationError
    from provisioning.gateway import ActionOutcome
    from provisioning.models import LineActionKind, LineActionStatus
    from provisioning.services.lines import line_actions_poll, line_actions_submit

    class HalfDown:
        name = "half-down"

        def __init__(self):
            self.down = False

        def submit(self, actions, *, now):
            if self.down:
                raise ApplicationError("The FTP server refused: 530")

        def poll(self, *, now):
            return [ActionOutcome(sent.pk, confirmed=True, at=now)]

    with in_schema(acme):
        gateway = HalfDown()
        sent = _action(LineActionKind.BAR_ALL)
        line_actions_submit(actions=[sent], now=NOW, gateway=gateway)
        gateway.down = True
        waiting = _action(LineActionKind.BAR_OUTGOING)
        assert line_actions_poll(now=NOW, gateway=gateway) == [sent]
        waiting.refresh_from_db()
        assert waiting.status == LineActionStatus.REQUESTED


def test_the_beat_polls_the_operator_link_in_every_tenant():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["operator-outcomes"]
    assert entry["task"] == "tenants.tasks.dispatch_to_tenants"
    assert entry["args"] == ["provisioning.tasks.poll_operator"]


def test_the_poll_task_uses_the_tenant_gateway(acme, load_sample_sims):
    from provisioning.models import LineActionKind, LineActionStatus, ProvisioningSettings, Sim
    from provisioning.tasks import poll_operator

    load_sample_sims(acme)
    with in_schema(acme):
        ProvisioningSettings.objects.create(simulator_delay_seconds=0)
        action = _action(LineActionKind.ACTIVATE, sim=Sim.objects.get(iccid=SIM))
        assert poll_operator() == 1  # handed over, then judged at once (no delay)
        assert poll_operator() == 0
        action.refresh_from_db()
        assert action.status == LineActionStatus.CONFIRMED
