"""Tenants (integrators and VNOs) and their domains. These live in the public schema."""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

# Defined apart so the checklist can use them without importing this module; still imported from here.
from tenants.choices import StepActor as StepActor
from tenants.choices import TenantKind as TenantKind


class TenantStatus(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class Tenant(TenantMixin):
    """An integrator or VNO running its own ISM in its own PostgreSQL schema.

    The row whose schema is `public` stands for the platform itself (its admins' site).
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=TenantKind.choices, blank=True)
    operator_code = models.CharField(
        _("operator code"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The code the operator puts in this tenant's file names, e.g. ACME."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TenantStatus.choices, default=TenantStatus.ONBOARDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Company identity (printed on the tenant's invoices).
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FR")
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    vat_number = models.CharField(_("intra-EU VAT number"), max_length=20, blank=True)
    share_capital = models.DecimalField(
        _("share capital (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    rcs_city = models.CharField(_("RCS city"), max_length=100, blank=True)
    # The operator and the contacts.
    operator_name = models.CharField(_("operator name"), max_length=100, blank=True)
    accounting_email = models.EmailField(_("accounting e-mail"), blank=True)
    technical_email = models.EmailField(_("technical e-mail"), blank=True)
    technical_contact_name = models.CharField(_("technical contact"), max_length=150, blank=True)
    invoice_from_email = models.EmailField(
        _("invoices sent from"), blank=True, help_text=_("The address customer invoices are sent from.")
    )
    # SEPA direct debit: the tenant is the creditor.
    sepa_creditor_id = models.CharField(_("SEPA creditor identifier (ICS)"), max_length=35, blank=True)
    creditor_iban = models.CharField(_("creditor IBAN"), max_length=34, blank=True)
    creditor_bic = models.CharField(_("creditor BIC"), max_length=11, blank=True)
    # API access: a staff token stops working this many days after its creation.
    api_token_days = models.PositiveSmallIntegerField(_("API token lifetime (days)"), default=90)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name

    @property
    def is_platform(self) -> bool:
        return self.schema_name == "public"


class DomainStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    ACTIVE = "active", _("Active")
    REFUSED = "refused", _("Refused")


class Domain(DomainMixin):
    """A host name of a tenant's site (its main domain, and custom ones).

    Only an active domain serves the site (`tenants.middleware.ApprovedDomainTenantMiddleware`
    resolves hosts from active rows only). A custom domain a tenant asks for waits, pending, for a
    platform admin's approval; the row reserves the name meanwhile, and a refused one keeps it
    reserved until the tenant removes it. New rows are pending unless created active on purpose.
    """

    status = models.CharField(
        _("status"), max_length=10, choices=DomainStatus.choices, default=DomainStatus.PENDING
    )
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.domain


# --- White label: what a tenant's admin sets up on its own site (public schema, one row each) ---
class TenantBranding(models.Model):
    """The tenant's look: logo, footer banner of invoices, colours, welcome message.

    Images are stored re-encoded (PNG, no metadata) in the row itself: they are small, and this
    keeps each tenant's images with its own row, readable from its domain and the platform.
    """

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="branding")
    logo = models.BinaryField(_("logo"), null=True, blank=True)
    logo_hash = models.CharField(max_length=64, blank=True)
    banner = models.BinaryField(_("footer banner"), null=True, blank=True)
    banner_hash = models.CharField(max_length=64, blank=True)
    primary_color = models.CharField(_("main colour"), max_length=7, default="#1f4fd1")
    ink_color = models.CharField(_("text colour on the main colour"), max_length=7, default="#ffffff")
    welcome_message = models.TextField(_("welcome message"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("branding")
        verbose_name_plural = _("brandings")

    def __str__(self) -> str:
        return f"{self.tenant} branding"


class EmailKind(models.TextChoices):
    ACCOUNT_OPENING = "account_opening", _("Account opening")
    INVOICE = "invoice", _("Invoice notification")
    PASSWORD_RESET = "password_reset", _("Password recovery")
    ORDER_CONFIRMATION = "order_confirmation", _("Order confirmation")
    OPERATOR_ALERT = "operator_alert", _("Operator rejections and disagreements")
    CONSUMPTION_ALERT = "consumption_alert", _("Consumption alert (allowance)")
    ROAMING_CAP_ALERT = "roaming_cap_alert", _("Roaming data spending cap")
    PAYMENT_REMINDER = "payment_reminder", _("Payment reminder")


class TenantEmailTemplate(models.Model):
    """A tenant's own wording of one of the e-mails the platform sends for it."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="email_templates")
    kind = models.CharField(_("e-mail"), max_length=30, choices=EmailKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "kind"], name="uniq_tenant_email_kind")]
        ordering = ["kind"]
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")

    def __str__(self) -> str:
        return f"{self.tenant} {self.kind}"


