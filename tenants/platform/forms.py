"""Forms of the platform admins' pages. They only collect input: the services check it."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from core.forms import CountField, ServiceChecks, amount_formfield
from core.identifiers import clean_bic, clean_iban, clean_ics, clean_siren, clean_siret, clean_vat_number
from tenants.models import (
    DocumentKind,
    FeedAuth,
    FeedProtocol,
    OnboardingStep,
    StepStatus,
    Tenant,
    TenantKind,
    TenantStatus,
)
from tenants.platform.services import IDENTITY_FIELDS, tenant_create_check, tenant_identity_clean

# Identifiers are typed with spaces; the services normalise and check them.
_LOOSE = {
    "siren": _("SIREN"),
    "siret": _("SIRET"),
    "vat_number": _("intra-EU VAT number"),
    "sepa_creditor_id": _("SEPA creditor identifier (ICS)"),
    "creditor_iban": _("creditor IBAN"),
    "creditor_bic": _("creditor BIC"),
}
_PLACEHOLDERS = {
    "siret": "732 829 320 00074",
    "vat_number": "FR44 732829320",
    "sepa_creditor_id": "FR72ZZZ123456",
    "creditor_iban": "FR76 3000 6000 0112 3456 7890 189",
    "creditor_bic": "AGRIFRPP",
}


class IdentityForm(ServiceChecks, forms.Form):
    """A tenant's company identity, contacts and SEPA creditor details."""

    def service_check(self, data: dict[str, Any]) -> None:
        tenant_identity_clean({name: data[name] for name in IDENTITY_FIELDS if name in data})

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, field in forms.fields_for_model(
            Tenant, fields=IDENTITY_FIELDS, formfield_callback=amount_formfield
        ).items():
            if name in _LOOSE:
                field = forms.CharField(label=_LOOSE[name], required=False, max_length=50)
            if name in _PLACEHOLDERS:
                field.widget.attrs["placeholder"] = _PLACEHOLDERS[name]
            if name == "country":
                field.required = False
                field.initial = "FR"
            if name == "siren":
                field.help_text = _("Left empty, it is taken from the SIRET.")
            self.fields[name] = field
        self.fields["name"].help_text = _("The brand shown on the tenant's site.")

    GROUPS: list[tuple[Any, list[str]]] = [
        (
            _("Company"),
            [
                "legal_name",
                "address_line1",
                "address_line2",
                "postal_code",
                "city",
                "country",
                "siret",
                "siren",
                "vat_number",
                "share_capital",
                "rcs_city",
            ],
        ),
        (
            _("Operator and contacts"),
            [
                "operator_name",
                "accounting_email",
                "technical_email",
                "technical_contact_name",
                "invoice_from_email",
            ],
        ),
        (_("SEPA direct debit (creditor)"), ["sepa_creditor_id", "creditor_iban", "creditor_bic"]),
    ]

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The fields in sections, as the page shows them."""
        return [
            (title, [self[name] for name in names if name in self.fields]) for title, names in self.GROUPS
        ]

    def _check(self, name: str, check: Any) -> str:
        """Show an identifier's error next to it, even when other fields are missing."""
        value = self.cleaned_data.get(name) or ""
        if value:
            try:
                check(value, field=name)
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message) from None
        return value

    def clean_siren(self) -> str:
        return self._check("siren", clean_siren)

    def clean_siret(self) -> str:
        return self._check("siret", clean_siret)

    def clean_vat_number(self) -> str:
        return self._check("vat_number", clean_vat_number)

    def clean_sepa_creditor_id(self) -> str:
        return self._check("sepa_creditor_id", clean_ics)

    def clean_creditor_iban(self) -> str:
        return self._check("creditor_iban", clean_iban)

    def clean_creditor_bic(self) -> str:
        return self._check("creditor_bic", clean_bic)

    def identity(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in IDENTITY_FIELDS}


