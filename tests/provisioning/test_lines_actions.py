"""Actions on one line: each is recorded (requested → sent → confirmed | failed) and changes the
line only once the operator confirms it."""

from decimal import Decimal

import pytest

from core.errors import ApplicationError
from tests.conftest import in_schema
from tests.provisioning import lines_support
from tests.provisioning.lines_support import (
    NOW,
    TODAY,
    confirm_all,
    make_customer,
    make_offer,
    make_sim,
)

acme_line = lines_support.acme_line


def _services():
    from provisioning.services import lines

    return lines


def test_a_rename_is_sent_then_applied_when_confirmed(acme, acme_line):
    from audit.models import AuditEvent

    line = acme_line()
    with in_schema(acme):
        action = _services().line_rename(line=line, user_name="JEAN DUPONT", by=None, now=NOW)
        assert action.status == "sent" and action.sent_at == NOW
        line.refresh_from_db()
        assert line.user_name == ""
        confirm_all()
        line.refresh_from_db()
        action.refresh_from_db()
        assert line.user_name == "JEAN DUPONT" and action.status == "confirmed"
        assert AuditEvent.objects.filter(action="line.rename", object_id=str(line.pk)).exists()


def test_a_user_name_follows_the_character_rule(acme, acme_line):
    line = acme_line()
    with in_schema(acme), pytest.raises(ApplicationError, match="« - »"):
        _services().line_rename(line=line, user_name="Jean-Louis Émile", by=None, now=NOW)


def test_international_profile_and_barrings(acme, acme_line):
    line = acme_line()
    s = _services()
    with in_schema(acme):
        s.line_international_set(line=line, profile="WORLD", by=None, now=NOW)
        s.line_bar(line=line, kind="bar_incoming", by=None, now=NOW)
        s.line_bar(line=line, kind="bar_outgoing", by=None, now=NOW)
        confirm_all()
        line.refresh_from_db()
        assert (line.international, line.barred_incoming, line.barred_outgoing) == ("WORLD", True, True)
        assert line.status == "active"
        s.line_bar(line=line, kind="bar_all", by=None, now=NOW)
        confirm_all()
        line.refresh_from_db()
        line.sim.refresh_from_db()
        assert line.status == "suspended" and line.sim.state == "suspended"
        s.line_reactivate(line=line, by=None, now=NOW)
        confirm_all()
        line.refresh_from_db()
        line.sim.refresh_from_db()
        assert line.status == "active" and not line.barred_incoming and not line.barred_outgoing
        assert line.sim.state == "active"


def test_a_refused_action_keeps_the_line_and_says_why(acme, acme_line):
    from provisioning.gateway import ActionOutcome
    from provisioning.models import LineAction

    line = acme_line()
    with in_schema(acme):
        action = _services().line_bar(line=line, kind="bar_outgoing", by=None, now=NOW)
        _services().line_action_outcome_record(
            outcome=ActionOutcome(action.pk, confirmed=False, at=NOW, reason="Unknown MSISDN"), now=NOW
        )
        line.refresh_from_db()
        action = LineAction.objects.get(pk=action.pk)
        assert action.status == "failed" and action.failure_reason == "Unknown MSISDN"
        assert not line.barred_outgoing
        # a second answer changes nothing
        again = ActionOutcome(action.pk, confirmed=True, at=NOW)
        assert _services().line_action_outcome_record(outcome=again, now=NOW) is None


