"""Usage as each CDR import lands: prepaid debits, consumption alerts, the roaming data cap.

`usage_after_import(feed_import=…, now=…)` is called once at the end of every RatedCDRs /
BilledCDRs import (a reprocess included). Each step is idempotent, so a file seen again, a billed
file confirming rated CDRs, or a reprocess changes nothing more:

- Prepaid debit, once per CDR. `UsageDebit` keeps, per (family, CDR_ID), what the customer's ledger
  was debited (excl. VAT). An import debits, per prepaid customer, the sum of (rated amount − already
  debited) of its CDRs: a new CDR its amount, a known one nothing, a CDR the billed file corrected
  only the difference (a credit when it went down). The sum is one `usage` ledger entry per customer
  and import, VAT added at the tenant's prepaid rate, rounded once to cents; the ledger then applies
  the balance policy (strict: the lines are barred when the balance crosses zero).
- Allowance alerts at 80 % and 100 %, once per (line, month, allowance, threshold): a unique
  `ConsumptionAlert`. The month's consumption of each allowance of the line's offer and options is
  computed from the stored CDRs' billed quantities (rated events only) per event kind, destination
  zone and origin zone, consumed in the allowances' order (intra-day, so indicative: billing
  settles the month in time order). Jumping straight past 100 % records the 80 % alert unsent.
- Roaming data cap: the month's rated amount of a line's DATA events made abroad (a roaming
  country outside France and its overseas territories: EU and beyond), against the tenant's cap
  (`UsageSettings.roaming_data_cap`, 50 € excl. VAT by default): an alert at 80 %; at 100 % the
  line's outgoing traffic is barred through the line action service (reason `roaming_data_cap`;
  the operator's order format knows no data-only barring), unless the customer or the line has
  the cap lifted (`RoamingCapLift`).
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from cdr_import.models import Cdr, FeedType, Import, ImportStatus
from cdr_import.models_usage import AlertKind, ConsumptionAlert, RoamingCapLift, UsageDebit, UsageSettings
from cdr_import.store import month_bounds
from core.errors import ApplicationError
from core.money import format_amount, quantize_price
from customers.models import BalanceMode, ContactRole, Customer, EntryKind
from customers.services import ledger_entry_add
from offers.rating import HOME, ROW_KIND, origin_zone
from offers.selectors import allowance_rows_for
from provisioning.models import LineActionKind, LineStatus, MobileLine
from provisioning.services.lines import lines_bar_at_once
from tenants.models import EmailKind
from tenants.settings.mail import email_send

THRESHOLDS = (80, 100)
CAP_REASON = "roaming_data_cap"
ROAMING_KEY = 0  # allowance_key of the roaming cap alerts


def usage_settings_get() -> UsageSettings:
    found = UsageSettings.objects.order_by("pk").first()
    return found if found is not None else UsageSettings.objects.create()


def usage_settings_update(
    *,
    roaming_data_cap: Decimal,
    prepaid_vat_rate: Decimal,
    alerts_enabled: bool,
    by: User | None,
    context: AuditContext | None = None,
) -> UsageSettings:
    """The tenant's cap, prepaid VAT rate and alert switch (each checked, all errors at once)."""
    from core.errors import Problems

    problems = Problems()
    if roaming_data_cap is None or roaming_data_cap < 0:
        problems.add(_("The cap is an amount of zero or more."), field="roaming_data_cap")
    if prepaid_vat_rate is None or not Decimal(0) <= prepaid_vat_rate <= Decimal(100):
        problems.add(_("A VAT rate is between 0 and 100 %."), field="prepaid_vat_rate")
    problems.raise_if_any()
    current = usage_settings_get()
    changes = {
        "roaming_data_cap": [str(current.roaming_data_cap), str(roaming_data_cap)],
        "prepaid_vat_rate": [str(current.prepaid_vat_rate), str(prepaid_vat_rate)],
        "alerts_enabled": [current.alerts_enabled, alerts_enabled],
    }
    current.roaming_data_cap = roaming_data_cap
    current.prepaid_vat_rate = prepaid_vat_rate
    current.alerts_enabled = alerts_enabled
    current.save()
    audit_record(actor=by, action="usage_settings.updated", obj=current, changes=changes, context=context)
    return current


