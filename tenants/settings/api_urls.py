"""Routes of the settings API, mounted at /api/v1/settings/ on a tenant's domain."""

from django.urls import path

from tenants.settings import api

urlpatterns = [
    path(
        "domains/", api.DomainViewSet.as_view({"get": "list", "post": "create"}), name="api-settings-domains"
    ),
    path("domains/<int:pk>/", api.DomainViewSet.as_view({"delete": "destroy"}), name="api-settings-domain"),
    path("team/", api.TeamViewSet.as_view({"get": "list", "post": "create"}), name="api-settings-team"),
    path(
        "team/<int:pk>/",
        api.TeamViewSet.as_view({"patch": "partial_update"}),
        name="api-settings-team-member",
    ),
    path(
        "bank-details/",
        api.BankDetailsViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="api-settings-bank",
    ),
    path(
        "api-access/",
        api.ApiAccessViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="api-settings-api-access",
    ),
    path(
        "branding/",
        api.BrandingViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="api-settings-branding",
    ),
    path(
        "invoicing/",
        api.InvoiceSettingsViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="api-settings-invoicing",
    ),
    path(
        "email-templates/<str:kind>/",
        api.EmailTemplateViewSet.as_view({"get": "retrieve", "put": "update", "delete": "destroy"}),
        name="api-settings-email-template",
    ),
    path(
        "email-templates/<str:kind>/preview/",
        api.EmailTemplateViewSet.as_view({"post": "preview"}),
        name="api-settings-email-template-preview",
    ),
    path(
        "email-templates/<str:kind>/test/",
        api.EmailTemplateViewSet.as_view({"post": "send_test"}),
        name="api-settings-email-template-test",
    ),
]
