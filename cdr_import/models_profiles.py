"""A tenant's own reading profiles of CDR files (issue 12: "tenant profiles for other layouts").

A profile is based on a built-in one (`origyne-v1`) and overrides its encoding, separator, decimal
mark, trailer and column names. It is chosen for the RatedCDRs / BilledCDRs files of a feed type
and flow (operator), or picked at the deposit. Imported from `cdr_import.models`; tenant schemas only.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProfileEncoding(models.TextChoices):
    UTF8 = "utf-8", _("UTF-8")
    CP1252 = "cp1252", _("Windows-1252 (Excel)")
    LATIN9 = "iso-8859-15", _("ISO-8859-15 (Latin-9)")


class ProfileDelimiter(models.TextChoices):
    SEMICOLON = ";", _("Semicolon (;)")
    COMMA = ",", _("Comma (,)")
    TAB = "\t", _("Tab")
    PIPE = "|", _("Vertical bar (|)")


class ProfileDecimalMark(models.TextChoices):
    COMMA = ",", _("Comma (12,50)")
    POINT = ".", _("Point (12.50)")


class ProfileTrailer(models.TextChoices):
    CHECKED = "checked", _("Last line gives the row count, checked")
    IGNORED = "ignored", _("Last line gives the row count, not checked")
    NONE = "none", _("No trailer line")


class ProfileFeedType(models.TextChoices):
    ANY = "", _("Rated and billed CDRs")
    RATED = "rated", _("Rated CDRs (daily)")
    BILLED = "billed", _("Billed CDRs (monthly)")


class ReadingProfile(models.Model):
    """A tenant's reading profile of CDR files; `column_names` maps our column names to the file's."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("name"), max_length=100)
    base = models.CharField(_("based on"), max_length=40, default="origyne-v1")
    feed_type = models.CharField(
        _("used for"), max_length=10, choices=ProfileFeedType.choices, blank=True, default=""
    )
    flow = models.CharField(
        _("flow (operator)"),
        max_length=40,
        blank=True,
        help_text=_("Empty: the files of every flow."),
    )
    encoding = models.CharField(
        _("encoding"), max_length=20, choices=ProfileEncoding.choices, default=ProfileEncoding.UTF8
    )
    delimiter = models.CharField(
        _("separator"), max_length=1, choices=ProfileDelimiter.choices, default=ProfileDelimiter.SEMICOLON
    )
    decimal_mark = models.CharField(
        _("decimal mark"), max_length=1, choices=ProfileDecimalMark.choices, default=ProfileDecimalMark.COMMA
    )
    trailer = models.CharField(
        _("trailer"), max_length=10, choices=ProfileTrailer.choices, default=ProfileTrailer.CHECKED
    )
    trailer_label = models.CharField(_("first cell of the trailer line"), max_length=20, default="TRAILER")
    column_names = models.JSONField(_("column names in the file"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["label", "id"]
        verbose_name = _("reading profile")
        verbose_name_plural = _("reading profiles")
        constraints = [
            models.UniqueConstraint(fields=["feed_type", "flow"], name="reading_profile_one_per_type_flow")
        ]

    def __str__(self) -> str:
        return self.label