class TenantCreateForm(IdentityForm):
    kind = forms.ChoiceField(label=_("kind"), choices=TenantKind.choices)
    schema_name = forms.CharField(
        label=_("technical name"),
        max_length=41,
        help_text=_("Lower-case letters, digits and _; names the tenant's database schema. Cannot change."),
    )
    operator_code = forms.CharField(label=_("operator code"), max_length=20, help_text=_("e.g. ACME"))
    domain = forms.CharField(label=_("domain"), max_length=253, help_text=_("e.g. acme.example.com"))
    admin_email = forms.EmailField(label=_("first admin's e-mail"))
    admin_first_name = forms.CharField(label=_("first admin's first name"), max_length=150, required=False)
    admin_last_name = forms.CharField(label=_("first admin's last name"), max_length=150, required=False)

    def service_check(self, data: dict[str, Any]) -> None:
        tenant_create_check(
            **{name: data[name] for name in IDENTITY_FIELDS if name in data and name != "name"},
            **{
                name: data.get(name)
                for name in ("name", "schema_name", "kind", "operator_code", "domain", "admin_email")
            },
        )

    GROUPS = [
        (_("Tenant"), ["kind", "name", "schema_name", "operator_code", "domain"]),
        (_("First admin"), ["admin_email", "admin_first_name", "admin_last_name"]),
        *IdentityForm.GROUPS,
    ]


class StepForm(forms.ModelForm):
    """One checklist row: status, the date it was done, a note."""

    class Meta:
        model = OnboardingStep
        fields = ["status", "done_on", "due_date", "note"]
        widgets = {
            # Sized by ism.css (.step-form): the Content-Security-Policy forbids style attributes.
            "status": forms.Select(),
            "done_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.TextInput(attrs={"placeholder": _("note")}),
        }


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the tenant goes live before its checklist is complete (kept in the audit trail)."),
    )
    # Second step: the page shows what is missing, then asks for this explicit confirmation.
    confirmed = forms.BooleanField(
        label=_("I confirm the activation despite what is missing"), required=False
    )


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the audit trail."),
    )


class DomainRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        max_length=500,
        widget=forms.TextInput(),
        help_text=_("Kept in the audit trail."),
    )


class InviteAdminForm(forms.Form):
    email = forms.EmailField(label=_("e-mail"))
    first_name = forms.CharField(label=_("first name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("last name"), max_length=150, required=False)


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("file"))
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=DocumentKind.choices, initial=DocumentKind.OTHER)
    step = forms.ModelChoiceField(label=_("step"), queryset=OnboardingStep.objects.none(), required=False)

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any):
        super().__init__(*args, **kwargs)
        step_field = self.fields["step"]
        assert isinstance(step_field, forms.ModelChoiceField)
        step_field.queryset = tenant.onboarding_steps.order_by("position")
        step_field.label_from_instance = lambda step: step.title  # type: ignore[method-assign,assignment]


class WriteOnlyTextarea(forms.Textarea):
    """A text area that never renders its value back (a form shown again after an error
    must not echo the secret that was typed)."""

    def format_value(self, value: Any) -> None:
        return None


class FeedAccessForm(forms.Form):
    protocol = forms.ChoiceField(label=_("protocol"), choices=FeedProtocol.choices)
    host = forms.CharField(label=_("host"), max_length=253, required=False)
    port = CountField(
        label=_("port"), required=False, help_text=_("Empty: 21 for FTP and FTPS, 22 for SFTP.")
    )
    username = forms.CharField(label=_("login"), max_length=150, required=False)
    auth = forms.ChoiceField(
        label=_("authentication (SFTP)"), choices=FeedAuth.choices, initial=FeedAuth.PASSWORD
    )
    secret = forms.CharField(
        label=_("password or private key"),
        required=False,
        strip=False,
        widget=WriteOnlyTextarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Write-only: leave empty to keep the current secret. Never shown again."),
    )
    root_path = forms.CharField(
        label=_("root path"),
        max_length=500,
        required=False,
        help_text=_(
            "The folder holding AccountStatus/, RatedCDRs/…; for a local folder, its path on this server."
        ),
    )
    clear_host_key = forms.BooleanField(label=_("forget the recorded server key"), required=False)


class TenantFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("kind"), choices=[("", _("All"))] + list(TenantKind.choices), required=False
    )
    status = forms.ChoiceField(
        label=_("status"), choices=[("", _("All"))] + list(TenantStatus.choices), required=False
    )
    late = forms.BooleanField(label=_("late steps only"), required=False)


STEP_STATUS_CHOICES = StepStatus.choices
