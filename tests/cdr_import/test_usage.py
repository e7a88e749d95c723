"""Usage as imports land: prepaid debits once per CDR, allowance alerts and the roaming data cap
(each once, however often the files come), the cap's barring once."""

import shutil
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Sum

from cdr_import.models import Cdr
from cdr_import.models_usage import ConsumptionAlert, UsageDebit
from cdr_import.services import _process, import_file
from cdr_import.usage import consumption_alerts_raise, roaming_cap_lift_set, usage_after_import
from offers.rating import HOME, origin_zone
from tests.cdr_import.conftest import NOW, SAMPLES
from tests.conftest import in_schema

RATED = "RatedCDRs_MOBILE_ACME_20261021143000.csv"
BILLED = "BilledCDRs_MOBILE_ACME_202610.csv"
CENT = Decimal("0.01")


def _import(path):
    return import_file(path=path, source="command", by=None, now=NOW)


def _customer():
    from customers.models import Contact, Customer

    customer = Customer.objects.get(number="C-FEED-1")
    Contact.objects.get_or_create(
        customer=customer, role="billing", defaults={"email": "compta@feed.example"}
    )
    return customer


def _ledger_usage(customer):
    from customers.models import LedgerEntry

    return list(LedgerEntry.objects.filter(customer=customer, kind="usage").order_by("id"))


def test_prepaid_usage_is_debited_once_per_cdr(acme_lines, tmp_path, django_capture_on_commit_callbacks):
    from customers.services import payment_record
    from provisioning.models import LineAction

    with in_schema(acme_lines):
        customer = _customer()
        customer.balance_mode, customer.balance_policy = "prepaid", "strict"
        customer.save()
        payment_record(customer=customer, amount=Decimal("5.00"), by=None, now=NOW)
        with django_capture_on_commit_callbacks(execute=True):
            rated = _import(SAMPLES / RATED)
        total = Cdr.objects.filter(customer=customer).aggregate(s=Sum("rated_amount"))["s"]
        assert total > Decimal("5")
        (entry,) = _ledger_usage(customer)
        ht = total.quantize(CENT, ROUND_HALF_UP)
        assert entry.amount_ht == -ht
        assert entry.amount_ttc == -(ht + (ht * Decimal("0.2")).quantize(CENT, ROUND_HALF_UP))
        assert UsageDebit.objects.count() == Cdr.objects.filter(rated_amount__gt=0).count()
        # The strict policy barred the lines when the balance crossed zero.
        customer.refresh_from_db()
        assert customer.suspended_for_balance
        assert LineAction.objects.filter(kind="bar_outgoing", parameters__reason="balance").count() == 6

        # The same file again (a copy under another name), a reprocess, the hook run again: no debit.
        copy = tmp_path / "RatedCDRs_MOBILE_ACME_20261021170000.csv"
        shutil.copy(SAMPLES / RATED, copy)
        _import(copy)
        _process(rated, feed_type=None, by=None, now=NOW)
        usage_after_import(feed_import=rated, now=NOW)
        assert len(_ledger_usage(customer)) == 1

        # The billed file confirms 125 CDRs and corrects one: only the difference is debited.
        before = {d.cdr_id: d.amount for d in UsageDebit.objects.all()}
        billed = _import(SAMPLES / BILLED)
        assert billed.corrected == 1
        after = {c.cdr_id: c.rated_amount for c in Cdr.objects.filter(customer=customer)}
        difference = sum((after[k] - before.get(k, Decimal(0)) for k in after), Decimal(0))
        entries = _ledger_usage(customer)
        if difference.quantize(CENT, ROUND_HALF_UP):
            assert len(entries) == 2 and entries[1].amount_ht == -difference.quantize(CENT, ROUND_HALF_UP)
        else:
            assert len(entries) == 1
        assert {d.cdr_id: d.amount for d in UsageDebit.objects.all()} == {k: v for k, v in after.items() if v}
        _process(billed, feed_type=None, by=None, now=NOW)
        assert len(_ledger_usage(customer)) == len(entries)


def test_postpaid_usage_is_not_debited(acme_lines):
    with in_schema(acme_lines):
        customer = _customer()
        _import(SAMPLES / RATED)
        assert _ledger_usage(customer) == [] and not UsageDebit.objects.exists()


def _home_data_kb():
    used = {}
    for cdr in Cdr.objects.filter(
        event_type="DATA", rating_status="rated", rate_zone="FR_DATA", origin_zone=HOME
    ):
        used[cdr.mobile_line_id] = used.get(cdr.mobile_line_id, 0) + cdr.billed_quantity
    return used


