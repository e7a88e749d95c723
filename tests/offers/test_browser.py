"""The catalogue clicked through in Chromium: a refused upload, a good one, then the simulator."""

import uuid

import pytest

from tests.conftest import PASSWORD, in_schema
from tests.offers.conftest import SAMPLE_TABLE

pytestmark = pytest.mark.browser


def test_staff_upload_a_rate_table_and_price_a_call_in_the_simulator(committed_db, page, site_url, tmp_path):
    from accounts.models import User
    from offers.models import RateTable
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    suffix = uuid.uuid4().hex[:6].upper()
    username = f"rates-{suffix.lower()}"
    with in_schema(acme):
        user = User(username=username, role="admin")
        user.set_password(PASSWORD)
        user.save()
        table = RateTable.objects.create(code=f"BROWSER-{suffix}", label="Grille navigateur")
    page.goto(site_url("acme.localhost", f"/catalogue/rate-tables/{table.pk}/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(f"h1:has-text('BROWSER-{suffix}')")

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "PREFIX;DESTINATION;ZONE;EVENT_TYPE;PRICE;UNIT\n33;France;FR;VOICE;x;MIN\n", encoding="utf-8"
    )
    page.set_input_files("input[name=file]", str(bad))
    page.click("button:has-text('Déposer')")
    page.wait_for_selector("[data-testid=upload-refused]")
    assert "PRICE" in page.inner_text("[data-testid=upload-errors]")

    page.click("text=Retour à la table")
    page.set_input_files("input[name=file]", str(SAMPLE_TABLE))
    page.click("button:has-text('Déposer')")
    page.wait_for_selector("text=22 lignes appliquées")

    page.click("a:has-text('Simulateur de prix')")
    page.select_option("select[name=table]", str(table.pk))
    page.fill("input[name=called]", "212612345678")
    page.fill("input[name=duration_s]", "61")
    page.fill("input[name=on]", "2026-10-15")
    page.click("button:has-text('Calculer le prix')")
    page.wait_for_selector("[data-testid=amount]")
    assert page.inner_text("[data-testid=amount]") == "2,4000 €"  # 2 started minutes at 1.20 €
    assert "Maroc mobile" in page.inner_text("[data-testid=simulation]")
