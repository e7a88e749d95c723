from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AmountField
from core.labels import event_type_label
from customers.models import Customer
from offers.models import Offer, RateTable
from reports.finance import MAX_MONTHS, month_index


class CdrReportForm(forms.Form):
    first = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    event_type = forms.ChoiceField(label=_("Event type"), required=False)
    destination = forms.CharField(label=_("Destination"), required=False, max_length=100)
    roaming = forms.ChoiceField(
        label=_("Roaming"),
        required=False,
        choices=[("", _("All")), ("yes", _("Roaming only")), ("no", _("In France only"))],
    )
    customer = forms.CharField(label=_("Customer number"), required=False, max_length=20)
    line = forms.CharField(label=_("Line"), required=False, max_length=32)

    def __init__(self, *args: Any, event_types: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["event_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All")), *((code, event_type_label(code)) for code in sorted(event_types))]

    def clean_customer(self) -> Customer | None:
        number = (self.cleaned_data.get("customer") or "").strip()
        if not number:
            return None
        customer = Customer.objects.filter(number=number).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has this number."))
        return customer

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("first") and data.get("last") and data["first"] > data["last"]:
            self.add_error("last", _("The end of the period comes before its start."))
        return data


class ReportSettingsForm(forms.Form):
    ghg_grams_per_gb = AmountField(
        label=_("Greenhouse gases per GB of mobile data (g CO2e)"),
        help_text=_("Shown to customers in the portal next to each month's data, as French law asks."),
    )


class FinanceReportForm(forms.Form):
    """A range of months (`YYYY-MM`, as a month input sends it)."""

    first = forms.DateField(
        label=_("From month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    last = forms.DateField(
        label=_("To month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first and first.year < 2000:
            self.add_error("first", _("Choose a month from 2000 to 2099."))
        if last and last.year > 2099:
            self.add_error("last", _("Choose a month from 2000 to 2099."))
        if first and last:
            if first > last:
                self.add_error("last", _("The end of the period comes before its start."))
            elif month_index(last) - month_index(first) + 1 > MAX_MONTHS:
                self.add_error("last", _("At most %(n)s months at once.") % {"n": MAX_MONTHS})
        return data


class WhatIfForm(forms.Form):
    """A what-if run: its kind, scope (customer or line numbers, empty: the whole tenant), the
    table or offer and its months. Every field is checked and every fault shown at once."""

    kind = forms.ChoiceField(label=_("Simulation"), choices=())
    customer = forms.CharField(label=_("Customer number"), required=False, max_length=20)
    line = forms.CharField(label=_("Line"), required=False, max_length=32)
    rate_table = forms.ModelChoiceField(
        label=_("Rate table"), queryset=RateTable.objects.none(), required=False
    )
    offer = forms.ModelChoiceField(label=_("Offer"), queryset=Offer.objects.none(), required=False)
    first_period = forms.RegexField(
        label=_("First month"),
        regex=r"^\d{4}-\d{2}$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    last_period = forms.RegexField(
        label=_("Last month"),
        regex=r"^\d{4}-\d{2}$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from reports.models import WhatIfKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = WhatIfKind.choices  # type: ignore[attr-defined]
        self.fields["rate_table"].queryset = RateTable.objects.filter(archived=False).order_by("label")  # type: ignore[attr-defined]
        self.fields["offer"].queryset = Offer.objects.filter(archived=False).order_by("label")  # type: ignore[attr-defined]
        for name in ("first_period", "last_period"):
            self.fields[name].error_messages["invalid"] = _("Type the month as YYYY-MM, e.g. 2025-03.")

    def clean_customer(self) -> Customer | None:
        number = (self.cleaned_data.get("customer") or "").strip()
        if not number:
            return None
        customer = Customer.objects.filter(number=number).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has this number."))
        return customer

    def clean_line(self) -> Any:
        from provisioning.models import MobileLine

        number = (self.cleaned_data.get("line") or "").strip()
        if not number:
            return None
        line = MobileLine.objects.filter(msisdn=number).order_by("-id").first()
        if line is None:
            raise forms.ValidationError(_("No line has this number."))
        return line

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "simulation":
            for name in ("first_period", "last_period"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Type the month as YYYY-MM, e.g. 2025-03."))
            if not data.get("rate_table") and not data.get("offer") and "offer" not in self.errors:
                self.add_error("offer", _("Choose either a rate table or an offer."))
        return data
