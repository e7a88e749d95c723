"""The platform API (public domain), for platform admins' tokens."""

from django.urls import path

from tenants.platform import api as api_platform

urlpatterns = [
    path(
        "tenants/",
        api_platform.TenantViewSet.as_view({"get": "list", "post": "create"}),
        name="api-tenant-list",
    ),
    path(
        "tenants/<int:pk>/",
        api_platform.TenantViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-tenant-detail",
    ),
    path(
        "tenants/<int:pk>/activate/",
        api_platform.TenantViewSet.as_view({"post": "activate"}),
        name="api-tenant-activate",
    ),
    path(
        "tenants/<int:pk>/invite/",
        api_platform.TenantViewSet.as_view({"post": "invite"}),
        name="api-tenant-invite",
    ),
    path(
        "tenants/<int:pk>/feed/test/",
        api_platform.TenantViewSet.as_view({"post": "feed_test"}),
        name="api-tenant-feed-test",
    ),
    path(
        "tenants/<int:pk>/steps/",
        api_platform.OnboardingStepViewSet.as_view({"get": "list"}),
        name="api-tenant-steps",
    ),
    path(
        "tenants/<int:pk>/steps/<int:step_pk>/",
        api_platform.OnboardingStepViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-tenant-step-detail",
    ),
    path(
        "domains/",
        api_platform.DomainRequestViewSet.as_view({"get": "list"}),
        name="api-domain-request-list",
    ),
    path(
        "domains/<int:pk>/approve/",
        api_platform.DomainRequestViewSet.as_view({"post": "approve"}),
        name="api-domain-request-approve",
    ),
    path(
        "domains/<int:pk>/refuse/",
        api_platform.DomainRequestViewSet.as_view({"post": "refuse"}),
        name="api-domain-request-refuse",
    ),
]
