"""The staff shell: French by default, English on request, navigation by role, search."""

from django.core.management import call_command

from accounts.models import User
from tenants.models import Tenant
from tests.conftest import in_schema


def test_pages_are_in_french_by_default_whatever_the_browser_says(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Tableau de bord" in body and 'lang="fr"' in body


def test_english_is_available(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))
    response = client.post("/language/", {"language": "en", "next": "/"})
    assert response.cookies["django_language"].value == "en"
    body = client.get("/").content.decode()
    assert "Dashboard" in body and 'lang="en"' in body


def test_navigation_shows_what_the_role_may_open(acme, make_user, client_for):
    admin_body = client_for(acme, make_user(acme, "admin")).get("/").content.decode()
    sales_body = client_for(acme, make_user(acme, "sales")).get("/").content.decode()
    assert 'data-nav="audit"' in admin_body and 'data-nav="audit"' not in sales_body


def test_search_finds_staff_for_admins(acme, make_user, client_for):
    admin = make_user(acme, "admin")
    make_user(acme, "sales", username="jbernard", first_name="Julien", last_name="Bernard")
    body = client_for(acme, admin).get("/search/?q=bern").content.decode()
    assert "Julien Bernard" in body


def test_static_assets_are_local(acme, make_user, client_for):
    body = client_for(acme, make_user(acme, "admin")).get("/").content.decode()
    assert "/static/vendor/htmx.min.js" in body and "http" not in body.split("<body")[0].replace(
        "http-equiv", ""
    )


def test_seed_demo_twice_changes_nothing(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _snapshot() == first
    assert first["tenants"] >= 2


def _snapshot() -> dict:
    from django.apps import apps
    from django.db import connection

    counts = {"tenants": Tenant.objects.count()}
    for tenant in Tenant.objects.all():
        with in_schema(tenant):
            counts[f"{tenant.schema_name}.users"] = User.objects.count()
            tenant_models = (
                [
                    m
                    for m in apps.get_models()
                    if m._meta.app_label in ("customers", "offers", "provisioning", "cdr_import", "billing")
                ]
                if tenant.schema_name != "public"
                else []
            )
            for model in tenant_models:
                counts[f"{tenant.schema_name}.{model._meta.label}"] = model.objects.count()
    connection.set_schema_to_public()
    return counts


def test_a_null_character_in_a_query_is_a_400_not_a_server_error(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))
    assert client.get("/audit/", {"q": "a\x00b"}).status_code == 400
    assert client.get("/search/", {"q": "ab\x00"}).status_code == 400
