"""URLs of the platform's own site (the public domain): the platform admins' pages and API."""

from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import AuditEventViewSet, MeViewSet, MyApiTokenViewSet
from reports import platform as reports_platform

handler403 = "ism.views.permission_denied"
handler404 = "ism.views.page_not_found"
handler500 = "ism.views.server_error"

api_patterns: list[URLPattern | URLResolver] = [
    path("me/", MeViewSet.as_view({"get": "retrieve"}), name="api-me"),
    path("me/tokens/", MyApiTokenViewSet.as_view({"get": "list", "post": "create"}), name="api-me-tokens"),
    path("me/tokens/<int:pk>/", MyApiTokenViewSet.as_view({"delete": "destroy"}), name="api-me-token"),
    path("audit-events/", AuditEventViewSet.as_view({"get": "list"}), name="api-audit-events"),
    path("", include("tenants.platform.api_urls")),
    path(
        "overview/",
        reports_platform.PlatformOverviewViewSet.as_view({"get": "list"}),
        name="api-platform-overview",
    ),
    path("schema/", SpectacularAPIView.as_view(urlconf="ism.urls_public"), name="api-schema"),
    # Under the Content-Security-Policy: no inline script or style (templates/api/).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="platform:tenant_list"), name="home"),
    path("tenants/", include("tenants.platform.urls")),
    path("overview/", reports_platform.platform_dashboard, name="platform_dashboard"),
    path("", include("accounts.urls")),
    path("audit/", include("accounts.audit_urls")),
    path("api/v1/", include(api_patterns)),
]
