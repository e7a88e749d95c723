"""Usage coming in: the imports of the operator's feed files and the CDR store.

An `Import` is one file read once: archived first, checked against the files seen before (same
SHA-256 → duplicate), read with its feed type's profile, its rows validated (faulty ones kept as
`RejectedRow`s), deduplicated, rated and stored in bulk. These tables live in tenant schemas only.

The CDR store (`Cdr`) is a PostgreSQL table partitioned by range of `start_time`, one partition
per calendar month (Europe/Paris), created on demand by `services.cdr_partition_ensure`. It is
created by raw SQL in the migration (Django cannot declare a partitioned table), so the model is
unmanaged: it is for reading; writes go through the import's COPY path. Identity: one CDR per
(family, cdr_id), kept by the `cdr_import_cdr_identity` table (primary key (family, cdr_id), the
CDR's start time beside it), which every insert goes through first — the store's own unique key
(family, cdr_id, start_time) can only be per partition, since it must contain the partition key.
Amounts are excluding VAT; rated amounts keep 4 decimals.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportSource(models.TextChoices):
    UPLOAD = "upload", _("Deposit (upload)")
    FEED = "feed", _("Operator feed")
    COMMAND = "command", _("Command line")


class FeedType(models.TextChoices):
    RATED = "rated", _("Rated CDRs (daily)")
    BILLED = "billed", _("Billed CDRs (monthly)")
    ACCOUNT_STATUS = "account_status", _("SIM and line status (AccountStatus)")
    ACCOUNT_VGA = "account_vga", _("Fixed line status (Account_VGA)")
    SIM = "sim", _("SIM card listing")
    RATE_TABLE = "rate_table", _("Rate table")
    OPERATOR_INVOICE = "operator_invoice", _("Operator invoice")
    OPERATOR_PDF = "operator_pdf", _("Operator's invoice to us (PDF)")


class Family(models.TextChoices):
    MOBILE = "MOBILE", _("Mobile")
    VGA = "VGA", _("Fixed (VGA)")


class ImportStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PARSING = "parsing", _("Reading")
    RATING = "rating", _("Rating")
    DONE = "done", _("Done")
    DONE_WITH_REJECTIONS = "done_with_rejections", _("Done, with rejected rows")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")


FINISHED_STATUSES = frozenset(
    {ImportStatus.DONE, ImportStatus.DONE_WITH_REJECTIONS, ImportStatus.REJECTED, ImportStatus.DUPLICATE}
)


def import_archive_path(instance: "Import", filename: str) -> str:
    """Archived feed files, per month of reception (the storage itself is per tenant schema)."""
    when = instance.received_at
    return f"feeds/{when:%Y/%m}/{instance.sha256[:12]}_{filename}"


class Import(models.Model):
    """One feed file, read once: where it came from, what it is, how its reading went."""

    source = models.CharField(_("source"), max_length=10, choices=ImportSource.choices)
    path = models.CharField(_("path"), max_length=500, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    archived_file = models.FileField(
        _("archived file"), upload_to=import_archive_path, max_length=500, blank=True
    )
    feed_type = models.CharField(_("feed type"), max_length=20, choices=FeedType.choices, blank=True)
    family = models.CharField(_("family"), max_length=6, choices=Family.choices, blank=True)
    flow = models.CharField(_("flow (operator)"), max_length=40, blank=True)
    profile = models.CharField(_("reading profile"), max_length=40, default="origyne-v1")
    billing_period = models.CharField(_("billing period"), max_length=7, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feed_imports",
    )
    status = models.CharField(
        _("status"), max_length=24, choices=ImportStatus.choices, default=ImportStatus.RECEIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("same content as import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    known = models.PositiveIntegerField(_("already known"), default=0)
    corrected = models.PositiveIntegerField(_("corrected"), default=0)
    rejected = models.PositiveIntegerField(_("rejected rows"), default=0)
    unrated = models.PositiveIntegerField(_("unrated"), default=0)
    unknown_line = models.PositiveIntegerField(_("unknown lines"), default=0)
    progress_done = models.PositiveIntegerField(_("rows read"), default=0)
    progress_total = models.PositiveIntegerField(_("rows to read"), default=0)
    timings = models.JSONField(_("timings (seconds)"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    job = models.ForeignKey(
        "jobs.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            # One live import per content: a second copy of a file is a duplicate (even from two
            # workers at once). Rejected imports and duplicates leave room for a later copy.
            models.UniqueConstraint(
                fields=["sha256"],
                condition=~models.Q(status__in=["duplicate", "rejected"]),
                name="import_one_live_per_content",
            )
        ]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="import_status_received"),
            models.Index(fields=["feed_type", "-received_at"], name="import_type_received"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class RejectedRow(models.Model):
    """A row of an import that failed validation: its line, the field and why (and its raw text)."""

    feed_import = models.ForeignKey(
        Import, verbose_name=_("import"), on_delete=models.CASCADE, related_name="rejected_rows"
    )
    line = models.PositiveIntegerField(_("line"))
    field = models.CharField(_("field"), max_length=40, blank=True)
    reason = models.TextField(_("reason"))
    raw = models.TextField(_("raw text"), blank=True)

    class Meta:
        ordering = ["feed_import", "line", "id"]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")

    def __str__(self) -> str:
        return f"{self.line} {self.field}: {self.reason}"


class RatingStatus(models.TextChoices):
    RATED = "rated", _("Rated")
    FREE = "free", _("Free")
    UNRATED = "unrated", _("Unrated")
    COST_MARKUP = "cost_markup", _("Wholesale cost marked up")
    PENDING = "pending", _("Not rated yet")


class Cdr(models.Model):
    """A CDR of the store (partitioned by month of `start_time`; written by the import, read here).

    `line_ref` is the MSISDN (mobile) or the fixed number (VGA) as the operator wrote it;
    `mobile_line` / `fixed_number` the line found for it (both empty: `unknown_line`).
    """

    id = models.BigAutoField(primary_key=True)
    family = models.CharField(_("family"), max_length=6, choices=Family.choices)
    cdr_id = models.CharField(_("CDR id"), max_length=64)
    line_ref = models.CharField(_("line"), max_length=32)
    mobile_line = models.ForeignKey(
        "provisioning.MobileLine",
        verbose_name=_("mobile line"),
        null=True,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    fixed_number = models.ForeignKey(
        "provisioning.FixedNumber",
        verbose_name=_("fixed number"),
        null=True,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    event_type = models.CharField(_("event type"), max_length=10)
    start_time = models.DateTimeField(_("start time"))
    duration_s = models.IntegerField(_("duration (s)"), default=0)
    volume_bytes = models.BigIntegerField(_("volume (bytes)"), default=0)
    called_number = models.CharField(_("called number"), max_length=32, blank=True)
    roaming_country = models.CharField(_("roaming country"), max_length=2, blank=True)
    destination_label = models.CharField(_("operator's destination"), max_length=100, blank=True)
    wholesale_cost = models.DecimalField(_("wholesale cost excl. VAT"), max_digits=14, decimal_places=6)
    billed_quantity = models.BigIntegerField(_("billed quantity"), default=0)
    billed_unit = models.CharField(_("unit"), max_length=5, blank=True)
    rated_amount = models.DecimalField(_("rated amount excl. VAT"), max_digits=14, decimal_places=4)
    rating_status = models.CharField(_("rating"), max_length=12, choices=RatingStatus.choices)
    rate_prefix = models.CharField(_("matched prefix"), max_length=32, blank=True)
    rate_destination = models.CharField(_("destination"), max_length=100, blank=True)
    rate_zone = models.CharField(_("zone"), max_length=30, blank=True)
    origin_zone = models.CharField(_("origin zone"), max_length=10, blank=True)
    allowance_used = models.BigIntegerField(_("allowance used"), default=0)
    unrated = models.BooleanField(_("unrated"), default=False)
    unknown_line = models.BooleanField(_("unknown line"), default=False)
    billed_by_operator = models.BooleanField(_("billed by the operator"), default=False)
    not_billed_by_operator = models.BooleanField(_("not billed by the operator"), default=False)
    corrected_by_billed = models.BooleanField(_("corrected by the billed file"), default=False)
    billing_period = models.CharField(_("billing period"), max_length=7, blank=True)
    operator_invoice_ref = models.CharField(_("operator invoice"), max_length=60, blank=True)
    rated_import = models.ForeignKey(
        Import,
        verbose_name=_("rated file"),
        null=True,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    billed_import = models.ForeignKey(
        Import,
        verbose_name=_("billed file"),
        null=True,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )

    class Meta:
        managed = False
        db_table = "cdr_import_cdr"
        ordering = ["start_time", "id"]
        verbose_name = _("CDR")
        verbose_name_plural = _("CDRs")

    def __str__(self) -> str:
        return f"{self.family} {self.cdr_id}"


# --- Polling the operator's feed ---------------------------------------------------------------
class FeedFolderKey(models.TextChoices):
    """The feed's folders the platform takes files from (shared/FORMATS.md), each on its rhythm."""

    ACCOUNT_STATUS = "account_status", _("AccountStatus (SIM and line status)")
    ACCOUNT_VGA = "account_vga", _("Account_VGA (fixed line status)")
    RATED = "rated", _("RatedCDRs (daily CDRs)")
    BILLED = "billed", _("BilledCDRs (monthly CDRs)")
    SIM = "sim", _("SIM cards (Cartes SIM)")
    RATE_TABLE = "rate_table", _("Rate tables (Tables tarifaires)")
    OPERATOR_INVOICE = "operator_invoice", _("Operator invoices (Factures/Intégrateur)")