class TenantInvoiceSettings(models.Model):
    """How a tenant's invoices are numbered and what they say besides the lines."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="invoice_settings")
    number_format = models.CharField(_("invoice number format"), max_length=60, default="F{YYYY}{MM}-{SEQ:5}")
    footer_text = models.TextField(_("footer text"), blank=True)
    late_payment_text = models.TextField(_("late-payment terms"), blank=True)
    text_sepa = models.TextField(_("text for SEPA direct debit"), blank=True)
    text_transfer = models.TextField(_("text for bank transfer"), blank=True)
    text_cheque = models.TextField(_("text for cheque"), blank=True)
    text_card = models.TextField(_("text for card payment"), blank=True)
    bank_details = models.TextField(_("bank details shown on invoices"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invoice settings")
        verbose_name_plural = _("invoice settings")

    def __str__(self) -> str:
        return f"{self.tenant} invoice settings"


class StepStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class OnboardingStep(models.Model):
    """One step of a tenant's onboarding checklist (created with the tenant, per its kind)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="onboarding_steps")
    code = models.CharField(_("code"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"))
    actor = models.CharField(_("who acts"), max_length=20, choices=StepActor.choices)
    status = models.CharField(_("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.TODO)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_on = models.DateField(_("date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["tenant", "position"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="onboarding_step_unique_code")]
        verbose_name = _("onboarding step")
        verbose_name_plural = _("onboarding steps")

    def __str__(self) -> str:
        return f"{self.tenant}: {self.title}"

    @property
    def title(self) -> str:
        from tenants.platform.checklist import step_title

        return step_title(self.code)

    @property
    def is_done(self) -> bool:
        return self.status == StepStatus.DONE

    def is_late_on(self, today: date) -> bool:
        return not self.is_done and self.due_date is not None and self.due_date < today


class DocumentKind(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    ORDER_FORM = "order_form", _("Order form")
    KBIS = "kbis", _("Kbis extract")
    TECHNICAL_FILE = "technical_file", _("Technical file")
    INVOICE = "invoice", _("Invoice or payment proof")
    OTHER = "other", _("Other")


def _document_path(instance: "TenantDocument", filename: str) -> str:
    import uuid

    return f"tenant-documents/{instance.tenant.schema_name}/{uuid.uuid4().hex[:12]}-{filename}"


class TenantDocument(models.Model):
    """A document exchanged with a tenant during onboarding (contract, Kbis…), stored privately."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="documents")
    step = models.ForeignKey(
        OnboardingStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("step"),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.CharField(_("uploaded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("tenant document")
        verbose_name_plural = _("tenant documents")

    def __str__(self) -> str:
        return self.title


class FeedProtocol(models.TextChoices):
    FTP = "ftp", _("FTP")
    FTPS = "ftps", _("FTPS (FTP over TLS)")
    SFTP = "sftp", _("SFTP")
    LOCAL = "local", _("Local folder")


class FeedAuth(models.TextChoices):
    PASSWORD = "password", _("Password")
    KEY = "key", _("Private key")


class FeedAccess(models.Model):
    """Where the operator drops a tenant's files, and how to log in. Secrets are encrypted."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="feed_access")
    protocol = models.CharField(_("protocol"), max_length=10, choices=FeedProtocol.choices)
    host = models.CharField(_("host"), max_length=253, blank=True)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    username = models.CharField(_("login"), max_length=150, blank=True)
    auth = models.CharField(
        _("authentication"), max_length=10, choices=FeedAuth.choices, default=FeedAuth.PASSWORD
    )
    # Fernet tokens (core.crypto): the password, or the private key (PEM) for SFTP by key.
    secret_encrypted = models.TextField(blank=True, editable=False)
    root_path = models.CharField(_("root path"), max_length=500, blank=True)
    host_key = models.CharField(
        _("server key fingerprint"),
        max_length=200,
        blank=True,
        help_text=_("SFTP: recorded at the first successful connection; a different key is refused."),
    )
    last_test_at = models.DateTimeField(_("last test"), null=True, blank=True)
    last_test_ok = models.BooleanField(_("last test succeeded"), null=True, blank=True)
    last_test_report = models.JSONField(_("last test report"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("feed access")
        verbose_name_plural = _("feed accesses")

    def __str__(self) -> str:
        return f"{self.get_protocol_display()} {self.host or self.root_path}"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)
