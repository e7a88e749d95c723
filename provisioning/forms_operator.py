"""Forms of the operator link's pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from provisioning.models import DisagreementSubject


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
