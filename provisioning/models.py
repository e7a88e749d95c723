"""Provisioning: SIM stock, mobile lines, fixed numbers, orders, line actions and what the operator
says about them. These tables live in tenant schemas only; every amount is excluding VAT.

The life of a line: an `Order` (commande) lists `OrderLine`s; validating it reserves their SIMs and
requests `LineAction`s (activate or port-in) from the operator gateway; a confirmed action creates
or updates the `MobileLine`. Later changes (barring, offer change, SIM swap…) are `LineAction`s too:
requested → sent → confirmed | failed, so the line's history is the list of its actions.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from offers.models import BillingTiming

# --- settings of the tenant -----------------------------------------------------------------


class GatewayBackend(models.TextChoices):
    SIMULATOR = "simulator", _("Simulator (demo and tests)")
    FILES = "files", _("Order files on the operator feed")


class ProvisioningSettings(models.Model):
    """The tenant's provisioning settings (one row, see `selectors.provisioning_settings_get`)."""

    low_stock_threshold = models.PositiveIntegerField(
        _("low SIM stock threshold"),
        default=20,
        help_text=_("A warning is shown when fewer available SIM cards remain."),
    )
    porting_min_days = models.PositiveSmallIntegerField(_("porting date: at least (days ahead)"), default=5)
    porting_max_days = models.PositiveSmallIntegerField(_("porting date: at most (days ahead)"), default=59)
    gateway_backend = models.CharField(
        _("operator link"), max_length=20, choices=GatewayBackend.choices, default=GatewayBackend.SIMULATOR
    )
    simulator_delay_seconds = models.PositiveIntegerField(
        _("simulator: confirmation delay (seconds)"), default=5
    )
    confirmation_timeout_hours = models.PositiveIntegerField(
        _("flag an action unconfirmed after (hours)"), default=48
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("provisioning settings")
        verbose_name_plural = _("provisioning settings")

    def __str__(self) -> str:
        return str(_("provisioning settings"))


# --- SIM stock --------------------------------------------------------------------------------


class SimProfile(models.Model):
    """A SIM electrical profile (profil électrique) of a VNO, which SIM orders and SIMs refer to."""

    code = models.CharField(_("profile code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    operator_file = models.FileField(_("file sent to the operator"), upload_to="sim_profiles/", blank=True)
    operator_filename = models.CharField(_("file name"), max_length=255, blank=True)
    sent_on = models.DateField(_("date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("SIM profile")
        verbose_name_plural = _("SIM profiles")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}" if self.name else self.code


class SimState(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved (in an order)")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")
    LOST = "lost", _("Lost or stolen")


class Sim(models.Model):
    """A SIM card of the stock. PIN and PUK codes are stored encrypted (`core.crypto`)."""

    iccid = models.CharField(_("ICCID"), max_length=20, unique=True)
    imsi = models.CharField(_("IMSI"), max_length=15, db_index=True)
    msisdn = models.CharField(_("pre-assigned MSISDN"), max_length=20, blank=True, db_index=True)
    pin1_encrypted = models.TextField(blank=True, editable=False)
    puk1_encrypted = models.TextField(blank=True, editable=False)
    pin2_encrypted = models.TextField(blank=True, editable=False)
    puk2_encrypted = models.TextField(blank=True, editable=False)
    order_ref = models.CharField(_("SIM order reference"), max_length=60, db_index=True)
    profile = models.ForeignKey(
        SimProfile,
        verbose_name=_("SIM profile"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sims",
    )
    state = models.CharField(_("state"), max_length=12, choices=SimState.choices, default=SimState.AVAILABLE)
    state_changed_at = models.DateTimeField(_("state since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["iccid"]
        verbose_name = _("SIM card")
        verbose_name_plural = _("SIM cards")
        indexes = [models.Index(fields=["state", "order_ref"], name="sim_state_order_ref")]

    def __str__(self) -> str:
        return self.iccid


class PoolNumberStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved (in an order)")
    ASSIGNED = "assigned", _("Assigned to a line")


class PoolNumber(models.Model):
    """A mobile number of the tenant's pool, given to a new line whose SIM has none pre-assigned."""

    msisdn = models.CharField(_("MSISDN"), max_length=20, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PoolNumberStatus.choices, default=PoolNumberStatus.AVAILABLE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["msisdn"]
        verbose_name = _("pool number")
        verbose_name_plural = _("number pool")

    def __str__(self) -> str:
        return self.msisdn


# --- lines ------------------------------------------------------------------------------------


class LineStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class InternationalProfile(models.TextChoices):
    NONE = "NONE", _("No international calls")
    EUROPE = "EUROPE", _("Europe")
    WORLD = "WORLD", _("World")


class MobileLine(models.Model):
    """A mobile line (ligne mobile) of a customer: its number, SIM, offer, options and barring."""

    msisdn = models.CharField(_("MSISDN"), max_length=20, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="mobile_lines",
    )
    sim = models.ForeignKey(
        Sim, verbose_name=_("SIM card"), null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    user_name = models.CharField(_("line user"), max_length=100, blank=True)
    offer = models.ForeignKey(
        "offers.Offer", verbose_name=_("offer"), on_delete=models.PROTECT, related_name="mobile_lines"
    )
    options = models.ManyToManyField(
        "offers.Option", verbose_name=_("options"), blank=True, related_name="mobile_lines"
    )
    rate_table = models.ForeignKey(
        "offers.RateTable",
        verbose_name=_("rate table"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mobile_lines",
    )
    data_speed = models.CharField(_("data speed"), max_length=40, blank=True)
    international = models.CharField(
        _("international profile"),
        max_length=10,
        choices=InternationalProfile.choices,
        default=InternationalProfile.EUROPE,
    )
    barred_incoming = models.BooleanField(_("incoming barred"), default=False)
    barred_outgoing = models.BooleanField(_("outgoing barred"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    commitment_months = models.PositiveSmallIntegerField(_("commitment (months)"), default=0)
    commitment_end = models.DateField(_("commitment ends"), null=True, blank=True)
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seller"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["msisdn"]
        verbose_name = _("mobile line")
        verbose_name_plural = _("mobile lines")
        constraints = [
            models.UniqueConstraint(
                fields=["msisdn"],
                condition=~models.Q(status="terminated"),
                name="mobile_line_msisdn_unique_while_live",
            )
        ]
        indexes = [models.Index(fields=["customer", "status"], name="mobile_line_customer_status")]

    def __str__(self) -> str:
        return self.msisdn


class FixedNumberStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class FixedNumber(models.Model):
    """A fixed number (a VNO's fixed line, or a DID a VoIP reseller sells), rated like a mobile line."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fixed_numbers",
    )
    offer = models.ForeignKey(
        "offers.Offer",
        verbose_name=_("offer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fixed_numbers",
    )
    rate_table = models.ForeignKey(
        "offers.RateTable",
        verbose_name=_("rate table"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fixed_numbers",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FixedNumberStatus.choices, default=FixedNumberStatus.AVAILABLE
    )
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    unassigned_on = models.DateField(_("unassigned on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("fixed number")
        verbose_name_plural = _("fixed numbers")
        indexes = [models.Index(fields=["customer", "status"], name="fixed_number_customer_status")]

    def __str__(self) -> str:
        return self.number


# --- orders -----------------------------------------------------------------------------------


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    VALIDATED = "validated", _("Validated")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    """A mobile line order (commande de ligne mobile) for a customer: one or several lines."""

    number = models.CharField(_("order number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="line_orders"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["customer", "status"], name="order_customer_status")]

    def __str__(self) -> str:
        return self.number


class OrderLineType(models.TextChoices):
    NEW = "new", _("New number")
    PORT = "port", _("Number portability")


class TerminalPurchase(models.TextChoices):
    CASH = "cash", _("Cash")
    INSTALMENTS = "instalments", _("Instalments")
    RENTAL = "rental", _("Rental")


class DiscountKind(models.TextChoices):
    NONE = "", _("No discount")
    PERCENT = "percent", _("Percent")
    AMOUNT = "amount", _("Amount (EUR)")


class OrderLine(models.Model):
    """One line of an order: the SIM, the number (new or ported), the terminal, offer and conditions."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    line_type = models.CharField(
        _("type"), max_length=10, choices=OrderLineType.choices, default=OrderLineType.NEW
    )
    sim = models.ForeignKey(
        Sim,
        verbose_name=_("SIM card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    msisdn = models.CharField(_("new number"), max_length=20, blank=True)
    port_msisdn = models.CharField(_("number to port"), max_length=20, blank=True)
    rio = models.CharField(_("RIO"), max_length=12, blank=True)
    porting_date = models.DateField(_("porting date"), null=True, blank=True)
    terminal = models.ForeignKey(
        "offers.Terminal",
        verbose_name=_("terminal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    terminal_purchase = models.CharField(
        _("terminal purchase mode"), max_length=12, choices=TerminalPurchase.choices, blank=True
    )
    offer = models.ForeignKey(
        "offers.Offer", verbose_name=_("offer"), on_delete=models.PROTECT, related_name="order_lines"
    )
    price_override = models.DecimalField(
        _("offer price excl. VAT (override)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    data_speed = models.CharField(_("data speed"), max_length=40, blank=True)
    options = models.ManyToManyField(
        "offers.Option", verbose_name=_("options"), blank=True, related_name="order_lines"
    )
    rate_table = models.ForeignKey(
        "offers.RateTable",
        verbose_name=_("rate table"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    commitment_months = models.PositiveSmallIntegerField(_("commitment (months)"), default=0)
    discount_kind = models.CharField(
        _("discount"), max_length=10, choices=DiscountKind.choices, blank=True, default=DiscountKind.NONE
    )
    discount_value = models.DecimalField(
        _("discount value"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    discount_months = models.PositiveSmallIntegerField(
        _("discount for (months)"), null=True, blank=True, help_text=_("Empty: for good.")
    )
    billing_start = models.DateField(_("billing starts on"), null=True, blank=True)
    billing_timing = models.CharField(
        _("billed"), max_length=10, choices=BillingTiming.choices, default=BillingTiming.ADVANCE
    )
    charge_activation_now = models.BooleanField(_("charge the activation fee now"), default=False)
    user_name = models.CharField(_("line user"), max_length=100, blank=True)
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seller"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    line = models.ForeignKey(
        MobileLine,
        verbose_name=_("resulting line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.order.number} · {self.port_msisdn or self.msisdn or self.pk}"


class ServiceOrder(models.Model):
    """A service ordered for a customer: a quantity at a unit price, from a date (until one if recurring)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="service_orders",
    )
    product = models.ForeignKey(
        "offers.Product", verbose_name=_("service"), on_delete=models.PROTECT, related_name="service_orders"
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price excl. VAT"), max_digits=10, decimal_places=2)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


# --- line actions and the operator ------------------------------------------------------------


class LineActionKind(models.TextChoices):
    ACTIVATE = "activate", _("Activation")
    PORT_IN = "port_in", _("Port-in")
    RENAME = "rename", _("User name change")
    SET_INTERNATIONAL = "set_international", _("International profile change")
    BAR_INCOMING = "bar_incoming", _("Incoming barring")
    BAR_OUTGOING = "bar_outgoing", _("Outgoing barring")
    BAR_ALL = "bar_all", _("Incoming and outgoing barring")
    SUSPEND = "suspend", _("Suspension")
    REACTIVATE = "reactivate", _("Reactivation")
    TERMINATE = "terminate", _("Termination")
    CHANGE_OFFER = "change_offer", _("Offer change")
    SIM_SWAP = "sim_swap", _("SIM swap")
    MOVE = "move", _("Move to another customer")


class LineActionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SENT = "sent", _("Sent to the operator")
    CONFIRMED = "confirmed", _("Confirmed")
    FAILED = "failed", _("Failed")


class LineAction(models.Model):
    """One action on a line, a SIM or a fixed number, and its course at the operator.

    `parameters` carries what the kind needs (new user name, international profile, new ICCID,
    offer id, RIO and porting number…); `failure_reason` says why the operator refused it.
    """

    line = models.ForeignKey(
        MobileLine,
        verbose_name=_("line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    sim = models.ForeignKey(
        Sim,
        verbose_name=_("SIM card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    fixed_number = models.ForeignKey(
        FixedNumber,
        verbose_name=_("fixed number"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    order_line = models.ForeignKey(
        OrderLine,
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    kind = models.CharField(_("action"), max_length=20, choices=LineActionKind.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=LineActionStatus.choices, default=LineActionStatus.REQUESTED
    )
    failure_reason = models.TextField(_("reason of the failure"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    batch_reference = models.CharField(_("batch"), max_length=60, blank=True, db_index=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("line action")
        verbose_name_plural = _("line actions")
        indexes = [
            models.Index(fields=["status", "sent_at"], name="line_action_status_sent"),
            models.Index(fields=["line", "-requested_at"], name="line_action_line_history"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class DisagreementSubject(models.TextChoices):
    SIM = "sim", _("SIM card")
    LINE = "line", _("Mobile line")
    FIXED = "fixed", _("Fixed number")


class OperatorDisagreement(models.Model):
    """A difference between the platform and an operator snapshot (AccountStatus, Account_VGA)."""

    subject = models.CharField(_("object"), max_length=10, choices=DisagreementSubject.choices)
    identifier = models.CharField(_("ICCID or number"), max_length=20, db_index=True)
    sim = models.ForeignKey(
        Sim, verbose_name=_("SIM card"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    line = models.ForeignKey(
        MobileLine, verbose_name=_("line"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    fixed_number = models.ForeignKey(
        FixedNumber,
        verbose_name=_("fixed number"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    attribute = models.CharField(_("what"), max_length=40, default="status")
    platform_value = models.CharField(_("platform says"), max_length=100, blank=True)
    operator_value = models.CharField(_("operator says"), max_length=100, blank=True)
    snapshot = models.CharField(_("snapshot file"), max_length=255, blank=True)
    seen_at = models.DateTimeField(_("seen at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-seen_at", "-id"]
        verbose_name = _("operator disagreement")
        verbose_name_plural = _("operator disagreements")
        indexes = [models.Index(fields=["resolved_at", "-seen_at"], name="disagreement_open")]

    def __str__(self) -> str:
        return f"{self.identifier}: {self.platform_value} ≠ {self.operator_value}"
