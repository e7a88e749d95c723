"""Demo white label of a tenant: a logo and a banner drawn with Pillow, colours, a welcome
message, the e-mail templates and invoice settings. Idempotent: existing values are kept."""

import io

from PIL import Image, ImageDraw, ImageFont

from tenants.models import EmailKind, Tenant, TenantBranding, TenantEmailTemplate, TenantInvoiceSettings
from tenants.settings.images import image_clean
from tenants.settings.mail import EMAIL_SPECS
from tenants.settings.selectors import DEFAULT_LATE_PAYMENT_TEXT, DEFAULT_PAYMENT_TEXTS

DEMO_LOOKS = {
    "acme": {
        # #e4572e at first: white on it, and it as link text, fell below 4.5:1 (WCAG AA); this is
        # its shade readable on the table headers (core.colors.link_shade).
        "primary": "#bd4826",
        "ink": "#ffffff",
        "initials": "AT",
        "tagline": "Acme Télécom — la téléphonie des pros",
        "welcome": "Bienvenue sur l'extranet Acme Télécom. Le support répond au 01 23 45 67 89.",
        "number_format": "FA{YYYY}{MM}-{SEQ:5}",
        "footer": "Service client : 04 78 00 12 34 — compta@acme.example — acme.example",
    },
    "nova": {
        "primary": "#0f766e",
        "ink": "#ffffff",
        "initials": "NM",
        "tagline": "Nova Mobile — votre opérateur mobile",
        "welcome": "Bienvenue chez Nova Mobile : vos lignes, vos commandes et vos factures au même endroit.",
        "number_format": "NOVA-{YY}-{SEQ:6}",
        "footer": "Service client : 05 56 00 45 67 — factures@nova.example — nova.example",
    },
}

# The demo colours that were replaced, each by its tenant's colour above.
RETIRED_DEMO_PRIMARIES = {"acme": "#e4572e"}


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # DejaVu has the accents of the names; Pillow's own font is the fallback.
    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def demo_logo(*, initials: str, color: str) -> bytes:
    """A 95×95 square of the tenant's colour with its initials."""
    image = Image.new("RGB", (95, 95), color)
    draw = ImageDraw.Draw(image)
    font = _font(38)
    draw.text((47.5, 47.5), initials, fill="#ffffff", font=font, anchor="mm")
    return _png(image)


def demo_banner(*, text: str, color: str) -> bytes:
    """A 760×95 footer banner: a band of the tenant's colour with a tagline."""
    image = Image.new("RGB", (760, 95), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 760, 12), fill=color)
    draw.text((380, 55), text, fill=color, font=_font(26), anchor="mm")
    return _png(image)


def seed_branding(tenant: Tenant) -> None:
    look = DEMO_LOOKS.get(tenant.schema_name)
    if look is None:
        return
    branding, created = TenantBranding.objects.get_or_create(
        tenant=tenant,
        defaults={
            "primary_color": look["primary"],
            "ink_color": look["ink"],
            "welcome_message": look["welcome"],
        },
    )
    if not created and branding.primary_color == RETIRED_DEMO_PRIMARIES.get(tenant.schema_name):
        branding.primary_color = look["primary"]  # a demo seeded before the fix gets the readable shade
        branding.save(update_fields=["primary_color"])
    if created:
        logo = image_clean(data=demo_logo(initials=look["initials"], color=look["primary"]), kind="logo")
        banner = image_clean(data=demo_banner(text=look["tagline"], color=look["primary"]), kind="banner")
        branding.logo, branding.logo_hash = logo.content, logo.digest
        branding.banner, branding.banner_hash = banner.content, banner.digest
        branding.save()
    for kind, spec in EMAIL_SPECS.items():
        if kind == EmailKind.OPERATOR_ALERT:  # to the tenant's own technical contact: the default serves
            continue
        TenantEmailTemplate.objects.get_or_create(
            tenant=tenant, kind=kind, defaults={"subject": spec.default_subject, "body": spec.default_body}
        )
    TenantInvoiceSettings.objects.get_or_create(
        tenant=tenant,
        defaults={
            "number_format": look["number_format"],
            "footer_text": look["footer"],
            "late_payment_text": DEFAULT_LATE_PAYMENT_TEXT,
            **DEFAULT_PAYMENT_TEXTS,
        },
    )
