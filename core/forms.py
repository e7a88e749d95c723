"""Form pieces every app's forms share: the amount field.

A browser's <input type="number"> reads a French `12,50` as `1250`; an amount is therefore a
text input the server parses (`core.money.parse_amount`) and shows back the French way.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.db import models

from core.errors import ApplicationError
from core.money import format_amount, parse_amount


class AmountInput(forms.TextInput):
    """A text input for an amount: the phone shows a keypad with a decimal mark, the browser
    neither autocompletes nor reinterprets it."""

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "data-amount": "", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            amount = Decimal(value)
            # A stored 12.500000 is shown 12,50: trailing zeros beyond the cents are noise.
            exponent = int(amount.normalize().as_tuple().exponent)
            return format_amount(amount, places=max(2, -exponent) if exponent < 0 else 2, currency="")
        return super().format_value(value)


class AmountField(forms.DecimalField):
    """A decimal typed the French way (`12,50`, `12.50`, `1 250,50`), checked like a DecimalField
    (digits, decimals, bounds)."""

    widget = AmountInput

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_amount(str(value))
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code="invalid") from None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return forms.Field.widget_attrs(self, widget)


def amount_formfield(model_field: models.Field, **kwargs: Any) -> forms.Field:
    """`formfield_callback` of ModelForms (and `fields_for_model`): decimal model fields become
    `AmountField`s; the others keep their usual form field."""
    if isinstance(model_field, models.DecimalField):
        kwargs.setdefault("form_class", AmountField)
    return model_field.formfield(**kwargs)  # type: ignore[return-value]  # None: not editable
