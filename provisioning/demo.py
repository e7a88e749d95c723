"""Demo data of the provisioning app, for each demo tenant: a SIM stock (some reserved), a few
hundred lines spread over the demo customers (most active, some barred, suspended or terminated),
pending portability orders, line actions in each state, a few disagreements with the operator, and
fixed numbers for a VNO.

Deterministic (a seeded random generator) and idempotent: the whole seed is one transaction keyed
by its SIM order reference, so a second run finds it and changes nothing. Rows are bulk-created.
Runs after the customers' and the catalogue's seeders (app order), and uses their offers.
"""

import datetime as dt
import random
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from core.crypto import encrypt_secret
from customers.models import Customer
from offers.models import Offer, RateTable
from provisioning.checks import luhn_ok
from provisioning.models import (
    DisagreementSubject,
    FixedNumber,
    FixedNumberStatus,
    InternationalProfile,
    LineAction,
    LineActionKind,
    LineActionStatus,
    LineStatus,
    MobileLine,
    OperatorDisagreement,
    Order,
    OrderLine,
    OrderLineType,
    OrderStatus,
    Sim,
    SimState,
)
from provisioning.rio import rio_key
from tenants.models import TenantKind

PARIS = ZoneInfo("Europe/Paris")
DEMO_ORDER_REF = "CMD-DEMO-2026"
DEMO_SIMS = 420
DEMO_LINES = 320  # of which: terminated, suspended, barred, pending portability (below)
TERMINATED, SUSPENDED, BARRED, PORTING = 15, 20, 10, 8
FIXED_NUMBERS = 40
MOBILE_OFFERS = ("FORFAIT-2H", "ILLIMITE-5GO", "ILLIMITE-100GO", "PRO-DATA-50")
FAILURE_REASONS = (
    "Unknown ICCID at the operator.",
    "The RIO does not match the number to port.",
    "The SIM is already active.",
)


def _luhn(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def _rio(national: str, rng: random.Random) -> str:
    head = (
        rng.choice(["01", "02", "03"])
        + "P"
        + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(6))
    )
    return head + rio_key(national, head)


def _demo_offers() -> list[Offer]:
    offers = list(Offer.objects.filter(code__in=MOBILE_OFFERS).order_by("code"))
    return offers or list(Offer.objects.filter(archived=False).order_by("code")[:4])


def seed_tenant(tenant: Any, *, now: dt.datetime | None = None) -> None:
    """Seed the tenant's SIM stock, lines, orders, actions, disagreements (and fixed numbers)."""
    now = now or timezone.now()
    if Sim.objects.filter(order_ref=DEMO_ORDER_REF).exists():
        return
    customers = list(Customer.objects.order_by("number").values_list("pk", flat=True)[:300])
    offers = _demo_offers()
    if not customers or not offers:
        return
    with transaction.atomic():
        _seed(tenant, now=now, customers=customers, offers=offers)