def roaming_cap_lift_set(
    *,
    lifted: bool,
    by: User | None,
    now: dt.datetime,
    customer: Customer | None = None,
    line: MobileLine | None = None,
    context: AuditContext | None = None,
) -> bool:
    """Lift (or restore) the roaming data cap of a customer's lines or of one line; audited."""
    if (customer is None) == (line is None):
        raise ApplicationError(_("Choose a customer or a line."))
    target: dict[str, Any] = {"customer": customer} if customer is not None else {"line": line}
    with transaction.atomic():
        existing = RoamingCapLift.objects.filter(**target).first()
        if lifted and existing is None:
            RoamingCapLift.objects.create(
                lifted_by=by if by and by.is_authenticated else None, lifted_at=now, **target
            )
        elif not lifted and existing is not None:
            existing.delete()
        else:
            return lifted
        audit_record(
            actor=by,
            action="roaming_cap.lifted" if lifted else "roaming_cap.restored",
            obj=customer if customer is not None else line,
            changes={"lifted": lifted},
            context=context,
        )
    return lifted


def roaming_cap_lifted(*, line: MobileLine) -> bool:
    return RoamingCapLift.objects.filter(line=line).exists() or (
        line.customer_id is not None and RoamingCapLift.objects.filter(customer_id=line.customer_id).exists()
    )


# --- The entry point -------------------------------------------------------------------------------
def usage_after_import(*, feed_import: Import, now: dt.datetime) -> None:
    """Debit prepaid usage, then raise consumption and roaming alerts, for a finished CDR import."""
    if feed_import.feed_type not in (FeedType.RATED, FeedType.BILLED) or feed_import.status not in (
        ImportStatus.DONE,
        ImportStatus.DONE_WITH_REJECTIONS,
    ):
        return
    prepaid_usage_debit(feed_import=feed_import, now=now)
    consumption_alerts_raise(feed_import=feed_import, now=now)


# --- Prepaid -------------------------------------------------------------------------------------
def prepaid_usage_debit(*, feed_import: Import, now: dt.datetime) -> dict[int, Decimal]:
    """Debit each prepaid customer for what the import's CDRs add to what was debited before."""
    cdr_table = Cdr._meta.db_table
    debit_table = UsageDebit._meta.db_table
    customer_table = Customer._meta.db_table
    due: dict[int, Decimal] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':prepaid_usage'))")
        cursor.execute("DROP TABLE IF EXISTS usage_due")
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE usage_due ON COMMIT DROP AS
            SELECT c.family, c.cdr_id, c.customer_id, c.rated_amount,
                   c.rated_amount - COALESCE(d.amount, 0) AS difference
            FROM {cdr_table} c
            JOIN {customer_table} cu ON cu.id = c.customer_id AND cu.balance_mode = %s
            LEFT JOIN {debit_table} d ON d.family = c.family AND d.cdr_id = c.cdr_id
            WHERE (c.rated_import_id = %s OR c.billed_import_id = %s)
              AND c.rated_amount <> COALESCE(d.amount, 0)
            """,  # noqa: S608 (our table names)
            [BalanceMode.PREPAID, feed_import.pk, feed_import.pk],
        )
        cursor.execute(
            "SELECT customer_id, sum(difference) FROM usage_due GROUP BY customer_id ORDER BY customer_id"
        )
        due = dict(cursor.fetchall())
        cursor.execute(
            f"""
            INSERT INTO {debit_table} (family, cdr_id, customer_id, amount, feed_import_id)
            SELECT family, cdr_id, customer_id, rated_amount, %s FROM usage_due
            ON CONFLICT (family, cdr_id) DO UPDATE
                SET amount = EXCLUDED.amount, feed_import_id = EXCLUDED.feed_import_id
            """,  # noqa: S608 (our table names)
            [feed_import.pk],
        )
        cursor.execute("DROP TABLE usage_due")
        if not due:
            return due
        rate = usage_settings_get().prepaid_vat_rate
        for customer in Customer.objects.filter(pk__in=list(due)).order_by("pk"):
            amount_ht = quantize_price(due[customer.pk])
            if not amount_ht:
                continue
            vat = quantize_price(amount_ht * rate / 100)
            ledger_entry_add(
                customer=customer,
                by=None,
                now=now,
                kind=EntryKind.USAGE,
                amount_ttc=-(amount_ht + vat),
                amount_ht=-amount_ht,
                vat_rate=rate,
                amount_vat=-vat,
                description=f"Consommations du fichier {feed_import.original_name}"[:255],
            )
    return due


# --- Alerts --------------------------------------------------------------------------------------
def _touched(feed_import: Import) -> dict[int, set[str]]:
    """The mobile lines of the import's CDRs and the months (YYYY-MM, Paris) they fall in."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT mobile_line_id, to_char(start_time AT TIME ZONE 'Europe/Paris', 'YYYY-MM')
            FROM {Cdr._meta.db_table}
            WHERE (rated_import_id = %s OR billed_import_id = %s) AND mobile_line_id IS NOT NULL
            """,  # noqa: S608 (our table name)
            [feed_import.pk, feed_import.pk],
        )
        found: dict[int, set[str]] = defaultdict(set)
        for line_id, period in cursor.fetchall():
            found[line_id].add(period)
    return found


def _period_bounds(periods: set[str]) -> tuple[dt.datetime, dt.datetime]:
    months = sorted(dt.date(int(p[:4]), int(p[5:7]), 1) for p in periods)
    return month_bounds(months[0])[0], month_bounds(months[-1])[1]


def _quantities(
    line_ids: list[int], periods: set[str]
) -> dict[tuple[int, str], list[tuple[str, str, str, int]]]:
    """(line, month) → [(event type, zone, origin zone, billed quantity)] of the rated events."""
    first, end = _period_bounds(periods)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT mobile_line_id, to_char(start_time AT TIME ZONE 'Europe/Paris', 'YYYY-MM'),
                   event_type, rate_zone, origin_zone, sum(billed_quantity)
            FROM {Cdr._meta.db_table}
            WHERE mobile_line_id = ANY(%s) AND start_time >= %s AND start_time < %s AND rating_status = 'rated'
            GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
            """,  # noqa: S608 (our table name)
            [line_ids, first, end],
        )
        out: dict[tuple[int, str], list[tuple[str, str, str, int]]] = defaultdict(list)
        for line_id, period, event_type, zone, origin, total in cursor.fetchall():
            out[(line_id, period)].append((event_type, zone, origin, int(total)))
    return out


