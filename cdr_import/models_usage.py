"""Usage as it lands: prepaid debits (once per CDR), consumption alerts (once per threshold, line
and month), the EU roaming data spending cap and who lifted it. Imported from `cdr_import.models`;
tenant schemas only."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UsageSettings(models.Model):
    """The tenant's rules for usage alerts (one row per schema)."""

    roaming_data_cap = models.DecimalField(
        _("roaming data spending cap (excl. VAT)"), max_digits=10, decimal_places=2, default=Decimal("50.00")
    )
    prepaid_vat_rate = models.DecimalField(
        _("VAT rate of prepaid usage (%)"), max_digits=5, decimal_places=2, default=Decimal("20.00")
    )
    alerts_enabled = models.BooleanField(_("send consumption alerts"), default=True)

    class Meta:
        verbose_name = _("usage settings")
        verbose_name_plural = _("usage settings")

    def __str__(self) -> str:
        return str(self.roaming_data_cap)


class UsageDebit(models.Model):
    """What a prepaid customer's ledger was debited for one CDR (excl. VAT): a later import of the
    same CDR debits only the difference, so each CDR is paid once."""

    family = models.CharField(_("family"), max_length=6)
    cdr_id = models.CharField(_("CDR id"), max_length=64)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("debited excl. VAT"), max_digits=14, decimal_places=4)
    feed_import = models.ForeignKey(
        "cdr_import.Import", verbose_name=_("import"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("prepaid debit")
        verbose_name_plural = _("prepaid debits")
        constraints = [models.UniqueConstraint(fields=["family", "cdr_id"], name="usage_debit_once_per_cdr")]

    def __str__(self) -> str:
        return f"{self.family} {self.cdr_id} {self.amount}"


class AlertKind(models.TextChoices):
    ALLOWANCE = "allowance", _("Allowance")
    ROAMING_CAP = "roaming_cap", _("Roaming data cap")


class ConsumptionAlert(models.Model):
    """One alert: a line reached `threshold` % of an allowance (or of the roaming cap) in a month."""

    line = models.ForeignKey(
        "provisioning.MobileLine", verbose_name=_("line"), on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    period = models.CharField(_("month"), max_length=7)
    kind = models.CharField(_("type"), max_length=12, choices=AlertKind.choices)
    allowance = models.ForeignKey(
        "offers.Allowance",
        verbose_name=_("allowance"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    allowance_key = models.PositiveIntegerField(_("allowance id"), default=0)
    allowance_label = models.CharField(_("allowance"), max_length=200, blank=True)
    threshold = models.PositiveSmallIntegerField(_("threshold (%)"))
    used = models.DecimalField(_("used"), max_digits=16, decimal_places=4)
    limit = models.DecimalField(_("limit"), max_digits=16, decimal_places=4)
    email = models.EmailField(_("sent to"), blank=True)
    sent = models.BooleanField(_("sent"), default=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    line_action = models.ForeignKey(
        "provisioning.LineAction",
        verbose_name=_("barring"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("raised at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consumption alert")
        verbose_name_plural = _("consumption alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["line", "period", "kind", "allowance_key", "threshold"], name="consumption_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.kind} {self.threshold}%"


class RoamingCapLift(models.Model):
    """The customer (all its lines) or one line asked to lift the roaming data spending cap."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    line = models.ForeignKey(
        "provisioning.MobileLine",
        verbose_name=_("line"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted on"))

    class Meta:
        verbose_name = _("roaming cap lifted")
        verbose_name_plural = _("roaming caps lifted")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False) ^ models.Q(line__isnull=False),
                name="roaming_cap_lift_customer_xor_line",
            ),
            models.UniqueConstraint(fields=["customer"], name="roaming_cap_lift_one_per_customer"),
            models.UniqueConstraint(fields=["line"], name="roaming_cap_lift_one_per_line"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id or ''}/{self.line_id or ''}"
