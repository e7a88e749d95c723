"""Forms of the tenant's settings pages; they only parse input, the services hold the rules."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.forms import CountField, ServiceChecks
from tenants.settings.services import (
    bank_details_check,
    branding_check,
    email_template_check,
    staff_invite_check,
)

STAFF_ROLE_CHOICES = [(r.value, r.label) for r in (Role.ADMIN, Role.SALES, Role.SUPPORT, Role.ACCOUNTANT)]


class BankDetailsForm(ServiceChecks, forms.Form):
    sepa_creditor_id = forms.CharField(
        label=_("SEPA creditor identifier (ICS)"),
        required=False,
        max_length=40,
        help_text=_("Given by your bank, e.g. FR72ZZZ123456."),
    )
    creditor_iban = forms.CharField(label=_("IBAN of the account credited"), required=False, max_length=50)
    creditor_bic = forms.CharField(label=_("BIC"), required=False, max_length=15)

    def service_check(self, data: dict[str, Any]) -> None:
        bank_details_check(**{name: data[name] for name in self.fields if name in data})


class BrandingForm(ServiceChecks, forms.Form):
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("JPG or PNG, 95×95 px recommended (300 dpi). Shown on your site and on invoices."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    banner = forms.FileField(
        label=_("Invoice footer banner"),
        required=False,
        help_text=_("JPG or PNG, 760×95 px recommended (300 dpi). Printed at the bottom of invoices."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_banner = forms.BooleanField(label=_("Remove the banner"), required=False)
    primary_color = forms.CharField(
        label=_("Main colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )
    ink_color = forms.CharField(
        label=_("Text colour on the main colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    welcome_message = forms.CharField(
        label=_("Welcome message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the log-in page and on the dashboard."),
    )
    low_contrast_confirmed = forms.BooleanField(
        label=_("Keep these colours even though their contrast is below 4.5:1"),
        required=False,
        help_text=_("Only if the page refused the colours: text on the main colour will be hard to read."),
    )

    def service_check(self, data: dict[str, Any]) -> None:
        branding_check(
            primary_color=data.get("primary_color"),
            ink_color=data.get("ink_color"),
            welcome_message=data.get("welcome_message"),
            low_contrast_confirmed=bool(data.get("low_contrast_confirmed")),
        )


class DomainForm(forms.Form):
    domain = forms.CharField(
        label=_("Custom domain"),
        max_length=253,
        help_text=_("e.g. extranet.your-company.fr, pointed at the platform."),
    )


class EmailTemplateForm(ServiceChecks, forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 14}))

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def service_check(self, data: dict[str, Any]) -> None:
        email_template_check(kind=self.kind, subject=data.get("subject"), body=data.get("body"))


class InvoiceSettingsForm(forms.Form):
    number_format = forms.CharField(
        label=_("Invoice number format"),
        max_length=60,
        help_text=_(
            "Tokens: {YYYY} year, {YY} year on 2 digits, {MM} month, {SEQ:5} sequence on 5 digits; other characters are kept."
        ),
    )
    confirm_format_change = forms.BooleanField(
        label=_("I confirm the format change within the current numbering period"),
        required=False,
        help_text=_("Needed only when you change a format already in force."),
    )
    footer_text = forms.CharField(
        label=_("Footer text"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    late_payment_text = forms.CharField(
        label=_("Late-payment terms"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Mandatory between businesses: late-payment penalties and the 40 € recovery indemnity."),
    )
    text_sepa = forms.CharField(
        label=_("Text for SEPA direct debit"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    text_transfer = forms.CharField(
        label=_("Text for bank transfer"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    text_cheque = forms.CharField(
        label=_("Text for cheque"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    text_card = forms.CharField(
        label=_("Text for card payment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    bank_details = forms.CharField(
        label=_("Bank details shown on invoices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Left empty: your creditor IBAN and BIC are printed."),
    )


class InviteForm(ServiceChecks, forms.Form):
    username = forms.CharField(label=_("Login"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES, initial=Role.SALES)

    def service_check(self, data: dict[str, Any]) -> None:
        staff_invite_check(username=data.get("username"), email=data.get("email"), role=data.get("role"))


class ApiAccessForm(forms.Form):
    api_token_days = CountField(
        label=_("API tokens expire after (days)"),
        min_value=1,
        max_value=3650,
        help_text=_("Counted from the creation of each token; a token already created keeps its date."),
    )