def _roaming_spend(line_ids: list[int], periods: set[str]) -> dict[tuple[int, str], Decimal]:
    """(line, month) → the rated amount of its DATA events made abroad."""
    first, end = _period_bounds(periods)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT mobile_line_id, to_char(start_time AT TIME ZONE 'Europe/Paris', 'YYYY-MM'), roaming_country,
                   sum(rated_amount)
            FROM {Cdr._meta.db_table}
            WHERE mobile_line_id = ANY(%s) AND start_time >= %s AND start_time < %s
              AND event_type = 'DATA' AND roaming_country <> ''
            GROUP BY 1, 2, 3
            """,  # noqa: S608 (our table name)
            [line_ids, first, end],
        )
        spend: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
        for line_id, period, country, amount in cursor.fetchall():
            if origin_zone(country, roam_like_at_home=False) != HOME:
                spend[(line_id, period)] += amount
    return spend


def allowance_consumption(specs: list[Any], groups: list[tuple[str, str, str, int]]) -> list[int]:
    """What each allowance (spec, in consumption order) has used of the groups' billed quantities."""
    remaining: list[int | None] = [spec.quantity for spec in specs]
    for event_type, zone, origin, total in groups:
        kind = ROW_KIND.get(event_type)
        left = total
        for i, spec in enumerate(specs):
            if left <= 0:
                break
            if spec.kind != kind or (spec.zones and zone not in spec.zones):
                continue
            if spec.origin_zones and origin not in spec.origin_zones:
                continue
            if remaining[i] is None:
                left = 0
                break
            take = min(remaining[i] or 0, left)
            remaining[i] = (remaining[i] or 0) - take
            left -= take
    return [
        0 if spec.quantity is None else spec.quantity - (remaining[i] or 0) for i, spec in enumerate(specs)
    ]


def _customer_email(customer: Customer | None) -> str:
    if customer is None:
        return ""
    contacts = {c.role: c.email for c in customer.contacts.all() if c.email}
    return contacts.get(ContactRole.BILLING) or contacts.get(ContactRole.LOGIN) or ""


