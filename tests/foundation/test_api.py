"""The REST API: per-tenant tokens, the OpenAPI schema and its documentation."""

from tests.conftest import in_schema


def test_token_of_an_acme_user_works_on_acme_only(acme, nova, make_user, api_for):
    user = make_user(acme, "sales")
    api = api_for(acme, user)
    me = api.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["username"] == user.username
    token_header = api._credentials["HTTP_AUTHORIZATION"]
    from rest_framework.test import APIClient

    foreign = APIClient(HTTP_HOST="nova.localhost")
    foreign.credentials(HTTP_AUTHORIZATION=token_header)
    assert foreign.get("/api/v1/me/").status_code == 401


def test_api_refuses_anonymous_and_end_customers(acme, make_user, api_for):
    assert api_for(acme).get("/api/v1/audit-events/").status_code == 401
    customer = make_user(acme, "customer")
    assert api_for(acme, customer).get("/api/v1/audit-events/").status_code == 403


def test_token_created_from_the_profile_is_shown_once_and_works(acme, make_user, client_for):
    user = make_user(acme, "support")
    client = client_for(acme, user)
    client.post("/profile/api-token/", {"action": "create"})
    first = client.get("/profile/").content.decode()
    again = client.get("/profile/").content.decode()
    with in_schema(acme):
        from accounts.models import ApiToken as Token

        key = Token.objects.get(user=user).key
    assert key in first and key not in again
    from rest_framework.test import APIClient

    api = APIClient(HTTP_HOST="acme.localhost")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200
    client.post("/profile/api-token/", {"action": "revoke"})
    assert api.get("/api/v1/me/").status_code == 401


def test_openapi_schema_and_docs_are_served_without_cdn(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/me/" in schema.json()["paths"]
    docs = client.get("/api/v1/docs/").content.decode()
    assert "cdn." not in docs and "unpkg" not in docs and "/static/" in docs


def test_platform_api_schema_is_its_own(platform, make_user, client_for):
    client = client_for(platform, make_user(platform, "platform_admin"))
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    assert "/api/v1/me/" in paths and "/api/v1/jobs/{id}/" not in paths
