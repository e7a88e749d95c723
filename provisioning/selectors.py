"""Reads of the provisioning app: SIM stock and its summary, the tenant's provisioning settings."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from provisioning.models import OperatorDisagreement, ProvisioningSettings, Sim, SimState


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
