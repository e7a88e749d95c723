"""Reads of the provisioning app: the tenant's provisioning settings, the operator disagreements,
the SIM stock and its summary, mobile lines (bounded keyset pages, a line's history) and fixed
numbers, and the checks the customers and offers apps ask through their hooks."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.selectors import audit_event_list
from provisioning.models import (
    FixedNumber,
    LineAction,
    LineStatus,
    MobileLine,
    OperatorDisagreement,
    ProvisioningSettings,
    Sim,
    SimState,
)


def provisioning_settings_get() -> ProvisioningSettings:
    """The tenant's provisioning settings; the defaults (unsaved) until an admin changes them."""
    return ProvisioningSettings.objects.order_by("pk").first() or ProvisioningSettings()


def disagreement_list(
    *, state: str = "open", subject: str = "", search: str = ""
) -> QuerySet[OperatorDisagreement]:
    """The differences the operator's snapshots showed: open (the default), resolved or all (`""`),
    by subject (sim, line, fixed) and by ICCID or number (a prefix)."""
    rows = OperatorDisagreement.objects.select_related("line__customer", "sim", "fixed_number__customer")
    if state == "open":
        rows = rows.filter(resolved_at__isnull=True)
    elif state == "resolved":
        rows = rows.filter(resolved_at__isnull=False)
    if subject:
        rows = rows.filter(subject=subject)
    text = search.strip().replace(" ", "").lstrip("+")
    if text:
        if text.startswith("0") and len(text) == 10:
            text = "33" + text[1:]
        rows = rows.filter(identifier__startswith=text)
    return rows.order_by("-seen_at", "-id")


def sim_list(*, search: str = "", state: str = "", order_ref: str = "", profile: str = "") -> QuerySet[Sim]:
    """SIM cards, searched by ICCID, IMSI or MSISDN (a prefix or the whole value)."""
    sims = Sim.objects.select_related("profile")
    text = search.strip().replace(" ", "")
    if text:
        digits = text.lstrip("+")
        if digits.startswith("0") and len(digits) == 10:  # a national number: its international form
            digits = "33" + digits[1:]
        sims = sims.filter(
            Q(iccid__startswith=text) | Q(imsi__startswith=text) | Q(msisdn__startswith=digits)
        )
    if state:
        sims = sims.filter(state=state)
    if order_ref:
        sims = sims.filter(order_ref=order_ref)
    if profile:
        sims = sims.filter(profile__code=profile)
    return sims.order_by("iccid")


@dataclass(frozen=True)
class StockRow:
    order_ref: str
    profile: str
    available: int
    reserved: int
    in_use: int
    total: int


@dataclass(frozen=True)
class StockSummary:
    rows: list[StockRow]
    available: int
    threshold: int

    @property
    def low(self) -> bool:
        return self.available < self.threshold


def sim_stock_summary() -> StockSummary:
    """The stock per SIM order reference and profile, and whether the available stock is low."""
    in_use = (SimState.ACTIVE, SimState.SUSPENDED)
    grouped = (
        Sim.objects.values("order_ref", "profile__code")
        .annotate(
            available=Count("pk", filter=Q(state=SimState.AVAILABLE)),
            reserved=Count("pk", filter=Q(state=SimState.RESERVED)),
            in_use=Count("pk", filter=Q(state__in=in_use)),
            total=Count("pk"),
        )
        .order_by("order_ref", "profile__code")
    )
    rows = [
        StockRow(
            order_ref=g["order_ref"],
            profile=g["profile__code"] or "",
            available=g["available"],
            reserved=g["reserved"],
            in_use=g["in_use"],
            total=g["total"],
        )
        for g in grouped
    ]
    return StockSummary(
        rows=rows,
        available=sum(r.available for r in rows),
        threshold=provisioning_settings_get().low_stock_threshold,
    )


# --- lines and fixed numbers ------------------------------------------------------------------

PAGE = 50


def _digits(query: str) -> str:
    return "".join(ch for ch in query if ch.isdigit())


def _number_variants(query: str) -> list[str]:
    """The prefixes a typed number may be stored under: as typed, national (0…) and international (33…)."""
    digits = _digits(query)
    variants = {digits}
    if digits.startswith("0") and not digits.startswith("00"):
        variants.add("33" + digits[1:])
        variants.add("+33" + digits[1:])
    elif digits.startswith("33"):
        variants.add("0" + digits[2:])
        variants.add("+" + digits)
    return sorted(v for v in variants if v)


def line_search_q(query: str) -> Q:
    """Lines whose MSISDN or SIM ICCID starts with the typed digits (index-friendly prefixes)."""
    q = Q()
    for variant in _number_variants(query):
        # the SIM as a subquery, not a join: each side keeps its prefix index (a bitmap OR)
        q |= Q(msisdn__startswith=variant) | Q(
            sim_id__in=Sim.objects.filter(iccid__startswith=variant).values("pk")
        )
    return q


