"""Platform pages and API are for platform admins, on the public domain only."""

from rest_framework.test import APIClient


def test_a_tenant_admin_cannot_reach_platform_pages_or_api_from_its_domain(
    acme, make_user, client_for, api_for
):
    admin = make_user(acme, "admin")
    client = client_for(acme, admin)
    for path in ("/tenants/", "/tenants/new/", f"/tenants/{acme.pk}/", f"/tenants/{acme.pk}/feed/"):
        assert client.get(path).status_code == 404
    api = api_for(acme, admin)
    assert api.get("/api/v1/tenants/").status_code == 404
    assert api.get(f"/api/v1/tenants/{acme.pk}/steps/").status_code == 404


def test_a_platform_token_does_not_work_on_a_tenant_domain(acme, operator_api):
    assert operator_api.get("/api/v1/tenants/").status_code == 200
    foreign = APIClient(HTTP_HOST="acme.localhost")
    foreign.credentials(HTTP_AUTHORIZATION=operator_api._credentials["HTTP_AUTHORIZATION"])
    assert foreign.get("/api/v1/me/").status_code == 401


def test_anonymous_is_sent_to_log_in_and_the_api_refuses_it(platform, client_for):
    response = client_for(platform).get("/tenants/new/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert APIClient(HTTP_HOST="admin.localhost").get("/api/v1/tenants/").status_code == 401


def test_platform_api_schema_lists_the_tenant_endpoints(operator_client):
    paths = operator_client.get("/api/v1/schema/?format=json").json()["paths"]
    assert "/api/v1/tenants/" in paths and "/api/v1/tenants/{id}/steps/{step_pk}/" in paths
