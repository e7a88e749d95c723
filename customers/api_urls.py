"""API routes of the customers app, mounted under /api/v1/ by ism/urls_tenant.py."""

from django.urls import path

from customers import api

urlpatterns = [
    path("customers/", api.CustomerListCreate.as_view(), name="api-customer-list"),
    path("customers/<int:pk>/", api.CustomerDetail.as_view(), name="api-customer-detail"),
    path(
        "customers/<int:pk>/send-logins/", api.CustomerSendLogins.as_view(), name="api-customer-send-logins"
    ),
    path("customers/<int:customer_id>/contacts/", api.ContactListCreate.as_view(), name="api-contact-list"),
    path("contacts/<int:pk>/", api.ContactDetail.as_view(), name="api-contact-detail"),
    path("customers/<int:customer_id>/mandates/", api.MandateListCreate.as_view(), name="api-mandate-list"),
    path("mandates/<int:pk>/", api.MandateDetail.as_view(), name="api-mandate-detail"),
    path("mandates/<int:pk>/revoke/", api.MandateRevoke.as_view(), name="api-mandate-revoke"),
    path(
        "customers/<int:customer_id>/ledger-entries/",
        api.LedgerEntryListCreate.as_view(),
        name="api-ledger-entry-list",
    ),
    path("ledger-entries/<int:pk>/", api.LedgerEntryDetail.as_view(), name="api-ledger-entry-detail"),
    path("portal/me/", api.PortalMe.as_view(), name="api-portal-me"),
    path("portal/me/ledger-entries/", api.PortalLedgerEntryList.as_view(), name="api-portal-ledger-entries"),
    path(
        "portal/me/ledger-entries/<int:pk>/",
        api.PortalLedgerEntryDetail.as_view(),
        name="api-portal-ledger-entry",
    ),
    path("portal/me/mandates/", api.PortalMandateList.as_view(), name="api-portal-mandates"),
    path("portal/me/mandates/<int:pk>/", api.PortalMandateDetail.as_view(), name="api-portal-mandate"),
    path("portal/me/contacts/<str:role>/", api.PortalContactUpdate.as_view(), name="api-portal-contact"),
]
