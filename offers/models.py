"""The catalogue of a tenant (offers, options, services and hardware, terminals) and its rate tables.

Nothing here is ever deleted once it may be in use: it is archived. Every amount is excluding VAT.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import ZERO

VAT_DEFAULT = 20


def _zones(text: str) -> list[str]:
    return [part.strip().upper() for part in (text or "").replace(";", ",").split(",") if part.strip()]


class BillingTiming(models.TextChoices):
    ADVANCE = "advance", _("In advance")
    ARREARS = "arrears", _("In arrears")


class TerminationRule(models.TextChoices):
    REMAINING_MONTHS = "remaining", _("Remaining months due")
    FRENCH_QUARTER = "fr_quarter", _("25 % of the remaining months after the 12th month (24 months)")


class CatalogueItem(models.Model):
    """What every sellable item shares: a code, a label, a price excluding VAT and a VAT rate."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=200)
    price = models.DecimalField(_("price excl. VAT"), max_digits=10, decimal_places=2, default=ZERO)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=VAT_DEFAULT)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["archived", "code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.label}"


class Offer(CatalogueItem):
    """A subscription (abonnement): a monthly price, a commitment, allowances and a default rate table."""

    billing_timing = models.CharField(
        _("billed"), max_length=10, choices=BillingTiming.choices, default=BillingTiming.ADVANCE
    )
    prorated = models.BooleanField(_("prorated by day"), default=True)
    commitment_none = models.BooleanField(_("without commitment"), default=True)
    commitment_12 = models.BooleanField(_("12-month commitment"), default=False)
    commitment_24 = models.BooleanField(_("24-month commitment"), default=False)
    termination_rule = models.CharField(
        _("early termination rule"),
        max_length=20,
        choices=TerminationRule.choices,
        default=TerminationRule.REMAINING_MONTHS,
    )
    default_rate_table = models.ForeignKey(
        "offers.RateTable",
        verbose_name=_("default rate table"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offers",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    options = models.ManyToManyField(
        "offers.Option",
        verbose_name=_("options"),
        blank=True,
        related_name="offers",
        help_text=_("The options that may be added to a line of this offer."),
    )

    class Meta(CatalogueItem.Meta):
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    @property
    def commitment_choices(self) -> list[int]:
        flags = ((0, self.commitment_none), (12, self.commitment_12), (24, self.commitment_24))
        return [months for months, allowed in flags if allowed]


class Option(CatalogueItem):
    """A recurring monthly add-on with its own allowances (and a speed for data options)."""

    data_speed = models.CharField(
        _("data speed"), max_length=40, blank=True, help_text=_("For data options, e.g. 4G+ 150 Mbit/s.")
    )

    class Meta(CatalogueItem.Meta):
        verbose_name = _("option")
        verbose_name_plural = _("options")


class ProductKind(models.TextChoices):
    SERVICE = "service", _("Service")
    HARDWARE = "hardware", _("Hardware")


class Product(CatalogueItem):
    """A service (activation, porting…) or a piece of hardware, sold once or monthly."""

    kind = models.CharField(
        _("kind"), max_length=10, choices=ProductKind.choices, default=ProductKind.SERVICE
    )
    recurring = models.BooleanField(_("monthly (recurring)"), default=False)

    class Meta(CatalogueItem.Meta):
        verbose_name = _("service or hardware")
        verbose_name_plural = _("services and hardware")


class Terminal(CatalogueItem):
    """A phone, with its price for each sale mode: cash (`price`), instalments, monthly rental."""

    brand = models.CharField(_("brand"), max_length=60)
    model = models.CharField(_("model"), max_length=120)
    instalment_months = models.PositiveSmallIntegerField(_("instalments (months)"), null=True, blank=True)
    instalment_price = models.DecimalField(
        _("monthly instalment excl. VAT"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    rental_price = models.DecimalField(
        _("monthly rental excl. VAT"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta(CatalogueItem.Meta):
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")


class RateEventType(models.TextChoices):
    VOICE = "VOICE", _("Outgoing calls")
    VOICE_MT = "VOICE_MT", _("Received calls")
    SMS = "SMS", _("SMS")
    SMS_MT = "SMS_MT", _("Received SMS")
    MMS = "MMS", _("MMS")
    DATA = "DATA", _("Data")


class RateUnit(models.TextChoices):
    MIN = "MIN", _("minute")
    EVENT = "EVENT", _("event")
    MB = "MB", _("MB")


class AllowanceUnit(models.TextChoices):
    MIN = "MIN", _("minutes")
    EVENT = "EVENT", _("events")
    MB = "MB", _("MB")


class Allowance(models.Model):
    """A quantity included in an offer or option, for some event type, destination and origin zones."""

    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.CASCADE, related_name="allowances"
    )
    option = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.CASCADE, related_name="allowances"
    )
    event_type = models.CharField(_("event type"), max_length=10, choices=RateEventType.choices)
    zones = models.CharField(
        _("destination zones"), max_length=300, blank=True, help_text=_("Comma-separated; empty: every zone.")
    )
    origin_zones = models.CharField(
        _("origin zones"), max_length=200, default="HOME", help_text=_("Comma-separated; empty: everywhere.")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=6, choices=AllowanceUnit.choices, default=AllowanceUnit.MIN)
    unlimited = models.BooleanField(_("unlimited"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("allowance")
        verbose_name_plural = _("allowances")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offer__isnull=False) ^ models.Q(option__isnull=False),
                name="allowance_of_offer_xor_option",
            )
        ]

    def __str__(self) -> str:
        quantity = format(self.quantity.normalize(), "f") if self.quantity is not None else "?"
        amount = _("unlimited") if self.unlimited else f"{quantity} {self.get_unit_display()}"
        return f"{self.get_event_type_display()} {amount} ({self.zones or '*'})"

    @property
    def zone_list(self) -> list[str]:
        return _zones(self.zones)

    @property
    def origin_zone_list(self) -> list[str]:
        return _zones(self.origin_zones)


class RateTableKind(models.TextChoices):
    RETAIL = "retail", _("Retail table")
    WHOLESALE = "wholesale", _("Wholesale table (operator)")
    MARKUP = "markup", _("Markup table")


class RateTable(models.Model):
    """A rate table (grille minute): versioned rows by `valid_from`; a markup table derives its prices."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=10, choices=RateTableKind.choices, default=RateTableKind.RETAIL
    )
    base_table = models.ForeignKey(
        "self",
        verbose_name=_("derived from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived_tables",
        help_text=_(
            "Markup tables: the table whose prices are marked up; empty: the wholesale cost of each event."
        ),
    )
    markup_fixed = models.DecimalField(
        _("markup: fixed (EUR)"), max_digits=10, decimal_places=4, default=ZERO
    )
    markup_percent = models.DecimalField(_("markup: percent"), max_digits=7, decimal_places=2, default=ZERO)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["archived", "code"]
        verbose_name = _("rate table")
        verbose_name_plural = _("rate tables")

    def __str__(self) -> str:
        return f"{self.code} · {self.label}"


class Rate(models.Model):
    """One row of a rate table, in force from `valid_from` until a later version of the same key."""

    table = models.ForeignKey(RateTable, on_delete=models.CASCADE, related_name="rates")
    prefix = models.CharField(_("prefix"), max_length=20, blank=True, db_index=True)
    destination = models.CharField(_("destination"), max_length=120)
    zone = models.CharField(_("zone"), max_length=30)
    event_type = models.CharField(_("event type"), max_length=10, choices=RateEventType.choices)
    origin_zone = models.CharField(_("origin zone"), max_length=20, default="HOME")
    price = models.DecimalField(_("price excl. VAT"), max_digits=12, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=6, choices=RateUnit.choices)
    first_increment = models.PositiveIntegerField(_("first increment"))
    next_increment = models.PositiveIntegerField(_("next increment"))
    connection_fee = models.DecimalField(_("connection fee"), max_digits=12, decimal_places=6, default=ZERO)
    valid_from = models.DateField(_("valid from"))

    class Meta:
        ordering = ["event_type", "origin_zone", "prefix", "valid_from"]
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "prefix", "event_type", "origin_zone", "valid_from"], name="rate_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix or '*'} {self.destination} ({self.event_type}, {self.origin_zone})"


class RateTableUpload(models.Model):
    """An uploaded rate-table file, archived in the tenant's storage, with its outcome."""

    table = models.ForeignKey(RateTable, on_delete=models.CASCADE, related_name="uploads")
    file = models.FileField(_("file"), upload_to="rate_tables/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("rate table upload")
        verbose_name_plural = _("rate table uploads")

    def __str__(self) -> str:
        return self.filename
