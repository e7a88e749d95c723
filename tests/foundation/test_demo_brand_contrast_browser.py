"""Issue 10: the demo tenants' brand colours are readable. Their primary colour carries white
text (buttons, header) and is the link colour: each pair reaches 4.5:1, and axe-core's
colour-contrast rule passes on every main page with the acme demo look applied."""

import pytest

from core.colors import MIN_TEXT_CONTRAST, WHITE, contrast_ratio, link_shade
from tenants.settings.demo import DEMO_LOOKS
from tests.foundation.test_a11y_browser import AXE
from tests.foundation.test_small_screen_browser import LAPTOP, main_pages

RUN_CONTRAST = """async () => {
  const result = await axe.run(document, { runOnly: { type: "rule", values: ["color-contrast"] } });
  return result.violations.flatMap((v) => v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " — " + n.failureSummary));
}"""


@pytest.mark.parametrize("schema", sorted(DEMO_LOOKS))
def test_every_demo_look_has_readable_text_on_and_in_its_colour(schema):
    look = DEMO_LOOKS[schema]
    assert contrast_ratio(look["ink"], look["primary"]) >= MIN_TEXT_CONTRAST
    assert contrast_ratio(look["primary"], WHITE) >= MIN_TEXT_CONTRAST
    assert link_shade(look["primary"]) == look["primary"].lower()  # no darker shade needed


@pytest.mark.browser
def test_the_demo_brand_colour_passes_axe_colour_contrast_on_every_main_page(page, site_url):
    from tenants.models import Tenant, TenantBranding

    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does it)")
    acme = Tenant.objects.get(schema_name="acme")
    look = DEMO_LOOKS["acme"]
    branding, created = TenantBranding.objects.get_or_create(tenant=acme)
    before = (branding.primary_color, branding.ink_color)
    branding.primary_color, branding.ink_color = look["primary"], look["ink"]
    branding.save()
    try:
        source = AXE.read_text(encoding="utf-8")
        page.set_viewport_size(LAPTOP)
        problems = []
        checked = 0
        for name, visit in main_pages(page, site_url):
            visit()
            if name.endswith("log-in"):
                continue
            checked += 1
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.evaluate(source)
            problems += [f"{name} ({page.url}): {node}" for node in page.evaluate(RUN_CONTRAST)]
        assert checked >= 15
        assert not problems, "\n".join(problems)
    finally:
        if created:
            branding.delete()
        else:
            branding.primary_color, branding.ink_color = before
            branding.save()