def _send(alert: ConsumptionAlert, *, kind: str, context: dict[str, Any]) -> None:
    email = _customer_email(alert.customer)
    if not email:
        alert.note = "Pas d'adresse e-mail pour ce client."
    else:
        try:
            email_send(kind=kind, to=[email], context=context)
        except (ApplicationError, OSError) as exc:
            alert.note = str(getattr(exc, "message", exc))[:255]
        else:
            alert.email, alert.sent = email, True


def _month_label(period: str) -> str:
    return f"{period[5:7]}/{period[:4]}"


def consumption_alerts_raise(*, feed_import: Import, now: dt.datetime) -> list[ConsumptionAlert]:
    """The allowance and roaming-cap alerts the import's CDRs bring (each once), and the cap's barring.

    Set-based: the alerts that existed are read in one query (under a lock of the tenant's alerts,
    so two imports never raise the same one), the new ones written in one insert, the lines that
    crossed the roaming cap barred at once (`lines_bar_at_once`: one action and audit event per line,
    one order file); the e-mails go once the import's transaction has committed."""
    settings = usage_settings_get()
    if not settings.alerts_enabled:
        return []
    touched = _touched(feed_import)
    if not touched:
        return []
    line_ids = sorted(touched)
    periods = set().union(*touched.values())
    lines = {
        line.pk: line
        for line in MobileLine.objects.filter(pk__in=line_ids)
        .select_related("customer", "offer")
        .prefetch_related("options", "customer__contacts")
    }
    mails: list[tuple[ConsumptionAlert, str, dict[str, Any]]] = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':consumption_alerts'))"
            )
        raised_before = set(
            ConsumptionAlert.objects.filter(line_id__in=line_ids, period__in=sorted(periods)).values_list(
                "line_id", "period", "kind", "allowance_key", "threshold"
            )
        )
        quantities = _quantities(line_ids, periods)
        spend = _roaming_spend(line_ids, periods)
        raised: list[ConsumptionAlert] = []
        cap_hits: list[tuple[ConsumptionAlert, MobileLine, dict[str, Any]]] = []
        rows_cache: dict[tuple[Any, ...], list[Any]] = {}
        for line_id in line_ids:
            line = lines.get(line_id)
            if line is None:
                continue
            key = (line.offer_id, tuple(sorted(o.pk for o in line.options.all())))
            if key not in rows_cache:
                rows_cache[key] = allowance_rows_for(offer=line.offer, options=list(line.options.all()))
            rows = rows_cache[key]
            for period in sorted(touched[line_id]):
                used = allowance_consumption(
                    [spec for _a, spec in rows], quantities.get((line_id, period), [])
                )
                for (allowance, spec), amount in zip(rows, used, strict=True):
                    if not spec.quantity:
                        continue
                    reached = [t for t in THRESHOLDS if amount * 100 >= t * spec.quantity]
                    for threshold in reached:
                        if (line_id, period, AlertKind.ALLOWANCE, allowance.pk, threshold) in raised_before:
                            continue
                        alert = ConsumptionAlert(
                            line=line,
                            period=period,
                            kind=AlertKind.ALLOWANCE,
                            allowance_key=allowance.pk,
                            threshold=threshold,
                            customer=line.customer,
                            allowance=allowance,
                            allowance_label=str(allowance)[:200],
                            used=Decimal(amount),
                            limit=Decimal(spec.quantity),
                            created_at=now,
                        )
                        raised.append(alert)
                        if threshold != reached[-1]:
                            alert.note = "Seuil dépassé en même temps qu'un seuil supérieur."
                            continue
                        context = {
                            "customer_name": line.customer.display_name,
                            "line_number": line.msisdn,
                            "allowance": str(allowance),
                            "percent": str(threshold),
                            "month": _month_label(period),
                        }
                        mails.append((alert, EmailKind.CONSUMPTION_ALERT, context))
                raised.extend(
                    _roaming_cap(
                        line,
                        period,
                        spend.get((line_id, period), Decimal(0)),
                        settings,
                        now,
                        raised_before,
                        mails=mails,
                        cap_hits=cap_hits,
                    )
                )
        _roaming_cap_bar(cap_hits, now=now)
        ConsumptionAlert.objects.bulk_create(raised, batch_size=2000)
    if mails:
        transaction.on_commit(partial(_send_all, mails), robust=True)
    return raised