def test_termination_shows_and_checks_the_early_termination_fee(acme, acme_line):
    import datetime as dt

    line = acme_line(commitment_months=24, commitment_end=dt.date(2028, 1, 10))
    s = _services()
    with in_schema(acme):
        # activated 2026-01-10, today 2026-11-10: 10 months elapsed, 14 remaining at 20 €
        fee = s.line_termination_fee(line=line, today=TODAY)
        assert fee == Decimal("280.00")
        with pytest.raises(ApplicationError, match="passés à"):
            s.line_terminate(line=line, by=None, now=NOW, today=TODAY, fee_shown=Decimal("10.00"))
        action = s.line_terminate(line=line, by=None, now=NOW, today=TODAY, fee_shown=fee)
        assert action.parameters["fee"] == "280.00"
        with pytest.raises(ApplicationError, match="en cours de résiliation"):
            s.line_bar(line=line, kind="bar_outgoing", by=None, now=NOW)
        confirm_all()
        line.refresh_from_db()
        line.sim.refresh_from_db()
        assert line.status == "terminated" and line.terminated_on == TODAY and line.sim.state == "terminated"
        with pytest.raises(ApplicationError, match="aucune action"):
            s.line_bar(line=line, kind="bar_outgoing", by=None, now=NOW)


def test_french_quarter_rule_fee(acme, acme_line):
    with in_schema(acme):
        offer = make_offer("MOB24", price="20.00", rule="fr_quarter")
    line = acme_line(offer=offer, commitment_months=24)
    with in_schema(acme):
        # 10 months elapsed: 2 months until the 12th in full, then 25 % of 12 months
        assert _services().line_termination_fee(line=line, today=TODAY) == Decimal("100.00")


def test_offer_change_takes_effect_on_its_date(acme, acme_line):
    import datetime as dt

    line = acme_line()
    s = _services()
    with in_schema(acme):
        other = make_offer("MOB50", price="50.00")
        with pytest.raises(ApplicationError):
            s.line_offer_change(
                line=line, offer=other, effective_date=dt.date(2026, 1, 1), by=None, now=NOW, today=TODAY
            )
        action = s.line_offer_change(
            line=line, offer=other, effective_date=dt.date(2026, 12, 1), by=None, now=NOW, today=TODAY
        )
        assert action.effective_date == dt.date(2026, 12, 1)
        confirm_all()
        line.refresh_from_db()
        assert line.offer == other


def test_sim_swap_takes_a_new_sim_from_the_stock(acme, acme_line):
    line = acme_line()
    s = _services()
    with in_schema(acme):
        old_sim = line.sim
        new_sim = make_sim("89330000000000000099")
        with pytest.raises(ApplicationError, match="international"):
            s.line_sim_swap(
                line=line,
                msisdn="0612345678",
                new_iccid=new_sim.iccid,
                old_sim_state="lost",
                by=None,
                now=NOW,
            )
        with pytest.raises(ApplicationError, match="pas disponible"):
            s.line_sim_swap(
                line=line, msisdn="+33612345678", new_iccid="8933999", old_sim_state="lost", by=None, now=NOW
            )
        s.line_sim_swap(
            line=line, msisdn="+33612345678", new_iccid=new_sim.iccid, old_sim_state="lost", by=None, now=NOW
        )
        new_sim.refresh_from_db()
        assert new_sim.state == "reserved"
        confirm_all()
        line.refresh_from_db()
        old_sim.refresh_from_db()
        new_sim.refresh_from_db()
        assert line.sim == new_sim and new_sim.state == "active" and old_sim.state == "lost"


def test_a_refused_sim_swap_gives_the_sim_back(acme, acme_line):
    from provisioning.gateway import ActionOutcome

    line = acme_line()
    with in_schema(acme):
        new_sim = make_sim("89330000000000000098")
        action = _services().line_sim_swap(
            line=line,
            msisdn="+33612345678",
            new_iccid=new_sim.iccid,
            old_sim_state="terminated",
            by=None,
            now=NOW,
        )
        _services().line_action_outcome_record(
            outcome=ActionOutcome(action.pk, confirmed=False, at=NOW, reason="no"), now=NOW
        )
        new_sim.refresh_from_db()
        assert new_sim.state == "available"


def test_move_to_another_customer(acme, acme_line):
    line = acme_line()
    with in_schema(acme):
        other = make_customer("C999999")
        _services().line_move(line=line, customer=other, by=None, now=NOW)
        confirm_all()
        line.refresh_from_db()
        assert line.customer == other
