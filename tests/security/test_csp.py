"""Issue 9: every response carries a Content-Security-Policy without 'unsafe-inline' or
'unsafe-eval', and no served template writes an inline script, handler or style."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, in_schema

ROOT = Path(settings.BASE_DIR)
# Rendered by WeasyPrint into PDFs, never served to a browser: their <style> is theirs.
PDF_TEMPLATES = {"billing/templates/billing/invoice.html", "customers/templates/customers/mandate_pdf.html"}


def served_templates() -> list[Path]:
    folders = [ROOT / "templates", *(p for p in ROOT.glob("*/templates") if p.parent.name != ".venv")]
    files = sorted(f for folder in folders for f in folder.rglob("*.html"))
    return [f for f in files if str(f.relative_to(ROOT)) not in PDF_TEMPLATES]


INLINE = [
    ("an inline <script> (without src)", re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)),
    ("an event handler attribute", re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)),
    ("an hx-on attribute", re.compile(r"\shx-on[:\-a-z]*\s*=", re.IGNORECASE)),
    ("a <style> block", re.compile(r"<style\b", re.IGNORECASE)),
    ("a style attribute", re.compile(r"\sstyle\s*=", re.IGNORECASE)),
    ("a javascript: URL", re.compile(r"javascript:", re.IGNORECASE)),
]


def test_no_served_template_has_inline_scripts_handlers_or_styles():
    templates = served_templates()
    assert len(templates) > 50 and all("invoice.html" not in str(t) for t in templates)
    found = [
        f"{path.relative_to(ROOT)}: {what}: {match.group(0)[:60]!r}"
        for path in templates
        for what, pattern in INLINE
        for match in pattern.finditer(path.read_text())
    ]
    assert not found, "\n".join(found)


def assert_strict_policy(response: Any) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy and "object-src 'none'" in policy, response
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.fixture
def acme_pages(acme: Any) -> list[str]:
    from customers.services import customer_create
    from offers.services import rate_table_create

    with in_schema(acme):
        customer = customer_create(
            now=timezone.now(),
            by=None,
            data={"kind": "business", "company_name": "CSP CLIENT"},
            number="",
            billing_contact={"name": "Paul Compta", "email": "compta@csp.example", "phone": ""},
            login_contact=None,
        )
        table = rate_table_create(data={"code": "CSP", "label": "CSP"}, by=None)
    return [
        "/",
        "/customers/",
        f"/customers/{customer.pk}/",
        "/customers/new/",
        "/catalogue/offers/",
        "/catalogue/rate-tables/",
        f"/catalogue/rate-tables/{table.pk}/",
        "/catalogue/simulator/",
        "/settings/bank/",
        "/settings/branding/",
        "/settings/domains/",
        "/settings/emails/",
        "/settings/invoicing/",
        "/settings/team/",
        "/audit/",
        "/profile/",
        "/search/?q=csp",
        "/api/v1/docs/",
        "/api/v1/docs/?script=",
        "/no-such-page/",
    ]


def test_every_main_page_of_a_tenants_site_sends_the_policy(acme, acme_pages, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))
    for path in acme_pages:
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert_strict_policy(response)


def test_log_in_error_and_portal_pages_send_the_policy(acme, make_user, client_for):
    from customers.services import customer_create

    anonymous = Client(HTTP_HOST="acme.localhost")
    for path in ("/login/", "/portal/login/", "/password-reset/", "/no-such-page/"):
        assert_strict_policy(anonymous.get(path))
    forbidden = client_for(acme, make_user(acme, "support")).get("/settings/branding/")
    assert forbidden.status_code == 403
    assert_strict_policy(forbidden)
    with in_schema(acme):
        customer = customer_create(
            now=timezone.now(),
            by=None,
            data={"kind": "business", "company_name": "CSP PORTAL"},
            number="",
            billing_contact={"name": "Paul Compta", "email": "compta@csp.example", "phone": ""},
            login_contact={"name": "Lea", "email": "lea@csp-portal.example"},
        )
        user = customer.portal_user
        user.set_password(PASSWORD)
        user.save()
    portal = client_for(acme, user).get("/portal/")
    assert portal.status_code == 200
    assert_strict_policy(portal)


def test_the_platform_site_sends_the_policy(platform, make_user, client_for):
    client = client_for(platform, make_user(platform, "platform_admin"))
    for path in ("/tenants/", "/tenants/new/", "/api/v1/docs/", "/no-such-page/"):
        assert_strict_policy(client.get(path))
    assert_strict_policy(Client(HTTP_HOST="admin.localhost").get("/login/"))


def test_the_api_docs_load_their_scripts_and_styles_from_files(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))
    swagger = client.get("/api/v1/docs/").content.decode()
    assert "<style" not in swagger and re.search(r'<script src="[^"]*\?script=', swagger)
    init = client.get("/api/v1/docs/?script=")
    assert (
        init["Content-Type"].startswith("application/javascript")
        and "SwaggerUIBundle(" in init.content.decode()
    )
    # One policy for the whole site: the docs page gets no nonce, hash or extra source.
    assert swagger_headers(client) == client.get("/").headers["Content-Security-Policy"]
    assert "nonce-" not in swagger_headers(client) and "blob:" not in swagger_headers(client)
    # ReDoc is not served (its bundle needs inline styles, a blob: worker and a CDN image).
    assert client.get("/api/v1/redoc/").status_code == 404


def swagger_headers(client: Client) -> str:
    return str(client.get("/api/v1/docs/").headers["Content-Security-Policy"])


def test_brand_colours_are_data_attributes_not_inline_styles(acme, make_user, client_for):
    from tenants.settings.services import branding_update

    admin = make_user(acme, "admin")
    with in_schema(acme):
        branding_update(
            tenant=acme, by=admin, primary_color="#0a7d4f", ink_color="#ffffff", welcome_message=""
        )
    body = client_for(acme, admin).get("/").content.decode()
    assert 'data-brand-colours="--brand: #0a7d4f; --brand-ink: #ffffff;"' in body
    assert "<style" not in body


def test_the_policy_comes_from_the_settings(acme, client_for, settings):
    settings.ISM_CSP = "default-src 'none'"
    assert client_for(acme).get("/login/")["Content-Security-Policy"] == "default-src 'none'"
    settings.ISM_CSP = ""
    assert "Content-Security-Policy" not in client_for(acme).get("/login/").headers
