"""The demo tenants arrive branded: logo, banner, colours, welcome message, templates, numbering."""

import io

from PIL import Image

from tenants.models import TenantBranding, TenantEmailTemplate, TenantInvoiceSettings
from tenants.settings.demo import seed_branding


def test_demo_branding_gives_each_tenant_real_images_and_its_own_numbering(acme, nova):
    for tenant in (acme, nova):
        seed_branding(tenant)
        seed_branding(tenant)  # idempotent
    acme_look = TenantBranding.objects.get(tenant=acme)
    assert Image.open(io.BytesIO(bytes(acme_look.logo))).size == (95, 95)
    assert Image.open(io.BytesIO(bytes(acme_look.banner))).size == (760, 95)
    assert (
        acme_look.welcome_message
        and acme_look.primary_color != TenantBranding.objects.get(tenant=nova).primary_color
    )
    assert TenantInvoiceSettings.objects.get(tenant=acme).number_format == "FA{YYYY}{MM}-{SEQ:5}"
    assert TenantInvoiceSettings.objects.get(tenant=nova).number_format == "NOVA-{YY}-{SEQ:6}"
    # Every customer-facing kind (the operator alert goes to the tenant itself): 4, the two usage
    # alerts and the payment reminder.
    assert TenantEmailTemplate.objects.filter(tenant=nova).count() == 7