class FeedFolder(models.Model):
    """One polled folder of the tenant's feed: its rhythm (a tenant setting) and how polling went.

    The rhythm: every `every_hours` hours, on the `days` of the week (0 Monday … 6 Sunday), between
    `from_hour` and `to_hour` inclusive (Europe/Paris). A failed connection is retried with a
    growing delay (`retry_at`); a file not yet stable brings the folder back at the next tick.
    """

    key = models.CharField(_("folder"), max_length=20, choices=FeedFolderKey.choices, unique=True)
    enabled = models.BooleanField(_("polled"), default=True)
    every_hours = models.PositiveSmallIntegerField(_("every (hours)"), default=24)
    from_hour = models.PositiveSmallIntegerField(_("from (hour)"), default=0)
    to_hour = models.PositiveSmallIntegerField(_("until (hour)"), default=23)
    days = models.CharField(_("days of the week"), max_length=7, default="0123456")
    last_run_at = models.DateTimeField(_("last poll"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("last error"), null=True, blank=True)
    last_error = models.TextField(_("last error message"), blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    retry_at = models.DateTimeField(_("next retry"), null=True, blank=True)
    recheck_at = models.DateTimeField(_("files to check again at"), null=True, blank=True)
    files_taken = models.PositiveIntegerField(_("files taken"), default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("feed folder")
        verbose_name_plural = _("feed folders")

    def __str__(self) -> str:
        return self.get_key_display()


class FeedFileStatus(models.TextChoices):
    SEEN = "seen", _("Seen, waiting for a stable size")
    CLAIMED = "claimed", _("Being fetched")
    IMPORTED = "imported", _("Imported")


class FeedFile(models.Model):
    """A file seen in a feed folder, by name, size and modification time: the claim that makes a
    file taken once, even by two pollers at once (the unique key, then a conditional update)."""

    folder = models.CharField(_("folder"), max_length=200)
    name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size (bytes)"))
    modified = models.CharField(_("modification time"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FeedFileStatus.choices, default=FeedFileStatus.SEEN
    )
    seen_at = models.DateTimeField(_("first seen at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error message"), blank=True)
    feed_import = models.ForeignKey(
        Import, verbose_name=_("import"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["folder", "name", "id"]
        verbose_name = _("feed file")
        verbose_name_plural = _("feed files")
        constraints = [
            models.UniqueConstraint(
                fields=["folder", "name", "size", "modified"], name="feed_file_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.folder}/{self.name}"


class FeedImportSettings(models.Model):
    """The tenant's feed import settings (one row, see `selectors.feed_import_settings_get`)."""

    report_to_retours = models.BooleanField(
        _("write an import report to the feed's Retours/ folder"),
        default=False,
        help_text=_("After each import, a CSV report (counts and rejected rows) is put in Retours/."),
    )
    stable_seconds = models.PositiveIntegerField(
        _("seconds a file's size must stay the same before it is taken"), default=60
    )

    class Meta:
        verbose_name = _("feed import settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


# Operator invoices and usage alerts live in their own modules (same app, same migrations).
from cdr_import.models_invoices import *  # noqa: E402, F403
from cdr_import.models_profiles import *  # noqa: E402, F403
from cdr_import.models_usage import *  # noqa: E402, F403
