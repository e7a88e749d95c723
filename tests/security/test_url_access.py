"""Every URL of both URL confs, walked from the resolver: who may open it.

- anonymous: sent to a log-in page (pages) or refused with 401/403 (API), never a 200, never a 500;
- an end customer on a staff page or staff API: 403 (or 404), never a 200;
- acme's session or token on nova's domain (or on the platform's): no more than anonymous;
- a platform admin's session or token on a tenant's domain: no more than anonymous;
- tenant staff cannot open the platform's pages.
"""

from typing import Any

import pytest
from django.test import Client

from tests.conftest import domain_of
from tests.security.urlwalk import Route, routes

# Pages open to anyone, each with why.
TENANT_PUBLIC = {
    "paypal_ipn": "PayPal's notification: credits only what PayPal confirms when posted back",
    "login": "the log-in form",
    "logout": "logging out a visitor who is not logged in does nothing",
    "password_reset": "asking for a reset link",
    "password_reset_done": "the 'link sent' page says nothing about the account",
    "password_reset_confirm": "the link's token is checked; an invalid one shows an error page",
    "password_reset_complete": "the 'password changed' page, no data",
    "set_language": "sets the language cookie only",
    "tenant_settings:branding_image": "the log-in page shows the tenant's logo",
    "portal:login": "the end customers' log-in form",
}
PLATFORM_PUBLIC = {
    "home": "a redirect to the tenant list, which asks to log in",
    "login": "the log-in form",
    "logout": "logging out a visitor who is not logged in does nothing",
    "password_reset": "asking for a reset link",
    "password_reset_done": "the 'link sent' page says nothing about the account",
    "password_reset_confirm": "the link's token is checked; an invalid one shows an error page",
    "password_reset_complete": "the 'password changed' page, no data",
    "set_language": "sets the language cookie only",
}
# What an end customer may open besides the public pages.
CUSTOMER_PAGES = {
    "home": "redirects an end customer to the portal",
    "profile": "the user's own profile",
    "password_change": "the user's own password",
    "password_change_done": "the user's own password",
    "api-me": "the account the request is authenticated as",
}

SAMPLE_ID = 1
TENANT_ROUTES = routes("ism.urls_tenant", SAMPLE_ID)
PLATFORM_ROUTES = routes("ism.urls_public", SAMPLE_ID)
TENANT_PROTECTED = [r for r in TENANT_ROUTES if r.name not in TENANT_PUBLIC]
PLATFORM_PROTECTED = [r for r in PLATFORM_ROUTES if r.name not in PLATFORM_PUBLIC]
STAFF_ONLY = [
    r
    for r in TENANT_PROTECTED
    if r.name not in CUSTOMER_PAGES and not r.name.startswith(("portal:", "api-portal-"))
]
API_METHODS = ("get", "post", "put", "patch", "delete")
PAGE_METHODS = ("get", "post")


def _url(route: Route, object_id: int) -> str:
    return route.url.replace(f"/{SAMPLE_ID}/", f"/{object_id}/")


def _methods(route: Route) -> tuple[str, ...]:
    return API_METHODS if route.is_api else PAGE_METHODS


def _call(client: Client, method: str, url: str, host: str | None = None) -> Any:
    extra = {"HTTP_HOST": host} if host else {}
    return getattr(client, method)(url, **extra)


def assert_treated_as_anonymous(route: Route, method: str, response: Any) -> None:
    where = f"{method.upper()} {route.url} ({route.name})"
    assert response.status_code != 500, where
    if route.is_api:
        assert response.status_code in (401, 403), f"{where}: {response.status_code}"
        return
    if response.status_code == 405:
        return
    assert response.status_code == 302, f"{where}: {response.status_code}"
    location = response["Location"]
    assert "/login/" in location, f"{where} redirects to {location}"


def test_the_walk_finds_every_kind_of_url():
    names = {r.name for r in TENANT_ROUTES}
    assert {
        "customers:detail",
        "api-offer-detail",
        "tenant_settings:domain_remove",
        "portal:entry_detail",
    } <= names
    assert len(TENANT_ROUTES) > 100
    assert "platform:tenant_document_download" in {r.name for r in PLATFORM_ROUTES}
    assert set(TENANT_PUBLIC) <= names
    assert set(PLATFORM_PUBLIC) <= {r.name for r in PLATFORM_ROUTES}


