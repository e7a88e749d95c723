"""Reads of a tenant's white label: branding, e-mail templates, invoice settings, domains, staff."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from accounts.models import STAFF_ROLES, User
from core.choices import PaymentMode
from tenants.models import (
    Domain,
    EmailKind,
    Tenant,
    TenantBranding,
    TenantEmailTemplate,
    TenantInvoiceSettings,
)
from tenants.settings.email_specs import email_spec
from tenants.settings.numbering import invoice_number_format

DEFAULT_LATE_PAYMENT_TEXT = (
    "Paiement à réception de facture, sauf mention contraire. En cas de retard de paiement, des "
    "pénalités de retard sont exigibles au taux de trois fois le taux d'intérêt légal en vigueur "
    "(article L.441-10 du Code de commerce), ainsi qu'une indemnité forfaitaire pour frais de "
    "recouvrement de 40 € (article D.441-5 du Code de commerce). Pas d'escompte pour paiement anticipé."
)
DEFAULT_PAYMENT_TEXTS = {
    "text_sepa": "Cette facture sera prélevée sur votre compte à la date d'échéance (prélèvement SEPA).",
    "text_transfer": "Merci de régler cette facture par virement à l'échéance, en rappelant son numéro.",
    "text_cheque": "Merci de régler cette facture par chèque à l'ordre de la société, en rappelant son numéro.",
    "text_card": "Cette facture est réglée par carte bancaire.",
}


def tenant_current() -> Tenant:
    """The tenant whose site is being served (the settings exist on a tenant's domain only; the
    platform's own site has none: 404)."""
    tenant = getattr(connection, "tenant", None)
    if not isinstance(tenant, Tenant) or tenant.schema_name == "public":
        raise Http404
    return tenant


def invoice_payment_text(*, settings: TenantInvoiceSettings, mode: str) -> str:
    """The text an invoice prints for a customer paying by `mode` (the tenant's, else the default)."""
    if mode not in PaymentMode.values:
        raise ValueError(f"unknown payment mode {mode!r}")
    field = f"text_{mode}"
    return getattr(settings, field) or DEFAULT_PAYMENT_TEXTS[field]


def branding_get(*, tenant: Tenant) -> TenantBranding:
    """The tenant's branding, or an unsaved one with the default colours."""
    branding = TenantBranding.objects.filter(tenant=tenant).defer("logo", "banner").first()
    return branding or TenantBranding(tenant=tenant)


@dataclass(frozen=True)
class BrandingView:
    """What pages need of the branding (no image bytes)."""

    logo_url: str
    banner_url: str
    welcome_message: str
    primary_color: str
    ink_color: str


def branding_for_pages(*, tenant: Tenant | None) -> BrandingView | None:
    """The current tenant's branding for templates; None on the platform site."""
    if tenant is None or tenant.is_platform:
        return None
    branding = branding_get(tenant=tenant)
    return BrandingView(
        logo_url=_image_url("logo", branding.logo_hash),
        banner_url=_image_url("banner", branding.banner_hash),
        welcome_message=branding.welcome_message,
        primary_color=branding.primary_color,
        ink_color=branding.ink_color,
    )


def _image_url(kind: str, digest: str) -> str:
    if not digest:
        return ""
    path = reverse("tenant_settings:branding_image", kwargs={"kind": kind}, urlconf="ism.urls_tenant")
    return f"{path}?v={digest}"


def branding_image(*, tenant: Tenant, kind: str) -> tuple[bytes, str] | None:
    """The PNG bytes and digest of the tenant's logo or banner, if it has one."""
    if kind not in ("logo", "banner"):
        return None
    row = TenantBranding.objects.filter(tenant=tenant).values(kind, f"{kind}_hash").first()
    if not row or not row[kind]:
        return None
    return bytes(row[kind]), row[f"{kind}_hash"]


def email_template_get(*, tenant: Tenant, kind: str) -> TenantEmailTemplate | None:
    return TenantEmailTemplate.objects.filter(tenant=tenant, kind=kind).first()


def email_template_list(*, tenant: Tenant) -> list[dict[str, Any]]:
    """Every kind of e-mail with the tenant's subject (or the default) and whether it is customised."""
    saved = {t.kind: t for t in TenantEmailTemplate.objects.filter(tenant=tenant)}
    rows = []
    for kind in EmailKind:
        template = saved.get(kind.value)
        rows.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "subject": template.subject if template else email_spec(kind.value).default_subject,
                "customised": template is not None,
                "updated_at": template.updated_at if template else None,
            }
        )
    return rows


def invoice_settings_get(*, tenant: Tenant) -> TenantInvoiceSettings:
    """The tenant's invoice settings, or unsaved defaults (with the legal late-payment text)."""
    found = TenantInvoiceSettings.objects.filter(tenant=tenant).first()
    if found:
        return found
    return TenantInvoiceSettings(
        tenant=tenant, late_payment_text=DEFAULT_LATE_PAYMENT_TEXT, **DEFAULT_PAYMENT_TEXTS
    )


def invoice_number_preview(*, pattern: str, today: date, seq: int = 1) -> str:
    """The number the pattern gives for `today`'s month at sequence `seq` (the first by default)."""
    return invoice_number_format(pattern, year=today.year, month=today.month, seq=seq)


def tenant_domain_list(*, tenant: Tenant) -> QuerySet[Domain]:
    return Domain.objects.filter(tenant=tenant).order_by("-is_primary", "domain")


def staff_list() -> QuerySet[User]:
    """Staff accounts of the current schema, active first."""
    return User.objects.filter(role__in=STAFF_ROLES).order_by("-is_active", "username")
