"""API routes of the customers app, mounted under /api/v1/ by ism/urls_tenant.py."""

from typing import Any

from django.urls import path

from customers import api

LIST: dict[str, Any] = {"get": "list", "post": "create"}
DETAIL: dict[str, Any] = {"get": "retrieve", "patch": "partial_update"}

urlpatterns = [
    path("customers/", api.CustomerViewSet.as_view(LIST), name="api-customer-list"),
    path(
        "customers/<int:pk>/",
        api.CustomerViewSet.as_view({**DETAIL, "delete": "destroy"}),
        name="api-customer-detail",
    ),
    path(
        "customers/<int:pk>/send-logins/",
        api.CustomerViewSet.as_view({"post": "send_logins"}),
        name="api-customer-send-logins",
    ),
    path("customers/<int:customer_id>/contacts/", api.ContactViewSet.as_view(LIST), name="api-contact-list"),
    path("contacts/<int:pk>/", api.ContactViewSet.as_view(DETAIL), name="api-contact-detail"),
    path("customers/<int:customer_id>/mandates/", api.MandateViewSet.as_view(LIST), name="api-mandate-list"),
    path("mandates/<int:pk>/", api.MandateViewSet.as_view(DETAIL), name="api-mandate-detail"),
    path(
        "mandates/<int:pk>/reveal-iban/",
        api.MandateViewSet.as_view({"post": "reveal_iban"}),
        name="api-mandate-reveal-iban",
    ),
    path(
        "mandates/<int:pk>/revoke/", api.MandateViewSet.as_view({"post": "revoke"}), name="api-mandate-revoke"
    ),
    path(
        "customers/<int:customer_id>/ledger-entries/",
        api.LedgerEntryViewSet.as_view(LIST),
        name="api-ledger-entry-list",
    ),
    path(
        "ledger-entries/<int:pk>/",
        api.LedgerEntryViewSet.as_view({"get": "retrieve"}),
        name="api-ledger-entry-detail",
    ),
    path("portal/me/", api.PortalMeViewSet.as_view({"get": "retrieve"}), name="api-portal-me"),
    path(
        "portal/me/ledger-entries/",
        api.PortalLedgerEntryViewSet.as_view({"get": "list"}),
        name="api-portal-ledger-entries",
    ),
    path(
        "portal/me/ledger-entries/<int:pk>/",
        api.PortalLedgerEntryViewSet.as_view({"get": "retrieve"}),
        name="api-portal-ledger-entry",
    ),
    path(
        "portal/me/mandates/", api.PortalMandateViewSet.as_view({"get": "list"}), name="api-portal-mandates"
    ),
    path(
        "portal/me/mandates/<int:pk>/",
        api.PortalMandateViewSet.as_view({"get": "retrieve"}),
        name="api-portal-mandate",
    ),
    path(
        "portal/me/contacts/<str:role>/",
        api.PortalContactViewSet.as_view({"patch": "partial_update"}),
        name="api-portal-contact",
    ),
]