@pytest.mark.parametrize("route", TENANT_PROTECTED, ids=str)
def test_anonymous_gets_no_tenant_page_or_api(route, acme, nova, nova_customer, client_for):
    client = client_for(nova)
    for method in _methods(route):
        assert_treated_as_anonymous(route, method, _call(client, method, _url(route, nova_customer.pk)))


@pytest.mark.parametrize("route", [r for r in TENANT_ROUTES if r.name in TENANT_PUBLIC], ids=str)
def test_public_tenant_pages_answer_without_error(route, acme, client_for):
    response = client_for(acme).get(route.url)
    assert response.status_code in (200, 302, 404, 405), route


@pytest.mark.parametrize("route", STAFF_ONLY, ids=str)
def test_an_end_customer_gets_no_staff_page_or_api(route, acme, make_user, client_for, api_for):
    customer = make_user(acme, "customer")
    client: Client = api_for(acme, customer) if route.is_api else client_for(acme, customer)
    for method in _methods(route):
        response = _call(client, method, route.url)
        where = f"{method.upper()} {route.url}"
        if route.name == "home":
            continue
        assert response.status_code in (403, 404, 405), f"{where}: {response.status_code}"


@pytest.mark.parametrize("route", TENANT_PROTECTED, ids=str)
def test_acme_staff_session_and_token_are_unknown_on_nova(
    route, acme, nova, nova_customer, make_user, client_for, api_for
):
    admin = make_user(acme, "admin")
    session, token = client_for(acme, admin), api_for(acme, admin)
    host, url = domain_of(nova), _url(route, nova_customer.pk)
    for method in _methods(route):
        assert_treated_as_anonymous(route, method, _call(session, method, url, host))
        if route.is_api:
            assert _call(token, method, url, host).status_code == 401, f"{method} {url}"


@pytest.mark.parametrize("route", TENANT_PROTECTED, ids=str)
def test_a_platform_admins_session_and_token_are_unknown_on_a_tenant(
    route, platform, acme, make_user, client_for, api_for
):
    operator = make_user(platform, "platform_admin")
    session, token = client_for(platform, operator), api_for(platform, operator)
    host = domain_of(acme)
    for method in _methods(route):
        assert_treated_as_anonymous(route, method, _call(session, method, route.url, host))
        if route.is_api:
            assert _call(token, method, route.url, host).status_code == 401, f"{method} {route.url}"


@pytest.mark.parametrize("route", PLATFORM_PROTECTED, ids=str)
def test_anonymous_gets_no_platform_page_or_api(route, platform, acme, client_for):
    client = client_for(platform)
    for method in _methods(route):
        assert_treated_as_anonymous(route, method, _call(client, method, _url(route, acme.pk)))


@pytest.mark.parametrize("route", PLATFORM_PROTECTED, ids=str)
def test_tenant_staff_session_and_token_are_unknown_on_the_platform(
    route, platform, acme, make_user, client_for, api_for
):
    admin = make_user(acme, "admin")
    session, token = client_for(acme, admin), api_for(acme, admin)
    host, url = domain_of(platform), _url(route, acme.pk)
    for method in _methods(route):
        assert_treated_as_anonymous(route, method, _call(session, method, url, host))
        if route.is_api:
            assert _call(token, method, url, host).status_code == 401, f"{method} {url}"


@pytest.mark.parametrize("route", PLATFORM_PROTECTED, ids=str)
@pytest.mark.parametrize("role", ["admin", "sales", "customer"])
def test_a_non_platform_account_of_the_public_schema_gets_no_platform_page(
    route, role, platform, acme, make_user, client_for, api_for
):
    user = make_user(platform, role)
    client: Client = api_for(platform, user) if route.is_api else client_for(platform, user)
    for method in _methods(route):
        response = _call(client, method, _url(route, acme.pk))
        if route.name in CUSTOMER_PAGES or route.name == "password_change":
            continue
        assert response.status_code in (403, 404, 405), f"{method} {route.url}: {response.status_code}"
