"""Forms of the customer pages and the portal: they parse input; the services hold the rules."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.forms import AmountField, ServiceChecks
from core.money import format_amount, quantize_price, vat_amount
from customers.models import (
    BalancePolicy,
    ContactRole,
    Customer,
    CustomerKind,
    CustomerStatus,
    PaymentMethod,
    PaymentMode,
)
from customers.services import CUSTOMER_FIELDS, charge_check, customer_check, mandate_check, payment_check

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CustomerForm(ServiceChecks, forms.ModelForm):
    """The customer record with its billing and login contacts (and, at creation, the number,
    the login, the SEPA mandate and "send the logins by e-mail")."""

    number = forms.CharField(
        label=_("Customer number"),
        required=False,
        help_text=_("Leave empty to generate it; type it in for a customer taken over from another system."),
    )
    login = forms.CharField(
        label=_("Login identifier"), required=False, help_text=_("Default: the customer number.")
    )
    billing_name = forms.CharField(label=_("Billing contact"), required=False)
    billing_email = forms.EmailField(
        label=_("Billing e-mail"), required=False, help_text=_("Receives the invoices by e-mail.")
    )
    billing_phone = forms.CharField(label=_("Billing phone"), required=False)
    login_name = forms.CharField(label=_("Login contact"), required=False)
    login_email = forms.EmailField(
        label=_("Login contact e-mail"),
        required=False,
        help_text=_("Receives the password recovery e-mails of the customer area."),
    )
    login_phone = forms.CharField(label=_("Login contact phone"), required=False)
    send_logins = forms.BooleanField(label=_("Send the logins by e-mail"), required=False)
    iban = forms.CharField(label=_("IBAN"), required=False)
    bic = forms.CharField(label=_("BIC"), required=False)
    signed_on = forms.DateField(label=_("Mandate signature date"), required=False, widget=DATE)

    class Meta:
        model = Customer
        fields = list(CUSTOMER_FIELDS)

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        if not creating:
            for name in ("number", "login", "send_logins", "iban", "bic", "signed_on"):
                del self.fields[name]
        self.fields["company_name"].widget.attrs["data-name-rule"] = "1"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.creating and data.get("payment_mode") == PaymentMode.SEPA and not data.get("iban"):
            self.add_error("iban", _("SEPA direct debit needs the customer's IBAN and BIC (the mandate)."))
        return data

    def service_check(self, data: dict[str, Any]) -> None:
        kwargs = self.service_kwargs(data)
        kwargs["data"] = {name: data[name] for name in CUSTOMER_FIELDS if name in data}
        customer_check(customer=None if self.creating else self.instance, now=timezone.now(), **kwargs)

    def service_kwargs(self, data: dict[str, Any] | None = None) -> dict[str, Any]:
        data = self.cleaned_data if data is None else data
        kwargs: dict[str, Any] = {
            "data": {name: data.get(name) for name in CUSTOMER_FIELDS},
            "billing_contact": {k: data.get(f"billing_{k}") or "" for k in ("name", "email", "phone")},
            "login_contact": {k: data.get(f"login_{k}") or "" for k in ("name", "email", "phone")},
        }
        if self.creating:
            kwargs.update(number=data.get("number") or "", login=data.get("login") or "")
            kwargs["send_logins"] = bool(data.get("send_logins"))
            if data.get("iban"):
                kwargs["mandate"] = {
                    "iban": data["iban"],
                    "bic": data.get("bic") or "",
                    "signed_on": data.get("signed_on"),
                }
        return kwargs


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All")), *CustomerKind.choices])
    payment_mode = forms.ChoiceField(
        label=_("Payment mode"), required=False, choices=[("", _("All")), *PaymentMode.choices]
    )
    balance_policy = forms.ChoiceField(
        label=_("Balance policy"), required=False, choices=[("", _("All")), *BalancePolicy.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (CustomerStatus.ACTIVE, _("Active")),
            (CustomerStatus.ARCHIVED, _("Archived")),
            ("all", _("All")),
        ],
    )


class MandateForm(ServiceChecks, forms.Form):
    iban = forms.CharField(label=_("IBAN"))
    bic = forms.CharField(label=_("BIC"))
    account_holder = forms.CharField(label=_("Account holder"), required=False)
    signed_on = forms.DateField(label=_("Signature date"), required=False, widget=DATE)

    def service_check(self, data: dict[str, Any]) -> None:
        mandate_check(
            iban=data.get("iban") or "",
            bic=data.get("bic") or "",
            signed_on=data.get("signed_on"),
            now=timezone.now(),
        )


class MandateSignedForm(forms.Form):
    signed_on = forms.DateField(label=_("Signature date"), widget=DATE)


class PaymentForm(ServiceChecks, forms.Form):
    amount = AmountField(label=_("Amount (incl. VAT)"), max_digits=12, decimal_places=2)
    entry_date = forms.DateField(label=_("Date"), widget=DATE)
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    description = forms.CharField(label=_("Description"), required=False)

    def service_check(self, data: dict[str, Any]) -> None:
        payment_check(amount=data.get("amount"), method=data.get("method"))

    def summary(self) -> list[tuple[Any, str]]:
        """What the confirmation step shows: the amount as understood, formatted."""
        data = self.cleaned_data
        return [
            (_("Amount (incl. VAT)"), format_amount(data["amount"], places=2)),
            (_("Date"), date_format(data["entry_date"], "d/m/Y")),
            (_("Method"), str(dict(PaymentMethod.choices).get(data["method"], data["method"]))),
            (_("Description"), data.get("description") or ""),
        ]


class ChargeForm(ServiceChecks, forms.Form):
    amount_ht = AmountField(label=_("Amount excl. VAT"), max_digits=12, decimal_places=2)
    vat_rate = AmountField(label=_("VAT rate (%)"), max_digits=5, decimal_places=2, initial=20)
    entry_date = forms.DateField(label=_("Date"), widget=DATE)
    description = forms.CharField(label=_("Description"))

    def service_check(self, data: dict[str, Any]) -> None:
        charge_check(
            amount_ht=data.get("amount_ht"),
            vat_rate=data.get("vat_rate"),
            description=data.get("description"),
        )

    def summary(self) -> list[tuple[Any, str]]:
        """What the confirmation step shows: the amounts as understood, formatted."""
        data = self.cleaned_data
        base = quantize_price(data["amount_ht"])
        vat = vat_amount(base, data["vat_rate"])
        return [
            (_("Amount excl. VAT"), format_amount(base, places=2)),
            (_("VAT rate (%)"), format_amount(data["vat_rate"], currency="%")),
            (_("Amount incl. VAT"), format_amount(base + vat, places=2)),
            (_("Date"), date_format(data["entry_date"], "d/m/Y")),
            (_("Description"), data["description"]),
        ]


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False)


class PortalContactForm(forms.Form):
    role = forms.ChoiceField(
        choices=[
            (ContactRole.BILLING, ContactRole.BILLING.label),
            (ContactRole.LOGIN, ContactRole.LOGIN.label),
        ],
        widget=forms.HiddenInput,
    )
    name = forms.CharField(label=_("Name"), required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False)
