"""Onboarding a tenant from the platform site, then its admin's first log-in, in Chromium."""

import re
import uuid

import pytest
from django.core import mail

from tests.conftest import PASSWORD, in_schema

pytestmark = pytest.mark.browser


def test_operator_onboards_a_tenant_whose_admin_then_logs_in(
    committed_db, page, site_url, settings, live_server_port
):
    from accounts.models import User
    from tenants.models import Tenant

    # Links in e-mails carry the configured public port (never the request's), here the live server's.
    settings.ISM_PUBLIC_PORT = str(live_server_port)

    platform = Tenant.objects.get(schema_name="public")
    suffix = uuid.uuid4().hex[:6]
    operator_name = f"op-{suffix}"
    with in_schema(platform):
        operator = User(username=operator_name, role="platform_admin")
        operator.set_password(PASSWORD)
        operator.save()
    mail.outbox = []

    page.goto(site_url("admin.localhost", "/login/"))
    page.fill("input[name=username]", operator_name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Clients plateforme')")
    page.click("text=Nouveau client plateforme")
    domain = f"t{suffix}.localhost"
    page.select_option("#id_kind", "integrator")
    page.fill("#id_name", f"Tango {suffix}")
    page.fill("#id_schema_name", f"t{suffix}")
    page.fill("#id_operator_code", f"T{suffix.upper()}")
    page.fill("#id_domain", domain)
    page.fill("#id_admin_email", f"boss{suffix}@tango.example")
    page.fill("#id_admin_first_name", "Jeanne")
    page.fill("#id_siret", "732 829 320 00074")
    page.fill("#id_vat_number", "FR44732829320")
    page.fill("#id_creditor_iban", "FR14 2004 1010 0505 0001 3M02 606")
    page.fill("#id_sepa_creditor_id", "FR72ZZZ123456")
    # Creating the schema runs every tenant migration: on a loaded machine the navigation that
    # follows the click takes longer than the default timeout of the browser tests.
    page.click("button:has-text('Créer le client plateforme')", timeout=90000)
    page.wait_for_selector(f"h1:has-text('Tango {suffix}')", timeout=90000)
    assert "Contrats et bon de commande envoyés" in page.content()

    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/reset/\S+/", mail.outbox[0].body).group(0)
    assert link.startswith(site_url(domain, "/reset/"))
    page.goto(link)
    page.fill("input[name=new_password1]", "Nouveau-mot-de-passe-2026")
    page.fill("input[name=new_password2]", "Nouveau-mot-de-passe-2026")
    page.click("button[type=submit]")
    page.goto(site_url(domain, "/login/"))
    page.fill("input[name=username]", f"boss{suffix}")
    page.fill("input[name=password]", "Nouveau-mot-de-passe-2026")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Tableau de bord')")
    assert f"Tango {suffix}" in page.inner_text(".sidebar")
