"""Forms of the provisioning pages (input only: the rules are in services and rio)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import amount_formfield
from provisioning.models import ProvisioningSettings, SimState


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
