"""A main colour unreadable under its text colour is refused unless explicitly kept; links use a
readable shade; image limits are stated as they are enforced."""

import pytest

from core.errors import ApplicationError
from tenants.models import TenantBranding
from tests.conftest import in_schema
from tests.tenant_settings.conftest import png_bytes


def _update(tenant, admin, **values):
    from tenants.settings.services import branding_update

    with in_schema(tenant):
        return branding_update(tenant=tenant, by=admin, welcome_message="", **values)


def test_a_yellow_primary_under_white_text_is_refused_with_its_contrast(acme, acme_admin):
    with pytest.raises(ApplicationError) as refused:
        _update(acme, acme_admin, primary_color="#ffd700", ink_color="#ffffff")
    assert refused.value.field == "primary_color"
    assert "1,4:1" in str(refused.value.message) and "4,5:1" in str(refused.value.message)
    assert not TenantBranding.objects.filter(tenant=acme, primary_color="#ffd700").exists()


def test_the_same_yellow_with_dark_text_or_an_explicit_confirmation_is_saved(acme, acme_admin):
    _update(acme, acme_admin, primary_color="#ffd700", ink_color="#1c2433")
    assert TenantBranding.objects.get(tenant=acme).ink_color == "#1c2433"
    _update(acme, acme_admin, primary_color="#ffd700", ink_color="#ffffff", low_contrast_confirmed=True)
    assert TenantBranding.objects.get(tenant=acme).ink_color == "#ffffff"


def test_the_page_refuses_then_accepts_with_the_confirmation_box(acme, acme_admin, client_for):
    client = client_for(acme, acme_admin)
    refused = client.post("/settings/branding/", {"primary_color": "#ffd700", "ink_color": "#ffffff"})
    assert refused.status_code == 200
    assert "4,5:1" in refused.content.decode()
    saved = client.post(
        "/settings/branding/",
        {"primary_color": "#ffd700", "ink_color": "#ffffff", "low_contrast_confirmed": "on"},
    )
    assert saved.status_code == 302
    assert TenantBranding.objects.get(tenant=acme).primary_color == "#ffd700"


def test_the_api_refuses_a_low_contrast_unless_confirmed(acme, acme_admin, api_for):
    api = api_for(acme, acme_admin)
    values = {"primary_color": "#ffd700", "ink_color": "#ffffff"}
    assert api.put("/api/v1/settings/branding/", values, format="json").status_code == 400
    confirmed = {**values, "low_contrast_confirmed": True}
    assert api.put("/api/v1/settings/branding/", confirmed, format="json").status_code == 200


def test_pages_use_a_link_shade_readable_on_white(acme, acme_admin, client_for):
    from core.colors import link_shade

    _update(acme, acme_admin, primary_color="#ffd700", ink_color="#1c2433")
    page = client_for(acme, acme_admin).get("/").content.decode()
    assert f'data-brand-link="{link_shade("#ffd700")}"' in page and link_shade("#ffd700") != "#ffd700"


def test_a_16_megapixel_square_logo_is_refused_for_its_megapixels_not_its_sides(acme, acme_admin):
    with pytest.raises(ApplicationError) as refused:
        _update(acme, acme_admin, primary_color="#1f4fd1", ink_color="#ffffff", logo=png_bytes((4000, 4000)))
    message = str(refused.value.message)
    assert "16,0 mégapixels" in message and "12 mégapixels au plus" in message and "par côté" not in message


def test_an_image_wider_than_4000_px_is_refused_for_its_side(acme, acme_admin):
    with pytest.raises(ApplicationError) as refused:
        _update(acme, acme_admin, primary_color="#1f4fd1", ink_color="#ffffff", logo=png_bytes((4100, 100)))
    assert "4000 px au plus par côté" in str(refused.value.message)
