"""Forms of the provisioning pages (input only: the rules are in services and rio): the RIO
checker, the SIM stock, the settings, the lines and their actions, fixed numbers, disagreements."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ServiceChecks, amount_formfield
from customers.models import Customer
from offers.models import Offer, RateTable
from provisioning.models import (
    DisagreementSubject,
    InternationalProfile,
    LineActionKind,
    LineStatus,
    ProvisioningSettings,
    SimState,
)
from provisioning.services.fixed import fixed_number_check


class RioCheckForm(forms.Form):
    number = forms.CharField(label=_("Number to port"), max_length=20, help_text=_("06…, 07…, +33…"))
    rio = forms.CharField(label=_("RIO"), max_length=20, help_text=_("12 characters, e.g. 01P123456ABC"))


class SimFilterForm(forms.Form):
    q = forms.CharField(label=_("ICCID, IMSI or MSISDN"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Every state")), *SimState.choices]
    )
    order_ref = forms.CharField(label=_("SIM order reference"), required=False)


class SimImportForm(forms.Form):
    file = forms.FileField(label=_("SIM listing (CSV or XLSX)"))


class ProvisioningSettingsForm(forms.ModelForm):
    class Meta:
        formfield_callback = amount_formfield  # counts typed 1 000
        model = ProvisioningSettings
        fields = [
            "low_stock_threshold",
            "porting_min_days",
            "porting_max_days",
            "gateway_backend",
            "simulator_delay_seconds",
            "confirmation_timeout_hours",
        ]


# --- lines and their actions ------------------------------------------------------------------

ONE_LINE_KINDS = [
    (k.value, k.label)
    for k in (
        LineActionKind.RENAME,
        LineActionKind.SET_INTERNATIONAL,
        LineActionKind.BAR_INCOMING,
        LineActionKind.BAR_OUTGOING,
        LineActionKind.BAR_ALL,
        LineActionKind.REACTIVATE,
        LineActionKind.TERMINATE,
        LineActionKind.CHANGE_OFFER,
        LineActionKind.SIM_SWAP,
        LineActionKind.MOVE,
    )
]
BULK_CHOICES = [
    (k.value, k.label)
    for k in (
        LineActionKind.BAR_INCOMING,
        LineActionKind.BAR_OUTGOING,
        LineActionKind.BAR_ALL,
        LineActionKind.REACTIVATE,
        LineActionKind.TERMINATE,
    )
]


class LineFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *LineStatus.choices]
    )
    customer = forms.IntegerField(label=_("Customer id"), required=False, widget=forms.HiddenInput)
    offer = forms.ModelChoiceField(label=_("Offer"), required=False, queryset=Offer.objects.all())


class LineActionForm(forms.Form):
    """Every field an action may need; the service says which are required for each kind."""

    user_name = forms.CharField(label=_("Line user"), required=False, max_length=100)
    international = forms.ChoiceField(
        label=_("International profile"), required=False, choices=InternationalProfile.choices
    )
    offer = forms.ModelChoiceField(
        label=_("New offer"), required=False, queryset=Offer.objects.filter(archived=False)
    )
    effective_date = forms.DateField(label=_("Effective date"), required=False)
    msisdn = forms.CharField(label=_("MSISDN (international form)"), required=False)
    new_iccid = forms.CharField(label=_("New SIM (ICCID)"), required=False)
    old_sim_state = forms.ChoiceField(
        label=_("The old SIM becomes"),
        required=False,
        choices=[
            (SimState.TERMINATED.value, SimState.TERMINATED.label),
            (SimState.LOST.value, SimState.LOST.label),
        ],
    )
    customer = forms.ModelChoiceField(
        label=_("New customer"), required=False, queryset=Customer.objects.filter(archived_at__isnull=True)
    )
    fee = forms.DecimalField(label=_("Fee shown"), required=False, widget=forms.HiddenInput)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["offer"] = data["offer"].pk if data.get("offer") else None
        data["customer"] = data["customer"].pk if data.get("customer") else None
        return data


class BulkActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Action"), choices=BULK_CHOICES)


class FixedNumberForm(ServiceChecks, forms.Form):
    number = forms.CharField(label=_("Number"), max_length=20)
    offer = forms.ModelChoiceField(
        label=_("Offer (monthly fee)"), queryset=Offer.objects.filter(archived=False)
    )
    rate_table = forms.ModelChoiceField(
        label=_("Rate table"),
        required=False,
        queryset=RateTable.objects.all(),
        help_text=_("Empty: the offer's."),
    )

    def service_check(self, data: dict[str, Any]) -> None:
        if "number" in data:
            fixed_number_check(number=data["number"])


class FixedAssignForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.filter(archived_at__isnull=True)
    )


# --- the operator link ------------------------------------------------------------------------


class DisagreementFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("open", _("Open")), ("resolved", _("Resolved")), ("all", _("All"))],
    )
    subject = forms.ChoiceField(
        label=_("Object"), required=False, choices=[("", _("All")), *DisagreementSubject.choices]
    )
    q = forms.CharField(label=_("ICCID or number"), required=False, max_length=25)
