"""Form pieces every app's forms share: the amount field.

A browser's <input type="number"> reads a French `12,50` as `1250`; an amount is therefore a
text input the server parses (`core.money.parse_amount`) and shows back the French way.
"""

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.utils.translation import gettext_lazy as _

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


class CountInput(forms.TextInput):
    """A text input for a whole number (a quantity, months, days): `1 000` typed the French way,
    shown back with its thousands separated."""

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return format_amount(Decimal(value), places=0, currency="")
        return super().format_value(value)


class CountField(forms.IntegerField):
    """A whole number typed the French way (`1 000`, `1000`, `12,0`), checked like an
    IntegerField (bounds); `12,50` is refused in words."""

    widget = CountInput

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            number = parse_amount(str(value))
        except ApplicationError:
            raise forms.ValidationError(
                _("%(value)s is not a whole number: type it like 1 000."),
                code="invalid",
                params={"value": value},
            ) from None
        if number != number.to_integral_value():
            raise forms.ValidationError(
                _("%(value)s is not a whole number: type it like 1 000."),
                code="invalid",
                params={"value": value},
            )
        return int(number)


def amount_formfield(model_field: models.Field, **kwargs: Any) -> forms.Field:
    """`formfield_callback` of ModelForms (and `fields_for_model`): decimal model fields become
    `AmountField`s, integer ones `CountField`s; the others keep their usual form field."""
    if isinstance(model_field, models.DecimalField):
        kwargs.setdefault("form_class", AmountField)
    elif isinstance(model_field, models.IntegerField) and not isinstance(
        model_field, (models.AutoField, models.BigAutoField, models.SmallAutoField)
    ):
        kwargs.setdefault("form_class", CountField)
    return model_field.formfield(**kwargs)  # type: ignore[return-value]  # None: not editable


class ServiceChecks:
    """Form mixin: one submit shows every error. When a field fails its own validation (required,
    e-mail format, an amount), Django stops there and the service, which holds the business
    rules, is never called; the page would show the service's errors only on the next submit.

    A form with this mixin runs `service_check(data)` in that case: the service's validation
    step (no write) on what the other fields hold (`data` lacks the fields that failed). Its
    broken rules are added to their fields, except on a field that already has its error; a
    valid form adds nothing here, the service itself checks everything when it is called.
    """

    def service_check(self, data: dict[str, Any]) -> None:
        """Run the service's checks on `data`; raise its `ApplicationError` (with every rule)."""
        raise NotImplementedError

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # a ModelForm has built its instance here
        if cast(forms.BaseForm, self).errors:
            self.run_service_check()

    def run_service_check(self) -> None:
        """The service's checks on what passed the fields' own validation, their broken rules
        added to the form (also called by `all_valid` when another form of the page failed)."""
        form = cast(forms.BaseForm, self)
        failed = set(form.errors or {})
        data = {name: value for name, value in form.cleaned_data.items() if name not in failed}
        try:
            self.service_check(data)
        except ApplicationError as exc:
            for field, message in exc.field_errors:
                if field in failed:
                    continue  # its own error says what to fix first
                name = field if field in form.fields else None
                if message not in form.errors.get(name or NON_FIELD_ERRORS, []):
                    form.add_error(name, message)


def all_valid(*items: forms.BaseForm | forms.BaseFormSet | None) -> bool:
    """Whether every form and formset of a page is valid, each validated (no short-circuit, so
    every error shows). When one fails, the filled forms that passed still run their service
    checks (`ServiceChecks`): their broken rules show now, not after the next submit."""
    present = [item for item in items if item is not None]
    results = [item.is_valid() for item in present]
    if all(results):
        return True
    for item, valid in zip(present, results, strict=True):
        if not valid and isinstance(item, forms.BaseForm):
            continue  # a failed form has run its checks already
        for form in item.forms if isinstance(item, forms.BaseFormSet) else [item]:
            cleaned = getattr(form, "cleaned_data", None)  # absent: never validated (bad management form)
            filled = cleaned is not None and form.has_changed() and not cleaned.get("DELETE")
            if isinstance(form, ServiceChecks) and not cast(forms.BaseForm, form).errors and filled:
                form.run_service_check()
    return False
