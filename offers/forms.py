"""Forms of the catalogue pages (validation of input only; the rules are in services)."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from core.forms import AmountField, CountField, ServiceChecks, amount_formfield
from core.labels import event_type_label
from offers.models import (
    Allowance,
    Offer,
    Option,
    Product,
    Rate,
    RateEventType,
    RateTable,
    Terminal,
)
from offers.rating import ROW_KIND
from offers.services import allowance_check, catalogue_item_check, rate_check, rate_table_check

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CatalogueItemChecks(ServiceChecks):
    """The catalogue's rules (`offers.services.catalogue_item_check`) on the item the form built,
    run even when a field failed: one submit shows every error."""

    instance: Any

    def service_check(self, data: dict[str, Any]) -> None:
        catalogue_item_check(self.instance)


class OfferForm(CatalogueItemChecks, forms.ModelForm):
    class Meta:
        formfield_callback = amount_formfield  # prices and rates typed 12,50
        model = Offer
        fields = [
            "code",
            "label",
            "price",
            "vat_rate",
            "billing_timing",
            "prorated",
            "commitment_none",
            "commitment_12",
            "commitment_24",
            "termination_rule",
            "default_rate_table",
            "valid_from",
            "valid_to",
            "options",
        ]
        widgets = {"valid_from": DATE, "valid_to": DATE, "options": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["default_rate_table"].queryset = RateTable.objects.filter(archived=False)  # type: ignore[attr-defined]
        # The options on sale, and those the offer already has (an archived one may stay).
        attached = Q(offers=self.instance) if self.instance.pk else Q(pk__in=[])
        self.fields["options"].queryset = Option.objects.filter(Q(archived=False) | attached).distinct()  # type: ignore[attr-defined]


class OptionForm(CatalogueItemChecks, forms.ModelForm):
    class Meta:
        formfield_callback = amount_formfield  # prices and rates typed 12,50
        model = Option
        fields = ["code", "label", "price", "vat_rate", "data_speed"]


class ProductForm(CatalogueItemChecks, forms.ModelForm):
    class Meta:
        formfield_callback = amount_formfield  # prices and rates typed 12,50
        model = Product
        fields = ["code", "label", "kind", "recurring", "price", "vat_rate"]


class TerminalForm(CatalogueItemChecks, forms.ModelForm):
    class Meta:
        formfield_callback = amount_formfield  # prices and rates typed 12,50
        model = Terminal
        fields = [
            "code",
            "brand",
            "model",
            "label",
            "price",
            "instalment_months",
            "instalment_price",
            "rental_price",
            "vat_rate",
        ]
        labels = {"price": _("Cash price excl. VAT")}


class AllowanceForm(ServiceChecks, forms.ModelForm):
    class Meta:
        formfield_callback = amount_formfield  # a quantity typed 1 000
        model = Allowance
        fields = ["event_type", "zones", "origin_zones", "quantity", "unit", "unlimited"]

    def service_check(self, data: dict[str, Any]) -> None:
        allowance_check(data)


# Rows are added in the page by static/js/formsets.js, which clones the formset's empty form.
AllowanceFormSet = forms.formset_factory(AllowanceForm, extra=1, can_delete=True)


class RateTableForm(ServiceChecks, forms.ModelForm):
    class Meta:
        formfield_callback = amount_formfield  # prices and rates typed 12,50
        model = RateTable
        fields = ["code", "label", "kind", "base_table", "markup_fixed", "markup_percent"]

    def service_check(self, data: dict[str, Any]) -> None:
        rate_table_check(self.instance)


class RateForm(ServiceChecks, forms.ModelForm):
    class Meta:
        formfield_callback = amount_formfield  # prices and rates typed 12,50
        model = Rate
        fields = [
            "prefix",
            "destination",
            "zone",
            "event_type",
            "origin_zone",
            "price",
            "unit",
            "first_increment",
            "next_increment",
            "connection_fee",
            "valid_from",
        ]
        widgets = {"valid_from": DATE}

    def service_check(self, data: dict[str, Any]) -> None:
        rate_check(self.instance)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Rate file (CSV or XLSX)"))


class CopyForm(forms.Form):
    code = forms.CharField(label=_("Code of the copy"), max_length=40)
    label = forms.CharField(label=_("Label of the copy"), max_length=200)


class RateFilterForm(forms.Form):
    on = forms.DateField(label=_("In force on"), required=False, widget=DATE)
    prefix = forms.CharField(label=_("Prefix"), required=False)  # type: ignore[assignment]
    destination = forms.CharField(label=_("Destination"), required=False)
    event_type = forms.ChoiceField(
        label=_("Event type"), required=False, choices=[("", "—"), *RateEventType.choices]
    )


# Shown as words ("Appels sortants"), from the labels the offers app registers (core.labels).
EVENT_TYPE_CHOICES = [(code, lazy(event_type_label, str)(code)) for code in ROW_KIND]


class SimulatorForm(forms.Form):
    offer = forms.ModelChoiceField(label=_("Offer"), queryset=Offer.objects.none(), required=False)
    table = forms.ModelChoiceField(label=_("Rate table"), queryset=RateTable.objects.none(), required=False)
    event_type = forms.ChoiceField(label=_("Event type"), choices=EVENT_TYPE_CHOICES, initial="VOICE_MO")
    called = forms.CharField(label=_("Number called"), required=False, max_length=20)
    duration_s = CountField(label=_("Duration (seconds)"), required=False, min_value=0)
    volume_mb = AmountField(label=_("Volume (MB)"), required=False, min_value=0, decimal_places=3)
    country = forms.CharField(label=_("Roaming country (ISO code)"), required=False, max_length=2)
    on = forms.DateField(label=_("Date"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = Offer.objects.filter(archived=False)  # type: ignore[attr-defined]
        self.fields["table"].queryset = RateTable.objects.filter(archived=False)  # type: ignore[attr-defined]

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        offer, table = data.get("offer"), data.get("table")
        if not table and not (offer and offer.default_rate_table_id):
            raise forms.ValidationError(_("Choose a rate table, or an offer that has a default table."))
        return data
