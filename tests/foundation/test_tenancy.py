"""Each domain reaches its own schema, and nothing else."""

from django.db import connection

from accounts.models import User
from tests.conftest import PASSWORD, in_schema


def test_each_domain_serves_its_own_tenant(acme, nova, make_user, client_for):
    for tenant, name in ((acme, "Acme Télécom"), (nova, "Nova Mobile")):
        user = make_user(tenant, "admin")
        response = client_for(tenant, user).get("/")
        assert response.status_code == 200
        assert name in response.content.decode()


def test_a_request_runs_in_the_schema_of_its_domain(acme, nova, make_user, client_for):
    make_user(acme, "admin", username="only-in-acme")
    with in_schema(nova):
        assert not User.objects.filter(username="only-in-acme").exists()
    with in_schema(acme):
        assert User.objects.filter(username="only-in-acme").exists()
    response = client_for(acme).post("/login/", {"username": "only-in-acme", "password": PASSWORD})
    assert response.status_code == 302
    assert connection.schema_name == "acme"


def test_unknown_domain_is_not_found(db, client):
    response = client.get("/", HTTP_HOST="unknown.localhost")
    assert response.status_code == 404


def test_platform_admin_pages_are_unreachable_from_a_tenant_domain(acme, make_user, client_for):
    admin = make_user(acme, "admin")
    client = client_for(acme, admin)
    assert client.get("/tenants/").status_code == 404


def test_tenant_pages_are_unreachable_from_the_platform_domain(platform, make_user, client_for):
    operator = make_user(platform, "platform_admin")
    client = client_for(platform, operator)
    assert client.get("/tenants/").status_code == 200
    assert client.get("/portal/").status_code == 404
    assert client.get("/customers/").status_code == 404


def test_platform_admin_sees_the_tenants(platform, make_user, client_for):
    operator = make_user(platform, "platform_admin")
    body = client_for(platform, operator).get("/tenants/").content.decode()
    assert "Acme Télécom" in body and "Nova Mobile" in body and "ACME" in body
