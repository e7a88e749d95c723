"""Billing: runs, invoices and credit notes, number series, payments, SEPA debits, e-mails.

These tables live in tenant schemas only. Every amount is excluding VAT unless its name says
otherwise (`_vat`, `_incl_vat`). The life of a month:

- a `BillingRun` (one live run per period) settles the period's CDRs, then builds a draft
  `Invoice` per customer with something to bill (`InvoiceLine`s, `InvoiceVat` per rate);
- redoing the run rebuilds its drafts; finalizing numbers them (`NumberCounter`, per kind and
  numbering period, taken under a row lock for the numbering step only), renders the PDFs and
  issues them;
- a finalized invoice never changes (a database trigger refuses it); a `CreditNote` (avoir),
  numbered in its own series, corrects it;
- finalized invoices, credit notes and payments form one hash chain (`chain_index`,
  `content_sha256`, `previous_sha256`; `ChainHead` holds the last link) that `billing_verify` checks;
- `Payment`s are allocated to invoices (`PaymentAllocation`); SEPA debits are grouped in a
  `SepaBatch` of `SepaDebit`s; e-mails of invoices are `InvoiceEmail`s, at most one per invoice
  and mailing.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import PaymentMode
from core.money import ZERO

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2, "default": ZERO}


# --- settings ---------------------------------------------------------------------------------


class NumberRestart(models.TextChoices):
    YEARLY = "yearly", _("Every year")
    MONTHLY = "monthly", _("Every month")
    NEVER = "never", _("Never")


class EmailDelivery(models.TextChoices):
    ATTACHMENT = "attachment", _("The PDF attached")
    PORTAL_LINK = "portal_link", _("A link to the customer portal")


class SepaVersion(models.TextChoices):
    V08 = "pain.008.001.08", _("pain.008.001.08 (current)")
    V02 = "pain.008.001.02", _("pain.008.001.02 (former)")


class BillingSettings(models.Model):
    """The tenant's billing settings (one row, see `selectors.billing_settings_get`).

    The invoice number format and the invoice texts are the tenant's invoice settings
    (`tenants.TenantInvoiceSettings`); what billing alone uses is here.
    """

    number_restart = models.CharField(
        _("invoice numbers restart"),
        max_length=10,
        choices=NumberRestart.choices,
        default=NumberRestart.YEARLY,
    )
    credit_note_number_format = models.CharField(
        _("credit note number format"), max_length=60, default="AV{YYYY}-{SEQ:5}"
    )
    # Due date per payment mode: a delay in days after the issue date; SEPA: the debit day.
    due_days_transfer = models.PositiveSmallIntegerField(_("bank transfer: due after (days)"), default=30)
    due_days_cheque = models.PositiveSmallIntegerField(_("cheque: due after (days)"), default=30)
    due_days_card = models.PositiveSmallIntegerField(_("card: due after (days)"), default=0)
    sepa_debit_day = models.PositiveSmallIntegerField(
        _("SEPA: day of the month of the debit"),
        default=10,
        help_text=_(
            "The debit is made on this day of the month, at least the pre-notification delay after the issue."
        ),
    )
    sepa_prenotification_days = models.PositiveSmallIntegerField(
        _("SEPA: pre-notification at least (days before the debit)"), default=14
    )
    sepa_lead_days = models.PositiveSmallIntegerField(
        _("SEPA: collection date at least (days after the file)"), default=2
    )
    sepa_version = models.CharField(
        _("SEPA file format"), max_length=20, choices=SepaVersion.choices, default=SepaVersion.V08
    )
    sepa_reject_fee = models.DecimalField(
        _("fee for a rejected debit (excl. VAT)"), max_digits=10, decimal_places=2, default=ZERO
    )
    vat_on_debits = models.BooleanField(_("VAT paid on debits (TVA acquittée sur les débits)"), default=False)
    email_delivery = models.CharField(
        _("invoices sent with"),
        max_length=12,
        choices=EmailDelivery.choices,
        default=EmailDelivery.ATTACHMENT,
    )
    reminder_days = models.CharField(
        _("reminders after the due date (days)"),
        max_length=60,
        default="7,15,30",
        help_text=_("Comma-separated delays, e.g. 7,15,30."),
    )
    large_change_percent = models.PositiveSmallIntegerField(
        _("review: flag a change against the previous month above (%)"), default=50
    )
    paypal_enabled = models.BooleanField(_("online payment with PayPal"), default=False)
    paypal_email = models.EmailField(_("PayPal account e-mail"), blank=True)
    paypal_amounts = models.CharField(
        _("top-up amounts offered (EUR)"), max_length=100, default="10,20,50", blank=True
    )
    paypal_verify_url = models.URLField(
        _("PayPal notification check address"), default="https://ipnpb.paypal.com/cgi-bin/webscr"
    )
    account_customer = models.CharField(_("customer account"), max_length=20, default="411000")
    account_vat = models.CharField(_("VAT collected account"), max_length=20, default="445710")
    account_revenue = models.CharField(_("revenue account (default)"), max_length=20, default="706000")
    revenue_accounts = models.JSONField(
        _("revenue account per category"), default=dict, blank=True, help_text=_("Line category → account.")
    )
    journal_code = models.CharField(_("sales journal code"), max_length=10, default="VE")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")

    def __str__(self) -> str:
        return str(_("billing settings"))


class NumberKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class NumberCounter(models.Model):
    """The last number given in one series: a kind and its numbering period ("2025", "2025-03",
    "" when it never restarts). Locked (select_for_update) only while numbers are taken."""

    kind = models.CharField(_("kind"), max_length=12, choices=NumberKind.choices)
    period_key = models.CharField(_("numbering period"), max_length=7, blank=True)
    last = models.PositiveIntegerField(_("last number"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["kind", "period_key"]
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")
        constraints = [models.UniqueConstraint(fields=["kind", "period_key"], name="number_counter_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_key or '-'}: {self.last}"


# --- runs -------------------------------------------------------------------------------------


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SETTLING = "settling", _("Settling the usage")
    BUILDING = "building", _("Building the drafts")
    DRAFT = "draft", _("Drafts ready for review")
    FINALIZING = "finalizing", _("Finalizing")
    FINALIZED = "finalized", _("Finalized")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


LIVE_RUN_STATUSES = (
    RunStatus.QUEUED,
    RunStatus.SETTLING,
    RunStatus.BUILDING,
    RunStatus.DRAFT,
    RunStatus.FINALIZING,
    RunStatus.FINALIZED,
    RunStatus.FAILED,
)
WORKING_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.SETTLING, RunStatus.BUILDING, RunStatus.FINALIZING)


class BillingRun(models.Model):
    """The billing of one calendar month (lancement des factures): settle, build drafts, review,
    finalize. One run per period unless cancelled (a database constraint)."""

    period = models.CharField(_("period"), max_length=7, help_text=_("YYYY-MM"))
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    job = models.ForeignKey(
        "jobs.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    preflight = models.JSONField(_("checks before the run"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    cdrs_settled = models.PositiveIntegerField(_("CDRs settled"), default=0)
    customers_count = models.PositiveIntegerField(_("customers billed"), default=0)
    invoices_count = models.PositiveIntegerField(_("invoices"), default=0)
    empty_count = models.PositiveIntegerField(_("empty invoices"), default=0)
    anomalies_count = models.PositiveIntegerField(_("anomalies"), default=0)
    total_excl_vat = models.DecimalField(_("total excl. VAT"), **MONEY)
    total_vat = models.DecimalField(_("VAT"), **MONEY)
    total_incl_vat = models.DecimalField(_("total incl. VAT"), **MONEY)
    first_number = models.CharField(_("first number"), max_length=35, blank=True)
    last_number = models.CharField(_("last number"), max_length=35, blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("usage settled at"), null=True, blank=True)
    built_at = models.DateTimeField(_("drafts built at"), null=True, blank=True)
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalized by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-period", "-id"]
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        constraints = [
            models.UniqueConstraint(
                fields=["period"], condition=~models.Q(status="cancelled"), name="billing_run_one_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} ({self.get_status_display()})"

    @property
    def is_working(self) -> bool:
        return self.status in WORKING_RUN_STATUSES


# --- invoices ---------------------------------------------------------------------------------


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    SENT = "sent", _("Sent")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    CANCELLED = "cancelled", _("Cancelled by a credit note")


FINALIZED_STATUSES = (
    InvoiceStatus.ISSUED,
    InvoiceStatus.SENT,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.PAID,
    InvoiceStatus.OVERDUE,
    InvoiceStatus.CANCELLED,
)
UNPAID_STATUSES = (
    InvoiceStatus.ISSUED,
    InvoiceStatus.SENT,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.OVERDUE,
)


class Anomaly(models.TextChoices):
    EMPTY = "empty", _("Empty invoice")
    LARGE_CHANGE = "large_change", _("Large change against the previous month")
    NEGATIVE = "negative", _("Negative total")
    NO_MANDATE = "no_mandate", _("SEPA direct debit without an active mandate")


class Invoice(models.Model):
    """A customer's invoice for a period. The customer's identity is copied at build time (the
    legal mentions must not change with the customer's record); `number` stays empty until the
    invoice is finalized, after which nothing of it changes (a database trigger)."""

    run = models.ForeignKey(
        BillingRun,
        verbose_name=_("billing run"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="invoices"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    number = models.CharField(_("number"), max_length=35, null=True, blank=True, unique=True)
    number_period = models.CharField(_("numbering period"), max_length=7, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    period = models.CharField(_("period"), max_length=7)
    period_start = models.DateField(_("service from"))
    period_end = models.DateField(_("service until"))
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    payment_mode = models.CharField(_("payment mode"), max_length=10, choices=PaymentMode.choices)
    mandate_reference = models.CharField(_("mandate reference (RUM)"), max_length=35, blank=True)
    debit_date = models.DateField(_("debit date"), null=True, blank=True)

    # The customer, as it was when the invoice was built.
    customer_number = models.CharField(_("customer number"), max_length=20)
    customer_name = models.CharField(_("customer name"), max_length=200)
    customer_kind = models.CharField(_("customer type"), max_length=10)
    customer_siren = models.CharField(_("customer SIREN"), max_length=9, blank=True)
    customer_vat_number = models.CharField(_("customer VAT number"), max_length=20, blank=True)
    billing_address = models.TextField(_("billing address"), blank=True)
    billing_country = models.CharField(_("billing country"), max_length=2, default="FR")
    delivery_address = models.TextField(
        _("delivery address"), blank=True, help_text=_("Only when it differs from the billing address.")
    )
    customer_email = models.EmailField(_("billing e-mail"), blank=True)
    detailed = models.BooleanField(_("call detail attached"), default=True)
    full_numbers = models.BooleanField(_("called numbers in full"), default=False)
    # The seller and the mentions, fixed at finalization (identity, SIREN, VAT, capital, RCS, texts).
    seller = models.JSONField(_("seller"), default=dict, blank=True)
    vat_on_debits = models.BooleanField(_("VAT paid on debits"), default=False)

    total_excl_vat = models.DecimalField(_("total excl. VAT"), **MONEY)
    total_vat = models.DecimalField(_("VAT"), **MONEY)
    total_incl_vat = models.DecimalField(_("total incl. VAT"), **MONEY)
    amount_paid = models.DecimalField(_("paid (incl. VAT)"), **MONEY)
    previous_total_excl_vat = models.DecimalField(
        _("previous month excl. VAT"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    anomalies = models.JSONField(_("anomalies"), default=list, blank=True)

    pdf = models.FileField(_("PDF"), upload_to="invoices/%Y/%m/", max_length=300, blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    chain_index = models.PositiveBigIntegerField(_("chain position"), null=True, blank=True, unique=True)
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64, blank=True)
    previous_sha256 = models.CharField(_("previous record SHA-256"), max_length=64, blank=True)
    ledger_entry = models.OneToOneField(
        "customers.LedgerEntry",
        verbose_name=_("ledger entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice",
    )

    created_at = models.DateTimeField(_("created at"))
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalized by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        ordering = ["-period", "customer_number", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["run", "customer"], name="invoice_one_per_run_and_customer"),
            models.UniqueConstraint(
                fields=["number_period", "sequence"],
                condition=models.Q(sequence__isnull=False),
                name="invoice_sequence_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-period"], name="invoice_customer_period"),
            models.Index(fields=["status", "due_date"], name="invoice_status_due"),
            models.Index(fields=["run", "status"], name="invoice_run_status"),
        ]

    def __str__(self) -> str:
        return self.number or f"{_('draft')} #{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def amount_due(self) -> Decimal:
        return self.total_incl_vat - self.amount_paid


class LineCategory(models.TextChoices):
    SUBSCRIPTION = "subscription", _("Subscriptions")
    OPTION = "option", _("Options")
    SERVICE = "service", _("Services")
    HARDWARE = "hardware", _("Hardware")
    INSTALMENT = "instalment", _("Terminal instalments")
    RENTAL = "rental", _("Terminal rental")
    ACTIVATION = "activation", _("Activation fees")
    USAGE_NATIONAL = "usage_national", _("National calls")
    USAGE_INTERNATIONAL = "usage_international", _("International calls")
    USAGE_SPECIAL = "usage_special", _("Special numbers")
    USAGE_SMS_MMS = "usage_sms_mms", _("SMS and MMS")
    USAGE_DATA = "usage_data", _("Data")
    USAGE_ROAMING = "usage_roaming", _("Roaming")
    FIXED_LINE = "fixed_line", _("Fixed lines and numbers")
    DISCOUNT = "discount", _("Discounts")
    TERMINATION_FEE = "termination_fee", _("Early termination fees")
    MANUAL_CHARGE = "manual_charge", _("Other charges")
    REJECT_FEE = "reject_fee", _("Rejected debit fees")


USAGE_CATEGORIES = (
    LineCategory.USAGE_NATIONAL,
    LineCategory.USAGE_INTERNATIONAL,
    LineCategory.USAGE_SPECIAL,
    LineCategory.USAGE_SMS_MMS,
    LineCategory.USAGE_DATA,
    LineCategory.USAGE_ROAMING,
)


class InvoiceLine(models.Model):
    """One line of an invoice: `amount` = quantity × unit price rounded to cents (usage lines:
    the sum of the rated CDRs, rounded once). `source_type`/`source_id` say where it comes from."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=0)
    category = models.CharField(_("category"), max_length=20, choices=LineCategory.choices)
    label = models.CharField(_("label"), max_length=255)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=4, default=1)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    unit_price = models.DecimalField(_("unit price excl. VAT"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("amount excl. VAT"), max_digits=14, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    service_start = models.DateField(_("service from"), null=True, blank=True)
    service_end = models.DateField(_("service until"), null=True, blank=True)
    mobile_line = models.ForeignKey(
        "provisioning.MobileLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fixed_number = models.ForeignKey(
        "provisioning.FixedNumber", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    line_ref = models.CharField(_("line"), max_length=32, blank=True)
    source_type = models.CharField(_("source"), max_length=30, blank=True)
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)

    class Meta:
        ordering = ["invoice", "position", "id"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return f"{self.label}: {self.amount}"


class InvoiceVat(models.Model):
    """The VAT of one rate on an invoice: computed once on that rate's base."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="vat_lines")
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    base = models.DecimalField(_("base excl. VAT"), max_digits=14, decimal_places=2)
    vat = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["invoice", "vat_rate"]
        verbose_name = _("VAT per rate")
        verbose_name_plural = _("VAT per rate")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "vat_rate"], name="invoice_vat_unique_rate")
        ]

    def __str__(self) -> str:
        return f"{self.vat_rate} %: {self.vat}"


# --- credit notes -----------------------------------------------------------------------------


class CreditNoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    REFUNDED = "refunded", _("Refunded")


class CreditNote(models.Model):
    """A credit note (avoir) correcting a finalized invoice, in part or whole; own gapless series."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CreditNoteStatus.choices, default=CreditNoteStatus.DRAFT
    )
    number = models.CharField(_("number"), max_length=35, null=True, blank=True, unique=True)
    number_period = models.CharField(_("numbering period"), max_length=7, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    full = models.BooleanField(_("cancels the whole invoice"), default=False)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    customer_number = models.CharField(_("customer number"), max_length=20)
    customer_name = models.CharField(_("customer name"), max_length=200)
    customer_siren = models.CharField(_("customer SIREN"), max_length=9, blank=True)
    customer_vat_number = models.CharField(_("customer VAT number"), max_length=20, blank=True)
    billing_address = models.TextField(_("billing address"), blank=True)
    seller = models.JSONField(_("seller"), default=dict, blank=True)
    total_excl_vat = models.DecimalField(_("total excl. VAT"), **MONEY)
    total_vat = models.DecimalField(_("VAT"), **MONEY)
    total_incl_vat = models.DecimalField(_("total incl. VAT"), **MONEY)
    pdf = models.FileField(_("PDF"), upload_to="credit_notes/%Y/%m/", max_length=300, blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    chain_index = models.PositiveBigIntegerField(_("chain position"), null=True, blank=True, unique=True)
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64, blank=True)
    previous_sha256 = models.CharField(_("previous record SHA-256"), max_length=64, blank=True)
    ledger_entry = models.OneToOneField(
        "customers.LedgerEntry",
        verbose_name=_("ledger entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_note",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        constraints = [
            models.UniqueConstraint(
                fields=["number_period", "sequence"],
                condition=models.Q(sequence__isnull=False),
                name="credit_note_sequence_unique",
            )
        ]

    def __str__(self) -> str:
        return self.number or f"{_('draft')} #{self.pk}"


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(
        InvoiceLine, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_lines"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    category = models.CharField(_("category"), max_length=20, choices=LineCategory.choices)
    label = models.CharField(_("label"), max_length=255)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=4, default=1)
    unit_price = models.DecimalField(_("unit price excl. VAT"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("amount excl. VAT"), max_digits=14, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["credit_note", "position", "id"]
        verbose_name = _("credit note line")
        verbose_name_plural = _("credit note lines")

    def __str__(self) -> str:
        return f"{self.label}: {self.amount}"


class CreditNoteVat(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="vat_lines")
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    base = models.DecimalField(_("base excl. VAT"), max_digits=14, decimal_places=2)
    vat = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["credit_note", "vat_rate"]
        verbose_name = _("credit note VAT per rate")
        verbose_name_plural = _("credit note VAT per rate")
        constraints = [
            models.UniqueConstraint(fields=["credit_note", "vat_rate"], name="credit_note_vat_unique_rate")
        ]

    def __str__(self) -> str:
        return f"{self.vat_rate} %: {self.vat}"


# --- the chain --------------------------------------------------------------------------------


class ChainHead(models.Model):
    """The last link of the schema's chain of finalized invoices, credit notes and payments
    (one row, locked while a record is appended)."""

    last_index = models.PositiveBigIntegerField(default=0)
    last_sha256 = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain head")

    def __str__(self) -> str:
        return f"{self.last_index} {self.last_sha256[:12]}"


# --- payments ---------------------------------------------------------------------------------


class PaymentChannel(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    CARD = "card", _("Card")
    CASH = "cash", _("Cash")
    SEPA = "sepa", _("SEPA direct debit")
    PAYPAL = "paypal", _("PayPal")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending (debit submitted)")
    RECEIVED = "received", _("Received")
    REJECTED = "rejected", _("Rejected")


class Payment(models.Model):
    """Money received from a customer (incl. VAT), allocated to invoices; a ledger entry."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="payments"
    )
    channel = models.CharField(_("paid by"), max_length=10, choices=PaymentChannel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.RECEIVED
    )
    amount_incl_vat = models.DecimalField(_("amount incl. VAT"), max_digits=14, decimal_places=2)
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    external_id = models.CharField(
        _("transaction id"), max_length=64, null=True, blank=True, unique=True, help_text=_("PayPal, bank")
    )
    reject_code = models.CharField(_("reject reason code"), max_length=4, blank=True)
    rejected_on = models.DateField(_("rejected on"), null=True, blank=True)
    chain_index = models.PositiveBigIntegerField(_("chain position"), null=True, blank=True, unique=True)
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64, blank=True)
    previous_sha256 = models.CharField(_("previous record SHA-256"), max_length=64, blank=True)
    # The rejection of a payment is a link of the chain of its own (the payment keeps its link).
    reject_chain_index = models.PositiveBigIntegerField(
        _("rejection chain position"), null=True, blank=True, unique=True
    )
    reject_sha256 = models.CharField(_("rejection SHA-256"), max_length=64, blank=True)
    reject_previous_sha256 = models.CharField(
        _("rejection previous record SHA-256"), max_length=64, blank=True
    )
    ledger_entry = models.OneToOneField(
        "customers.LedgerEntry",
        verbose_name=_("ledger entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.amount_incl_vat}"


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount_incl_vat = models.DecimalField(_("amount incl. VAT"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["payment", "id"]
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="payment_allocation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice_id}: {self.amount_incl_vat}"


class PayPalNotification(models.Model):
    """An instant payment notification (IPN) as received, and what its check answered."""

    class Outcome(models.TextChoices):
        RECEIVED = "received", _("Received")
        CREDITED = "credited", _("Credited")
        INVALID = "invalid", _("Refused by the check")
        REPLAYED = "replayed", _("Already credited")
        IGNORED = "ignored", _("Ignored")

    txn_id = models.CharField(_("transaction id"), max_length=64, db_index=True, blank=True)
    payload = models.JSONField(_("notification"), default=dict)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RECEIVED)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("PayPal notification")
        verbose_name_plural = _("PayPal notifications")

    def __str__(self) -> str:
        return f"{self.txn_id} {self.outcome}"


# --- SEPA -------------------------------------------------------------------------------------


class SepaBatchStatus(models.TextChoices):
    GENERATED = "generated", _("File generated")
    SETTLED = "settled", _("Settled")


class SepaBatch(models.Model):
    """A pain.008 file of direct debits (one per run, or by hand)."""

    run = models.ForeignKey(
        BillingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="sepa_batches"
    )
    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    version = models.CharField(_("format"), max_length=20, choices=SepaVersion.choices)
    collection_date = models.DateField(_("collection date"))
    status = models.CharField(
        _("status"), max_length=10, choices=SepaBatchStatus.choices, default=SepaBatchStatus.GENERATED
    )
    debits_count = models.PositiveIntegerField(_("debits"), default=0)
    total_incl_vat = models.DecimalField(_("total incl. VAT"), **MONEY)
    file = models.FileField(_("file"), upload_to="sepa/%Y/%m/", max_length=300, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SEPA batch")
        verbose_name_plural = _("SEPA batches")

    def __str__(self) -> str:
        return self.message_id


class SepaDebitStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    COLLECTED = "collected", _("Collected")
    REJECTED = "rejected", _("Rejected")


class SepaDebit(models.Model):
    batch = models.ForeignKey(SepaBatch, on_delete=models.CASCADE, related_name="debits")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="sepa_debits")
    mandate = models.ForeignKey("customers.Mandate", on_delete=models.PROTECT, related_name="+")
    sequence_type = models.CharField(_("sequence"), max_length=4)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=35, unique=True)
    amount_incl_vat = models.DecimalField(_("amount incl. VAT"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=SepaDebitStatus.choices, default=SepaDebitStatus.PENDING
    )
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="sepa_debit"
    )
    reject_code = models.CharField(_("reject reason code"), max_length=4, blank=True)
    rejected_on = models.DateField(_("rejected on"), null=True, blank=True)

    class Meta:
        ordering = ["batch", "id"]
        verbose_name = _("SEPA debit")
        verbose_name_plural = _("SEPA debits")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"],
                condition=~models.Q(status="rejected"),
                name="sepa_debit_one_live_per_invoice",
            )
        ]

    def __str__(self) -> str:
        return self.end_to_end_id


# --- e-mails and reminders --------------------------------------------------------------------


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending (interrupted: check before sending again)")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


class InvoiceMailing(models.Model):
    """Sending a run's invoices (or one invoice) by e-mail, in the background."""

    run = models.ForeignKey(
        BillingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="mailings"
    )
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")

    def __str__(self) -> str:
        return f"#{self.pk}"


class InvoiceEmail(models.Model):
    """One invoice e-mail: taken by a conditional update from queued, so a retried task never
    sends it twice."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        REMINDER = "reminder", _("Reminder")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="emails")
    mailing = models.ForeignKey(
        InvoiceMailing, null=True, blank=True, on_delete=models.PROTECT, related_name="emails"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INVOICE)
    reminder_level = models.PositiveSmallIntegerField(_("reminder"), default=0)
    to = models.CharField(_("to"), max_length=254)
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    message_id = models.CharField(_("message id"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invoice e-mail")
        verbose_name_plural = _("invoice e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "mailing"],
                condition=models.Q(kind="invoice"),
                name="invoice_email_once_per_mailing",
            ),
            models.UniqueConstraint(
                fields=["invoice", "reminder_level"],
                condition=models.Q(kind="reminder"),
                name="invoice_reminder_once_per_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} → {self.to} ({self.status})"