def test_allowance_alerts_are_sent_once_per_threshold_line_and_month(
    acme_lines, tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    from offers.models import Allowance, Offer

    with in_schema(acme_lines):
        _customer()
        rated = _import(SAMPLES / RATED)
        assert not ConsumptionAlert.objects.filter(kind="allowance").exists()  # no allowance yet
        used = _home_data_kb()
        top = max(used.values())
        # An allowance the busiest line passed (110 %), the others below or in between.
        quantity_kb = top * 100 // 110
        Allowance.objects.create(
            offer=Offer.objects.get(code="OFFER-GRILLE"),
            event_type="DATA",
            zones="FR_DATA",
            origin_zones="HOME",
            quantity=Decimal(quantity_kb) / 1024,
            unit="MB",
        )
        from offers.rating import allowance_quantity

        limit = allowance_quantity(kind="DATA", quantity=Decimal(quantity_kb) / 1024, unlimited=False)
        expected = {(line, t) for line, kb in used.items() for t in (80, 100) if kb * 100 >= t * limit}
        assert expected
        with django_capture_on_commit_callbacks() as mailing:
            consumption_alerts_raise(feed_import=rated, now=NOW)  # as a reprocess would
        alerts = ConsumptionAlert.objects.filter(kind="allowance")
        assert {(a.line_id, a.threshold) for a in alerts} == expected
        # The e-mails go once the transaction has committed (one callback), not before.
        assert not [m for m in mailoutbox if "forfait" in m.subject] and len(mailing) == 1
        mailing[0]()
        sent = alerts.filter(sent=True)
        # A line past 100 % at once gets the 100 % e-mail only (its 80 % is recorded, unsent).
        assert {(a.line_id, a.threshold) for a in sent} == {
            (line, max(t for l2, t in expected if l2 == line)) for line, _t in expected
        }
        allowance_mails = [m for m in mailoutbox if "forfait" in m.subject]
        assert len(allowance_mails) == sent.count() and allowance_mails[0].to == ["compta@feed.example"]

        # Imported again (a copy), reprocessed, the billed file: nothing new.
        copy = tmp_path / "RatedCDRs_MOBILE_ACME_20261021180000.csv"
        shutil.copy(SAMPLES / RATED, copy)
        with django_capture_on_commit_callbacks(execute=True):
            _import(copy)
            _process(rated, feed_type=None, by=None, now=NOW)
            _import(SAMPLES / BILLED)
            consumption_alerts_raise(feed_import=rated, now=NOW)
        assert ConsumptionAlert.objects.filter(kind="allowance").count() == alerts.count()
        assert len([m for m in mailoutbox if "forfait" in m.subject]) == len(allowance_mails)


def _roaming_spend():
    spend = {}
    for cdr in Cdr.objects.filter(event_type="DATA").exclude(roaming_country=""):
        if origin_zone(cdr.roaming_country, roam_like_at_home=False) != HOME:
            spend[cdr.mobile_line_id] = spend.get(cdr.mobile_line_id, Decimal(0)) + cdr.rated_amount
    return spend


@pytest.mark.parametrize("lifted", [False, True])
def test_roaming_data_cap_alerts_and_bars_once_unless_lifted(
    acme_lines, mailoutbox, lifted, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from cdr_import.usage import usage_settings_get
    from provisioning.models import LineAction, MobileLine

    with in_schema(acme_lines):
        customer = _customer()
        settings = usage_settings_get()
        assert settings.roaming_data_cap == Decimal("50.00")
        # Measure the sample's spend first (with alerts off), then set the cap from it.
        settings.alerts_enabled = False
        settings.save()
        rated = _import(SAMPLES / RATED)
        spend = _roaming_spend()
        top_line, top = max(spend.items(), key=lambda item: item[1])
        assert top > 0
        settings.alerts_enabled = True
        settings.roaming_data_cap = (top * Decimal("0.95")).quantize(CENT)
        settings.save()
        if lifted:
            roaming_cap_lift_set(customer=customer, lifted=True, by=None, now=NOW)
        cap = settings.roaming_data_cap
        expected = {(line, t) for line, s in spend.items() for t in (80, 100) if s * 100 >= t * cap}
        assert (top_line, 100) in expected
        for _round in range(3):  # reprocess, hook again: one alert each, one barring
            with django_capture_on_commit_callbacks(execute=True):
                consumption_alerts_raise(feed_import=rated, now=NOW)
        alerts = ConsumptionAlert.objects.filter(kind="roaming_cap")
        assert {(a.line_id, a.threshold) for a in alerts} == expected
        # Alerts raised before are known from one query: no query per line and threshold.
        with django_assert_max_num_queries(12):
            assert consumption_alerts_raise(feed_import=rated, now=NOW) == []
        barrings = LineAction.objects.filter(kind="bar_outgoing", parameters__reason="roaming_data_cap")
        if lifted:
            assert not barrings.exists()
            assert "levé" in alerts.get(line_id=top_line, threshold=100).note
        else:
            assert [b.line_id for b in barrings] == [line for line, t in sorted(expected) if t == 100]
            assert alerts.get(line_id=top_line, threshold=100).line_action == barrings.get(line_id=top_line)
            # Barred at once through the line actions' one path: one audit event per line (as
            # `line_bar` writes it), handed over to the operator together (one batch, sent).
            from audit.models import AuditEvent

            events = AuditEvent.objects.filter(action="line.bar_outgoing")
            assert sorted(int(e.object_id) for e in events) == [b.line_id for b in barrings]
            assert {e.changes["reason"] for e in events} == {"roaming_data_cap"}
            assert len({b.batch_reference for b in barrings}) == 1
            assert {b.status for b in barrings} == {"sent"}
        cap_mails = [m for m in mailoutbox if "itinérance" in m.subject]
        assert len(cap_mails) == alerts.filter(sent=True).count() > 0
        assert MobileLine.objects.filter(pk=top_line).exists()
