"""Forms of the reading profiles' pages: a profile (a field per column name) and "try on a file"."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cdr_import.models import (
    ProfileDecimalMark,
    ProfileDelimiter,
    ProfileEncoding,
    ProfileFeedType,
    ProfileTrailer,
    ReadingProfile,
)
from cdr_import.profiles import CDR_COLUMN_NAMES, PROFILES
from core.forms import AmountField

COLUMN_PREFIX = "column_names."


class ReadingProfileForm(forms.Form):
    """Every field optional here: the service checks them all and says every fault at once."""

    code = forms.CharField(
        label=_("Code"), required=False, help_text=_("Letters, digits, dashes; for example acme-fixe.")
    )
    label = forms.CharField(label=_("Name"), required=False)
    base = forms.ChoiceField(label=_("Based on"), required=False, choices=[(k, k) for k in PROFILES])
    feed_type = forms.ChoiceField(label=_("Used for"), required=False, choices=ProfileFeedType.choices)
    flow = forms.CharField(
        label=_("Flow (operator)"), required=False, help_text=_("Empty: the files of every flow.")
    )
    encoding = forms.ChoiceField(label=_("Encoding"), required=False, choices=ProfileEncoding.choices)
    delimiter = forms.ChoiceField(label=_("Separator"), required=False, choices=ProfileDelimiter.choices)
    decimal_mark = forms.ChoiceField(
        label=_("Decimal mark"),
        required=False,
        choices=ProfileDecimalMark.choices,
        help_text=_("Amounts written with either mark are read; this one is expected."),
    )
    trailer = forms.ChoiceField(label=_("Trailer"), required=False, choices=ProfileTrailer.choices)
    trailer_label = forms.CharField(label=_("First cell of the trailer line"), required=False)

    def __init__(self, *args: Any, instance: ReadingProfile | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(instance, name) for name in ("code", "label", "base", "feed_type", "flow")},
                **{
                    name: getattr(instance, name)
                    for name in ("encoding", "delimiter", "decimal_mark", "trailer", "trailer_label")
                },
                **{COLUMN_PREFIX + k: v for k, v in (instance.column_names or {}).items()},
            }
        kwargs.setdefault("initial", {}).setdefault("trailer_label", "TRAILER")
        super().__init__(*args, **kwargs)
        for name in CDR_COLUMN_NAMES:
            self.fields[COLUMN_PREFIX + name] = forms.CharField(
                label=_("Column %(name)s, named in the file") % {"name": name},
                required=False,
                widget=forms.TextInput(attrs={"placeholder": name, "autocomplete": "off"}),
            )

    def column_fields(self) -> list[forms.BoundField]:
        return [self[COLUMN_PREFIX + name] for name in CDR_COLUMN_NAMES]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(COLUMN_PREFIX)]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {k: v for k, v in data.items() if not k.startswith(COLUMN_PREFIX)}
        values["column_names"] = {
            k[len(COLUMN_PREFIX) :]: v for k, v in data.items() if k.startswith(COLUMN_PREFIX) and v
        }
        return values


class ReadingProfileTryForm(forms.Form):
    file = forms.FileField(
        label=_("Sample file"), help_text=_("Only its first rows are read; nothing is stored.")
    )
    feed_type = forms.ChoiceField(
        label=_("Read it as"),
        required=False,
        choices=[("", _("The profile's type")), ("rated", _("Rated CDRs")), ("billed", _("Billed CDRs"))],
    )


class UsageSettingsForm(forms.Form):
    roaming_data_cap = AmountField(
        label=_("Roaming data spending cap (excl. VAT)"),
        max_digits=10,
        decimal_places=2,
        help_text=_(
            "An alert at 80 %; outgoing data barred when it is reached, unless the customer lifted it."
        ),
    )
    prepaid_vat_rate = AmountField(label=_("Prepaid usage VAT rate (%)"), max_digits=5, decimal_places=2)
    alerts_enabled = forms.BooleanField(label=_("Send consumption alerts"), required=False)