def msisdn_search_q(query: str) -> Q:
    q = Q()
    for variant in _number_variants(query):
        q |= Q(msisdn__startswith=variant)
    return q


def line_list(
    *,
    search: str = "",
    status: str = "",
    customer_id: int | None = None,
    offer_id: int | None = None,
) -> QuerySet[MobileLine]:
    """Lines by MSISDN, filtered; the caller takes a keyset page (`line_page`)."""
    lines = MobileLine.objects.select_related("customer", "offer", "sim").order_by("msisdn", "pk")
    if status:
        lines = lines.filter(status=status)
    if customer_id:
        lines = lines.filter(customer_id=customer_id)
    if offer_id:
        lines = lines.filter(offer_id=offer_id)
    text = search.strip()
    if text:
        if len(_digits(text)) >= 3 and len(_digits(text)) >= len(text.replace(" ", "").lstrip("+")):
            lines = lines.filter(line_search_q(text))
        else:
            lines = lines.filter(Q(user_name__istartswith=text) | Q(customer__number__istartswith=text))
    return lines


@dataclass
class LinePage:
    lines: list[MobileLine]
    next_after: str


def line_page(lines: QuerySet[MobileLine], *, after: str = "", size: int = PAGE) -> LinePage:
    """A keyset page after the cursor `msisdn:pk` (no OFFSET, so the 2,000th page costs the first's)."""
    if after and ":" in after:
        msisdn, _sep, pk = after.rpartition(":")
        if pk.isdigit():
            lines = lines.filter(Q(msisdn__gt=msisdn) | Q(msisdn=msisdn, pk__gt=int(pk)))
    rows = list(lines[: size + 1])
    next_after = f"{rows[size - 1].msisdn}:{rows[size - 1].pk}" if len(rows) > size else ""
    return LinePage(lines=rows[:size], next_after=next_after)


def line_get(*, pk: int) -> MobileLine:
    return MobileLine.objects.select_related("customer", "offer", "sim", "rate_table").get(pk=pk)


def line_history(*, line: MobileLine, limit: int = 200) -> QuerySet[LineAction]:
    return line.actions.select_related("requested_by").order_by("-requested_at", "-id")[:limit]


def lines_of_customer(*, customer_id: int, limit: int = 200) -> QuerySet[MobileLine]:
    return (
        MobileLine.objects.filter(customer_id=customer_id)
        .select_related("offer", "sim")
        .order_by("status", "msisdn")[:limit]
    )


def customer_archive_line_blockers(customer: Any) -> list[str]:
    """Archive blocker: a customer keeps its live lines and assigned fixed numbers (named)."""
    reasons = []
    live = list(
        MobileLine.objects.filter(customer_id=customer.pk)
        .exclude(status=LineStatus.TERMINATED)
        .values_list("msisdn", flat=True)[:11]
    )
    if live:
        shown = ", ".join(live[:10]) + ("…" if len(live) > 10 else "")
        reasons.append(
            _("It still has lines in service: %(lines)s; terminate them first.") % {"lines": shown}
        )
    numbers = list(FixedNumber.objects.filter(customer_id=customer.pk).values_list("number", flat=True)[:11])
    if numbers:
        shown = ", ".join(numbers[:10]) + ("…" if len(numbers) > 10 else "")
        reasons.append(
            _("It still has fixed numbers assigned: %(numbers)s; unassign them first.") % {"numbers": shown}
        )
    return reasons


def fixed_number_list(
    *, search: str = "", status: str = "", customer_id: int | None = None
) -> QuerySet[FixedNumber]:
    numbers = FixedNumber.objects.select_related("customer", "offer", "rate_table").order_by("number")
    if status:
        numbers = numbers.filter(status=status)
    if customer_id:
        numbers = numbers.filter(customer_id=customer_id)
    text = search.strip()
    if text:
        q = Q(customer__number__istartswith=text)
        for variant in _number_variants(text):
            q |= Q(number__startswith=variant)
        numbers = numbers.filter(q)
    return numbers


def fixed_number_get(*, pk: int) -> FixedNumber:
    return FixedNumber.objects.select_related("customer", "offer", "rate_table").get(pk=pk)


def fixed_number_history(*, number: FixedNumber) -> QuerySet[AuditEvent]:
    return audit_event_list(obj=number)


def catalogue_item_line_usage(item: Any) -> list[str]:
    """Usage check of offers: the live lines (and fixed numbers) that have this offer, option or terminal."""
    from offers.models import Offer, Option, Terminal

    lines = MobileLine.objects.exclude(status=LineStatus.TERMINATED)
    if isinstance(item, Offer):
        count = lines.filter(offer=item).count() + FixedNumber.objects.filter(offer=item).count()
    elif isinstance(item, Option):
        count = lines.filter(options=item).count()
    elif isinstance(item, Terminal):
        count = lines.filter(order_lines__terminal=item).distinct().count()
    else:
        return []
    if not count:
        return []
    return [_("%(count)s line(s) use it.") % {"count": count}]
