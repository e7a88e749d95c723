"""Customers (fiches client) of a tenant: their contacts, SEPA mandates, portal account and
the ledger their balance is derived from. These tables live in tenant schemas only."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from core.choices import PaymentMode  # noqa: F401  (re-exported: customers.models.PaymentMode)


class CustomerKind(models.TextChoices):
    BUSINESS = "business", _("Business")
    CONSUMER = "consumer", _("Consumer")


class BalanceMode(models.TextChoices):
    POSTPAID = "postpaid", _("Postpaid")
    PREPAID = "prepaid", _("Prepaid")


class BalancePolicy(models.TextChoices):
    PERMISSIVE = "permissive", _("Permissive")
    STRICT = "strict", _("Strict")


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class CustomerNumberCounter(models.Model):
    """The last generated customer number (one row, locked while a number is taken)."""

    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last)


class Customer(models.Model):
    number = models.CharField(_("customer number"), max_length=20, unique=True)
    kind = models.CharField(
        _("type"), max_length=10, choices=CustomerKind.choices, default=CustomerKind.BUSINESS
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    vat_number = models.CharField(_("intra-EU VAT number"), max_length=20, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)

    billing_line1 = models.CharField(_("billing address"), max_length=200, blank=True)
    billing_line2 = models.CharField(_("billing address (continued)"), max_length=200, blank=True)
    billing_postal_code = models.CharField(_("billing postal code"), max_length=12, blank=True)
    billing_city = models.CharField(_("billing city"), max_length=100, blank=True)
    billing_country = models.CharField(_("billing country"), max_length=2, default="FR")
    delivery_differs = models.BooleanField(_("delivery address differs"), default=False)
    delivery_line1 = models.CharField(_("delivery address"), max_length=200, blank=True)
    delivery_line2 = models.CharField(_("delivery address (continued)"), max_length=200, blank=True)
    delivery_postal_code = models.CharField(_("delivery postal code"), max_length=12, blank=True)
    delivery_city = models.CharField(_("delivery city"), max_length=100, blank=True)
    delivery_country = models.CharField(_("delivery country"), max_length=2, default="FR")

    payment_mode = models.CharField(
        _("payment mode"), max_length=10, choices=PaymentMode.choices, default=PaymentMode.TRANSFER
    )
    no_detailed_invoice = models.BooleanField(
        _("no detailed invoice"), default=False, help_text=_("The invoice then carries no call detail.")
    )
    full_called_numbers = models.BooleanField(
        _("called numbers in full on the call detail"),
        default=False,
        help_text=_("Otherwise the last four digits of the numbers called are masked, as the rules ask."),
    )
    balance_mode = models.CharField(
        _("balance"), max_length=10, choices=BalanceMode.choices, default=BalanceMode.POSTPAID
    )
    balance_policy = models.CharField(
        _("balance policy"), max_length=12, choices=BalancePolicy.choices, default=BalancePolicy.PERMISSIVE
    )
    suspended_for_balance = models.BooleanField(_("suspended for balance"), default=False)
    suspended_for_balance_at = models.DateTimeField(_("suspended for balance on"), null=True, blank=True)

    login = models.CharField(_("login identifier"), max_length=150, blank=True)
    portal_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="portal_customer",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    archived_at = models.DateTimeField(_("archived on"), null=True, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["status", "number"]),
            models.Index(Upper("company_name"), name="customer_company_upper"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.display_name}"

    @property
    def display_name(self) -> str:
        if self.kind == CustomerKind.BUSINESS and self.company_name:
            return self.company_name
        return f"{self.first_name} {self.last_name}".strip() or self.company_name

    @property
    def is_archived(self) -> bool:
        return self.status == CustomerStatus.ARCHIVED


class ContactRole(models.TextChoices):
    BILLING = "billing", _("Billing contact")
    LOGIN = "login", _("Login contact")
    OTHER = "other", _("Other contact")


class Contact(models.Model):
    """A person of the customer: the billing contact receives the invoices, the login contact
    the password recovery e-mails."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField(_("role"), max_length=10, choices=ContactRole.choices, default=ContactRole.OTHER)
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    phone_digits = models.CharField(max_length=30, blank=True, editable=False)

    class Meta:
        ordering = ["customer", "role", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "role"],
                condition=models.Q(role__in=["billing", "login"]),
                name="one_billing_and_one_login_contact",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.phone


class SequenceType(models.TextChoices):
    FIRST = "FRST", _("First debit (FRST)")
    RECURRING = "RCUR", _("Recurring debit (RCUR)")


class MandateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REPLACED = "replaced", _("Replaced")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired (unused for 36 months)")


class Mandate(models.Model):
    """A SEPA direct-debit mandate. A new bank account is a new mandate; old ones are kept."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="mandates")
    rum = models.CharField(_("mandate reference (RUM)"), max_length=35, unique=True)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11)
    account_holder = models.CharField(_("account holder"), max_length=140, blank=True)
    signed_on = models.DateField(_("signature date"), null=True, blank=True)
    sequence_type = models.CharField(
        _("next debit"), max_length=4, choices=SequenceType.choices, default=SequenceType.FIRST
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MandateStatus.choices, default=MandateStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SEPA mandate")
        verbose_name_plural = _("SEPA mandates")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(status="active"),
                name="one_active_mandate_per_customer",
            )
        ]

    def __str__(self) -> str:
        return self.rum


class EntryKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    CHARGE = "charge", _("Charge")
    REVERSAL = "reversal", _("Reversal")
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")
    USAGE = "usage", _("Rated usage")


class PaymentMethod(models.TextChoices):
    SEPA = "sepa", _("SEPA direct debit")
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    CARD = "card", _("Card")
    CASH = "cash", _("Cash")


class LedgerEntry(models.Model):
    """One line of a customer's ledger (append-only). `amount_ttc` is its effect on the
    balance: positive for a payment, negative for a charge; a reversal carries the opposite."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(_("type"), max_length=12, choices=EntryKind.choices)
    entry_date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    method = models.CharField(_("payment method"), max_length=10, choices=PaymentMethod.choices, blank=True)
    amount_ht = models.DecimalField(
        _("amount excl. VAT"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    amount_vat = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2, default=Decimal("0"))
    amount_ttc = models.DecimalField(_("amount incl. VAT"), max_digits=12, decimal_places=2)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-entry_date", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["customer", "entry_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_ttc} ({self.entry_date})"


class CustomerBalance(models.Model):
    """A customer's ledger balance (the sum of its entries' `amount_ttc`), kept by PostgreSQL
    triggers on the ledger (`customers/migrations/0005_customer_balance.py`), whatever writes the
    entries: one row per customer that has entries (none: a balance of 0). Read-only for the
    application, which never writes it; the lists that rank customers by balance read it instead
    of summing the whole ledger at each request (98 ms for a year of 10,000 customers' entries)."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="ledger_balance"
    )
    balance = models.DecimalField(_("balance"), max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("customer balance")
        verbose_name_plural = _("customer balances")
        indexes = [models.Index(fields=["balance"], name="customer_balance_amount")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.balance}"