def _roaming_cap(
    line: MobileLine,
    period: str,
    spent: Decimal,
    settings: UsageSettings,
    now: dt.datetime,
    raised_before: set[tuple[Any, ...]],
    *,
    mails: list[tuple[ConsumptionAlert, str, dict[str, Any]]],
    cap_hits: list[tuple[ConsumptionAlert, MobileLine, dict[str, Any]]],
) -> list[ConsumptionAlert]:
    """The line's new roaming-cap alerts of the month (unsaved); those at 100 % go to `cap_hits`
    (`_roaming_cap_bar` decides the barring and the e-mail's consequence), the e-mails to `mails`."""
    cap = settings.roaming_data_cap
    if cap <= 0 or spent <= 0:
        return []
    reached = [t for t in THRESHOLDS if spent * 100 >= t * cap]
    raised = []
    for threshold in reached:
        if (line.pk, period, AlertKind.ROAMING_CAP, ROAMING_KEY, threshold) in raised_before:
            continue
        alert = ConsumptionAlert(
            line=line,
            period=period,
            kind=AlertKind.ROAMING_CAP,
            allowance_key=ROAMING_KEY,
            threshold=threshold,
            customer=line.customer,
            allowance_label="Plafond données en itinérance",
            used=spent,
            limit=cap,
            created_at=now,
        )
        raised.append(alert)
        context = {
            "customer_name": line.customer.display_name,
            "line_number": line.msisdn,
            "spent": format_amount(quantize_price(spent)),
            "cap": format_amount(cap),
            "percent": str(threshold),
            "consequence": "Au-delà du plafond, les données à l'étranger seront coupées.",
        }
        if threshold == 100:
            cap_hits.append((alert, line, context))
        if threshold != reached[-1]:
            alert.note = "Seuil dépassé en même temps qu'un seuil supérieur."
            continue
        mails.append((alert, EmailKind.ROAMING_CAP_ALERT, context))
    return raised


def _roaming_cap_bar(
    cap_hits: list[tuple[ConsumptionAlert, MobileLine, dict[str, Any]]], *, now: dt.datetime
) -> None:
    """The lines past the roaming cap, barred at once (outgoing; the operator's order format knows
    no data-only barring) unless the cap is lifted for them or they are restricted already."""
    if not cap_hits:
        return
    ids = {line.pk for _a, line, _c in cap_hits}
    customer_ids = {line.customer_id for _a, line, _c in cap_hits if line.customer_id is not None}
    lifted_lines = set(RoamingCapLift.objects.filter(line_id__in=ids).values_list("line_id", flat=True))
    lifted_customers = set(
        RoamingCapLift.objects.filter(customer_id__in=customer_ids).values_list("customer_id", flat=True)
    )
    to_bar: set[int] = set()
    for alert, line, context in cap_hits:
        if line.pk in lifted_lines or line.customer_id in lifted_customers:
            context["consequence"] = "Le plafond est levé pour cette ligne : les données restent ouvertes."
            alert.note = "Plafond levé : pas de restriction."
        elif line.status != LineStatus.ACTIVE or line.barred_outgoing:
            context["consequence"] = "La ligne est déjà restreinte."
            alert.note = "Ligne déjà restreinte."
        else:
            to_bar.add(line.pk)
    if not to_bar:
        return
    actions = lines_bar_at_once(
        line_ids=sorted(to_bar), kind=LineActionKind.BAR_OUTGOING, by=None, now=now, reason=CAP_REASON
    )
    for alert, line, context in cap_hits:
        if line.pk not in to_bar:
            continue
        action = actions.get(line.pk)
        if action is None:  # being terminated: no other action on it
            alert.note = "Ligne en cours de résiliation : pas de restriction."
        else:
            alert.line_action = action
            context["consequence"] = (
                "Les données à l'étranger sont coupées (restriction sortante de la ligne)."
            )


def _send_all(mails: list[tuple[ConsumptionAlert, str, dict[str, Any]]]) -> None:
    """The alerts' e-mails (after the import's commit), each alert's outcome saved in one update."""
    for alert, kind, context in mails:
        _send(alert, kind=kind, context=context)
    ConsumptionAlert.objects.bulk_update(
        [a for a, _k, _c in mails], ["email", "sent", "note"], batch_size=2000
    )
