"""Forms of the operator invoice pages: a profile (its mapping typed as JSON), a reference's customer."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cdr_import.models_invoices import OperatorInvoiceProfile
from core.forms import amount_formfield


class JsonField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 8, "spellcheck": "false"})

    def __init__(self, *, kind: type, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value) or ("{}" if self.kind is dict else "[]")
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            raise forms.ValidationError(_("This is not valid JSON.")) from None
        if not isinstance(parsed, self.kind):
            raise forms.ValidationError(
                _("Expected an object of OUTPUT_COLUMN: source.")
                if self.kind is dict
                else _("Expected a list.")
            )
        return parsed


class OperatorInvoiceProfileForm(forms.ModelForm):
    formfield_callback = amount_formfield
    columns = JsonField(
        kind=dict,
        label=_("Column mapping"),
        help_text=_(
            "Each Output column and its source: “Table.Column”, “Column” (of the line table) or “=VALUE”."
        ),
    )
    joins = JsonField(
        kind=list,
        required=False,
        label=_("Joined tables"),
        help_text=_("For example: [{“table”: “Orders”, “on”: “OrderID”, “to”: “OrderID”}]."),
    )

    class Meta:
        model = OperatorInvoiceProfile
        fields = [
            "code",
            "label",
            "operator_code",
            "line_table",
            "joins",
            "columns",
            "unit_price",
            "default_vat_rate",
            "default_currency",
            "return_ofc",
            "is_default",
        ]


class ReferenceAssignForm(forms.Form):
    customer_number = forms.CharField(label=_("Customer number"), max_length=20, required=False)


class RoamingCapForm(forms.Form):
    lifted = forms.BooleanField(label=_("Roaming data cap lifted"), required=False)
