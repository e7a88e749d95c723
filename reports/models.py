"""The daily usage per line: the CDR store summed by day (Europe/Paris), line, event type and
roaming, kept by the import (`services.daily_usage_after_import`) so that reports and charts over
months read thousands of rows instead of millions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LineUsageKey(models.Model):
    """What the daily and monthly usage figures are summed by, besides their day or month: the
    line (its reference, and the mobile line or fixed number and customer it belonged to), the
    event type and roaming. The ids carry no constraint: figures outlive nothing they point to,
    and the import writes them in bulk. Nor an index of their own: each model's indexes lead with
    them (line, fixed number or customer, then the day or month), and each index more is written
    for every figure an import replaces (issue 12: three fewer indexes, −16 % on the daily hook)."""

    family = models.CharField(_("family"), max_length=6)
    line_ref = models.CharField(_("line"), max_length=32)
    mobile_line = models.ForeignKey(
        "provisioning.MobileLine",
        verbose_name=_("mobile line"),
        null=True,
        db_constraint=False,
        db_index=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    fixed_number = models.ForeignKey(
        "provisioning.FixedNumber",
        verbose_name=_("fixed number"),
        null=True,
        db_constraint=False,
        db_index=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        db_constraint=False,
        db_index=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    event_type = models.CharField(_("event type"), max_length=10)
    roaming = models.BooleanField(_("roaming"), default=False)

    class Meta:
        abstract = True


class DailyUsage(LineUsageKey):
    day = models.DateField(_("day"))
    events = models.PositiveIntegerField(_("events"), default=0)
    duration_s = models.BigIntegerField(_("duration (s)"), default=0)
    volume_bytes = models.BigIntegerField(_("volume (bytes)"), default=0)
    rated_amount = models.DecimalField(
        _("rated amount excl. VAT"), max_digits=16, decimal_places=4, default=0
    )
    wholesale_cost = models.DecimalField(
        _("wholesale cost excl. VAT"), max_digits=16, decimal_places=6, default=0
    )
    unrated = models.PositiveIntegerField(_("unrated"), default=0)

    class Meta:
        verbose_name = _("daily usage")
        verbose_name_plural = _("daily usage")
        indexes = [
            models.Index(fields=["day"], name="usage_day"),
            models.Index(fields=["mobile_line", "day"], name="usage_line_day"),
            models.Index(fields=["fixed_number", "day"], name="usage_fixed_day"),
            models.Index(fields=["customer", "day"], name="usage_customer_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.line_ref} {self.event_type}"


class MonthlyUsage(LineUsageKey):
    """The daily usage summed by month (the first day of the month, Europe/Paris), line, event type
    and roaming: month totals, the dashboard's months and a line's allowance use read a few tens of
    thousands of rows where the daily figures hold a million (`services._rebuild_days` keeps both:
    the change of the daily figures is added to the month's)."""

    month = models.DateField(_("month"))
    events = models.BigIntegerField(_("events"), default=0)
    duration_s = models.BigIntegerField(_("duration (s)"), default=0)
    volume_bytes = models.BigIntegerField(_("volume (bytes)"), default=0)
    rated_amount = models.DecimalField(
        _("rated amount excl. VAT"), max_digits=18, decimal_places=4, default=0
    )
    wholesale_cost = models.DecimalField(
        _("wholesale cost excl. VAT"), max_digits=18, decimal_places=6, default=0
    )
    unrated = models.BigIntegerField(_("unrated"), default=0)

    class Meta:
        verbose_name = _("monthly usage")
        verbose_name_plural = _("monthly usage")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "month",
                    "family",
                    "line_ref",
                    "mobile_line",
                    "fixed_number",
                    "customer",
                    "event_type",
                    "roaming",
                ],
                nulls_distinct=False,
                name="monthly_usage_key",
            )
        ]
        indexes = [
            models.Index(fields=["mobile_line", "month"], name="monthly_usage_line"),
            models.Index(fields=["customer", "month"], name="monthly_usage_customer"),
            models.Index(fields=["fixed_number", "month"], name="monthly_usage_fixed"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.line_ref} {self.event_type}"


class DestinationUsage(models.Model):
    """The CDR store summed by day, destination (the rate table's and the operator's), event type
    and roaming, without the line: the CDR report filtered by a destination reads it for its
    totals and for the destinations matching the text (kept with the daily usage)."""

    day = models.DateField(_("day"))
    family = models.CharField(_("family"), max_length=6)
    rate_destination = models.CharField(_("destination"), max_length=100)
    destination_label = models.CharField(_("operator's destination"), max_length=100)
    event_type = models.CharField(_("event type"), max_length=10)
    roaming = models.BooleanField(_("roaming"), default=False)
    events = models.BigIntegerField(_("events"), default=0)
    duration_s = models.BigIntegerField(_("duration (s)"), default=0)
    volume_bytes = models.BigIntegerField(_("volume (bytes)"), default=0)
    rated_amount = models.DecimalField(
        _("rated amount excl. VAT"), max_digits=18, decimal_places=4, default=0
    )
    wholesale_cost = models.DecimalField(
        _("wholesale cost excl. VAT"), max_digits=18, decimal_places=6, default=0
    )
    unrated = models.BigIntegerField(_("unrated"), default=0)

    class Meta:
        verbose_name = _("usage per destination")
        verbose_name_plural = _("usage per destination")
        indexes = [models.Index(fields=["day"], name="destination_usage_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.rate_destination or self.destination_label} {self.event_type}"


class ReportSettings(models.Model):
    """A tenant's report settings (one row): the greenhouse-gas factor the portal shows data with."""

    ghg_grams_per_gb = models.DecimalField(
        _("greenhouse gases per GB of mobile data (g CO2e)"), max_digits=8, decimal_places=1, default=50
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return str(self.ghg_grams_per_gb)


class WhatIfKind(models.TextChoices):
    SIMULATION = "simulation", _("Simulation")
    BEST_OFFER = "best_offer", _("Best offer")
    CATALOGUE = "catalogue", _("Catalogue: a rate table over last month")


class WhatIfRun(models.Model):
    """A what-if pricing run: stored CDRs of a period rated again under another rate table or
    offer (nothing written to the CDR store), compared with what was billed. Its work is a job;
    `result` holds the comparison (amounts as strings, see `reports.whatif`)."""

    kind = models.CharField(
        _("kind"), max_length=12, choices=WhatIfKind.choices, default=WhatIfKind.SIMULATION
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    mobile_line = models.ForeignKey(
        "provisioning.MobileLine", verbose_name=_("line"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    rate_table = models.ForeignKey(
        "offers.RateTable", verbose_name=_("rate table"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    offer = models.ForeignKey(
        "offers.Offer",
        verbose_name=_("offer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    first_period = models.CharField(_("first month"), max_length=7)
    last_period = models.CharField(_("last month"), max_length=7)
    job = models.ForeignKey(
        "jobs.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("what-if pricing run")
        verbose_name_plural = _("what-if pricing runs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.first_period}–{self.last_period}"