def _seed(tenant: Any, *, now: dt.datetime, customers: list[int], offers: list[Offer]) -> None:
    rng = random.Random(f"provisioning-{tenant.schema_name}")  # noqa: S311 (demo data, not secrets)
    today = now.astimezone(PARIS).date()
    digit = sum(map(ord, tenant.schema_name)) % 10
    tables = {t.pk: t for t in RateTable.objects.all()}

    # --- the SIM stock: the first DEMO_LINES SIMs go to lines, a few are reserved, the rest available
    sims = []
    for index in range(DEMO_SIMS):
        sims.append(
            Sim(
                iccid=_luhn(f"893301209{digit}{index:08d}"),
                imsi=f"20815{digit}{index:09d}",
                msisdn=f"337{digit}{index:07d}" if index < DEMO_LINES else "",
                pin1_encrypted=encrypt_secret(f"{rng.randint(0, 9999):04d}"),
                puk1_encrypted=encrypt_secret(f"{rng.randint(0, 99999999):08d}"),
                order_ref=DEMO_ORDER_REF,
                state=SimState.AVAILABLE,
                state_changed_at=now,
            )
        )
    Sim.objects.bulk_create(sims, batch_size=1000)
    sims = list(Sim.objects.filter(order_ref=DEMO_ORDER_REF).order_by("iccid"))

    # --- lines: the last PORTING ones are pending portability orders, not lines yet
    lines = []
    live = DEMO_LINES - PORTING
    for index in range(live):
        sim = sims[index]
        offer = offers[index % len(offers)]
        activated = today - dt.timedelta(days=rng.randint(30, 700))
        commitment = rng.choice([0, 12, 24])
        status = LineStatus.ACTIVE
        if index < TERMINATED:
            status = LineStatus.TERMINATED
        elif index < TERMINATED + SUSPENDED:
            status = LineStatus.SUSPENDED
        sim.state = {
            LineStatus.ACTIVE: SimState.ACTIVE,
            LineStatus.SUSPENDED: SimState.SUSPENDED,
            LineStatus.TERMINATED: SimState.TERMINATED,
        }[status]
        barred = TERMINATED + SUSPENDED <= index < TERMINATED + SUSPENDED + BARRED
        lines.append(
            MobileLine(
                msisdn=sim.msisdn,
                customer_id=customers[index % len(customers)],
                sim=sim,
                offer=offer,
                rate_table=tables.get(offer.default_rate_table_id) if offer.default_rate_table_id else None,
                international=rng.choice(InternationalProfile.values),
                barred_outgoing=barred,
                status=status,
                commitment_months=commitment,
                commitment_end=activated + dt.timedelta(days=30 * commitment) if commitment else None,
                activated_on=activated,
                terminated_on=today - dt.timedelta(days=rng.randint(1, 25))
                if status == LineStatus.TERMINATED
                else None,
            )
        )
    for index in range(live, live + 12):  # reserved for draft orders
        sims[index].state = SimState.RESERVED
    Sim.objects.bulk_update(sims, ["state"], batch_size=1000)
    MobileLine.objects.bulk_create(lines, batch_size=1000)
    lines = list(MobileLine.objects.select_related("sim").order_by("msisdn"))

    # --- pending portability orders, with their port-in actions sent to the operator
    orders, order_lines = [], []
    for number in range(PORTING):
        orders.append(
            Order(
                number=f"CMD-DEMO-{number + 1:04d}",
                customer_id=customers[(number * 37) % len(customers)],
                status=OrderStatus.VALIDATED,
                validated_at=now - dt.timedelta(days=rng.randint(1, 4)),
            )
        )
    Order.objects.bulk_create(orders)
    orders = list(Order.objects.filter(number__startswith="CMD-DEMO-").order_by("number"))
    for number, order in enumerate(orders):
        sim = sims[live + 12 + number]
        sim.state = SimState.RESERVED
        national = f"06{rng.randint(10000000, 99999999)}"
        order_lines.append(
            OrderLine(
                order=order,
                line_type=OrderLineType.PORT,
                sim=sim,
                port_msisdn="33" + national[1:],
                rio=_rio(national, rng),
                porting_date=today + dt.timedelta(days=rng.randint(6, 30)),
                offer=offers[number % len(offers)],
                user_name=f"UTILISATEUR {number + 1}",
            )
        )
    Sim.objects.bulk_update([ol.sim for ol in order_lines if ol.sim], ["state"])
    OrderLine.objects.bulk_create(order_lines)
    order_lines = list(OrderLine.objects.filter(order__in=orders).select_related("sim"))

    # --- line actions in each state
    actions = []
    sent_at = now - dt.timedelta(hours=2)
    for order_line in order_lines:
        actions.append(
            LineAction(
                order_line=order_line,
                sim=order_line.sim,
                kind=LineActionKind.PORT_IN,
                status=LineActionStatus.SENT,
                effective_date=order_line.porting_date,  # the operator ports on that day
                requested_at=sent_at,
                sent_at=sent_at,
                batch_reference="ORDER_DEMO_PORTABILITY",
            )
        )
    active_lines = [ln for ln in lines if ln.status == LineStatus.ACTIVE]
    for index, line in enumerate(active_lines[:60]):
        at = now - dt.timedelta(days=rng.randint(2, 90))
        actions.append(
            LineAction(
                line=line,
                sim=line.sim,
                kind=LineActionKind.ACTIVATE,
                status=LineActionStatus.CONFIRMED,
                requested_at=at,
                sent_at=at,
                confirmed_at=at + dt.timedelta(minutes=5),
            )
        )
        if index < 4:
            actions.append(
                LineAction(
                    line=line,
                    kind=LineActionKind.SET_INTERNATIONAL,
                    parameters={"international": InternationalProfile.WORLD},
                    status=LineActionStatus.REQUESTED,
                    requested_by=None,
                    requested_at=now - dt.timedelta(minutes=10),
                )
            )
        elif index < 8:
            actions.append(
                LineAction(
                    line=line,
                    kind=LineActionKind.BAR_OUTGOING,
                    status=LineActionStatus.SENT,
                    requested_at=sent_at,
                    sent_at=sent_at,
                )
            )
        elif index < 11:
            actions.append(
                LineAction(
                    line=line,
                    kind=LineActionKind.SIM_SWAP,
                    parameters={"new_iccid": sims[-1 - index].iccid},
                    status=LineActionStatus.FAILED,
                    failure_reason=FAILURE_REASONS[index % len(FAILURE_REASONS)],
                    requested_at=now - dt.timedelta(days=3),
                    sent_at=now - dt.timedelta(days=3),
                    failed_at=now - dt.timedelta(days=3, minutes=-5),
                )
            )
    LineAction.objects.bulk_create(actions, batch_size=1000)

    # --- a few disagreements with the operator's last snapshot (open and resolved)
    snapshot = f"AccountStatus_{tenant.operator_code or 'DEMO'}_{now.astimezone(PARIS):%Y%m%d%H}0000.csv"
    suspended = [ln for ln in lines if ln.status == LineStatus.SUSPENDED]
    disagreements = [
        OperatorDisagreement(
            subject=DisagreementSubject.LINE,
            identifier=line.msisdn,
            line=line,
            attribute="status",
            platform_value="SUSPENDED",
            operator_value="ACTIVE",
            snapshot=snapshot,
            seen_at=now - dt.timedelta(hours=1),
        )
        for line in suspended[:3]
    ]
    disagreements += [
        OperatorDisagreement(
            subject=DisagreementSubject.LINE,
            identifier=line.msisdn,
            line=line,
            attribute="international",
            platform_value=line.international,
            operator_value="NONE",
            snapshot=snapshot,
            seen_at=now - dt.timedelta(days=2),
            resolved_at=now - dt.timedelta(days=1) if index else None,
        )
        for index, line in enumerate(active_lines[100:103])
    ]
    disagreements.append(
        OperatorDisagreement(
            subject=DisagreementSubject.SIM,
            identifier=_luhn(f"893301299{digit}00000001"),
            attribute="presence",
            platform_value="absent",
            operator_value="AVAILABLE",
            snapshot=snapshot,
            seen_at=now - dt.timedelta(hours=1),
        )
    )
    OperatorDisagreement.objects.bulk_create(disagreements)

    if tenant.kind == TenantKind.VNO:
        _seed_fixed(now=now, today=today, customers=customers, rng=rng)


def _seed_fixed(*, now: dt.datetime, today: dt.date, customers: list[int], rng: random.Random) -> None:
    """Fixed numbers of a VNO (lignes fixes, VGA), on a fixed-line offer with the minute grid."""
    grid = RateTable.objects.filter(code="GRILLE-2026").first()
    offer, _created = Offer.objects.get_or_create(
        code="VGA-PRO",
        defaults={"label": "Ligne fixe Pro", "price": Decimal("19.90"), "default_rate_table": grid},
    )
    numbers = []
    for index in range(FIXED_NUMBERS):
        assigned = index < FIXED_NUMBERS - 8
        status = FixedNumberStatus.ACTIVE if assigned else FixedNumberStatus.AVAILABLE
        if assigned and index % 9 == 0:
            status = FixedNumberStatus.SUSPENDED
        numbers.append(
            FixedNumber(
                number=f"332403237{index:02d}",
                customer_id=customers[(index * 7) % len(customers)] if assigned else None,
                offer=offer if assigned else None,
                rate_table=grid if assigned else None,
                status=status,
                assigned_on=today - dt.timedelta(days=rng.randint(30, 400)) if assigned else None,
            )
        )
    FixedNumber.objects.bulk_create(numbers)
