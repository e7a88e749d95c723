"""URLs of a tenant's site: staff pages, the customer portal and the API."""

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import AuditEventViewSet, MeViewSet, MyApiTokenViewSet
from billing.api_collection import PayPalIpnViewSet
from ism import views
from jobs.api import JobViewSet
from reports import views as reports_views

handler403 = "ism.views.permission_denied"
handler404 = "ism.views.page_not_found"
handler500 = "ism.views.server_error"

api_patterns: list[URLPattern | URLResolver] = [
    path("me/", MeViewSet.as_view({"get": "retrieve"}), name="api-me"),
    path("me/tokens/", MyApiTokenViewSet.as_view({"get": "list", "post": "create"}), name="api-me-tokens"),
    path("me/tokens/<int:pk>/", MyApiTokenViewSet.as_view({"delete": "destroy"}), name="api-me-token"),
    path("audit-events/", AuditEventViewSet.as_view({"get": "list"}), name="api-audit-events"),
    path("jobs/<int:pk>/", JobViewSet.as_view({"get": "retrieve"}), name="api-job-detail"),
    path("", include("customers.api_urls")),
    path("", include("offers.api_urls")),
    path("", include("provisioning.api_urls")),
    path("", include("cdr_import.api_urls")),
    path("", include("billing.api_urls")),
    path("", include("reports.api_urls")),
    path("", include("reports.api_whatif_urls")),
    path("settings/", include("tenants.settings.api_urls")),
    path("schema/", SpectacularAPIView.as_view(urlconf="ism.urls_tenant"), name="api-schema"),
    # Swagger UI from local files, under the site's one policy (no inline script or style). No
    # ReDoc: its bundle injects styles, starts a blob: worker and loads a logo from its CDN.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("", include("accounts.urls")),
    path("audit/", include("accounts.audit_urls")),
    path("jobs/", include("jobs.urls")),
    path("customers/", include("customers.urls")),
    path("catalogue/", include("offers.urls")),
    path("lines/", include("provisioning.urls")),
    path("imports/", include("cdr_import.urls")),
    path("billing/", include("billing.urls")),
    path("portal/operator-invoices/", include("cdr_import.portal_urls")),
    path("reports/", include("reports.urls")),
    path("portal/usage/", reports_views.portal_usage, name="portal_usage"),
    path("portal/invoices/", include("billing.portal_urls")),
    path("portal/", include("customers.portal_urls")),
    path("paypal/ipn/", PayPalIpnViewSet.as_view({"post": "create"}), name="paypal_ipn"),
    path("settings/", include("tenants.settings.urls", namespace="tenant_settings")),
    path("api/v1/", include(api_patterns)),
]
