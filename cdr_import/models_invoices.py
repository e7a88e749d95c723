"""Operator invoices (the cost side): the `.mdb` exports some operators deliver, read through a
tenant's table/column profile into the normalised *Output* rows (shared/FORMATS.md, "Operator
invoice output"), the operator references (accounts, lines) staff attach to customers, and the
operator's own invoices to the tenant (`Factures/Intégrateur/` PDFs), archived per month.

Imported from `cdr_import.models`; these tables live in tenant schemas only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The Output's columns, in file order (FORMATS.md).
OUTPUT_COLUMNS = (
    "INVOICE_REF",
    "INVOICE_DATE",
    "ACCOUNT_REF",
    "LINE_NUMBER",
    "CHARGE_TYPE",
    "DESCRIPTION",
    "PERIOD_START",
    "PERIOD_END",
    "QUANTITY",
    "AMOUNT_EXCL_VAT",
    "VAT_RATE",
    "AMOUNT_VAT",
    "CURRENCY",
)


class ChargeType(models.TextChoices):
    SUBSCRIPTION = "SUBSCRIPTION", _("Subscription")
    USAGE = "USAGE", _("Usage")
    ONE_OFF = "ONE_OFF", _("One-off charge")
    DISCOUNT = "DISCOUNT", _("Discount")
    TAX = "TAX", _("Tax")
    OTHER = "OTHER", _("Other")


class OperatorInvoiceProfile(models.Model):
    """How one operator's database export maps to the Output: its line table, the tables joined
    to it and, for each Output column, the source column (`Table.Column`) or a fixed value
    (`=VALUE`). `unit_price` (a column) gives the amount as quantity × unit price when no amount
    column is mapped; the VAT rate and the currency default to the profile's."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=120)
    operator_code = models.CharField(
        _("operator code"), max_length=40, help_text=_("Goes in the Output file's name.")
    )
    line_table = models.CharField(_("table of the invoice lines"), max_length=128)
    joins = models.JSONField(
        _("joined tables"),
        default=list,
        blank=True,
        help_text=_("Each: the table, the column of the line table and the column of the joined table."),
    )
    columns = models.JSONField(_("column mapping"), default=dict)
    unit_price = models.CharField(_("unit price column"), max_length=200, blank=True)
    default_vat_rate = models.DecimalField(
        _("default VAT rate (%)"), max_digits=5, decimal_places=2, default=20
    )
    default_currency = models.CharField(_("default currency"), max_length=3, default="EUR")
    return_ofc = models.BooleanField(_("put the Output back on the feed's Retours/ folder"), default=False)
    is_default = models.BooleanField(_("used for .mdb files by default"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("operator invoice profile")
        verbose_name_plural = _("operator invoice profiles")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class ReferenceKind(models.TextChoices):
    ACCOUNT = "account", _("Operator account")
    LINE = "line", _("Line")


class OperatorReference(models.Model):
    """An account or line reference met in an operator invoice, and the customer staff attached
    it to (empty: waiting for the staff). Later files follow the attachment."""

    kind = models.CharField(_("type"), max_length=10, choices=ReferenceKind.choices)
    value = models.CharField(_("reference"), max_length=64)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operator_references",
    )
    first_seen_at = models.DateTimeField(_("first seen"))
    assigned_at = models.DateTimeField(_("assigned on"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "value"]
        verbose_name = _("operator reference")
        verbose_name_plural = _("operator references")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="operator_reference_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class OperatorInvoice(models.Model):
    """One invoice of an operator export (an INVOICE_REF of the Output), with its totals."""

    feed_import = models.ForeignKey(
        "cdr_import.Import",
        verbose_name=_("import"),
        on_delete=models.PROTECT,
        related_name="operator_invoices",
    )
    profile = models.ForeignKey(
        OperatorInvoiceProfile,
        verbose_name=_("profile"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    operator_code = models.CharField(_("operator"), max_length=40)
    invoice_ref = models.CharField(_("invoice"), max_length=64)
    invoice_date = models.DateField(_("invoice date"), null=True)
    account_ref = models.CharField(_("operator account"), max_length=64, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operator_invoices",
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    total_excl_vat = models.DecimalField(_("total excl. VAT"), max_digits=14, decimal_places=2, default=0)
    total_vat = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2, default=0)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    ofc_sent_at = models.DateTimeField(_("OFC put on Retours/"), null=True, blank=True)
    created_at = models.DateTimeField(_("imported at"))

    class Meta:
        ordering = ["-invoice_date", "operator_code", "invoice_ref"]
        verbose_name = _("operator invoice")
        verbose_name_plural = _("operator invoices")
        constraints = [
            models.UniqueConstraint(fields=["operator_code", "invoice_ref"], name="operator_invoice_unique")
        ]
        indexes = [models.Index(fields=["customer", "-invoice_date"], name="opinvoice_customer_date")]

    def __str__(self) -> str:
        return f"{self.operator_code} {self.invoice_ref}"

    @property
    def output_name(self) -> str:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in self.invoice_ref)
        return f"OUTPUT_{self.operator_code}_{safe}.csv"


class OperatorInvoiceLine(models.Model):
    """One row of the Output."""

    invoice = models.ForeignKey(OperatorInvoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("row"))
    account_ref = models.CharField(_("operator account"), max_length=64, blank=True)
    line_number = models.CharField(_("line"), max_length=32, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    charge_type = models.CharField(_("charge type"), max_length=12, choices=ChargeType.choices)
    description = models.CharField(_("description"), max_length=255, blank=True)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4, null=True, blank=True)
    amount_excl_vat = models.DecimalField(_("amount excl. VAT"), max_digits=14, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    amount_vat = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")

    class Meta:
        ordering = ["invoice", "position"]
        verbose_name = _("operator invoice line")
        verbose_name_plural = _("operator invoice lines")

    def __str__(self) -> str:
        return f"{self.invoice} #{self.position}"


def operator_pdf_path(instance: "OperatorPdf", filename: str) -> str:
    return f"operator_invoices/{instance.month:%Y/%m}/{instance.sha256[:12]}_{filename}"


class OperatorPdf(models.Model):
    """An invoice of the operator to the tenant (`Factures/Intégrateur/`), kept for the accountant."""

    feed_import = models.OneToOneField(
        "cdr_import.Import", verbose_name=_("import"), on_delete=models.PROTECT, related_name="operator_pdf"
    )
    month = models.DateField(_("month"))
    name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("file"), upload_to=operator_pdf_path, max_length=500)
    received_at = models.DateTimeField(_("received at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month", "name"]
        verbose_name = _("operator's invoice (PDF)")
        verbose_name_plural = _("operator's invoices (PDF)")

    def __str__(self) -> str:
        return self.name
