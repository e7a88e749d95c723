"""The platform API (public domain), for platform admins' tokens."""

from django.urls import path

from tenants.platform import api as api_platform

urlpatterns = [
    path("tenants/", api_platform.TenantListCreate.as_view(), name="api-tenant-list"),
    path("tenants/<int:pk>/", api_platform.TenantDetail.as_view(), name="api-tenant-detail"),
    path(
        "tenants/<int:pk>/activate/",
        api_platform.TenantActivateOverride.as_view(),
        name="api-tenant-activate",
    ),
    path("tenants/<int:pk>/invite/", api_platform.TenantInviteAdmin.as_view(), name="api-tenant-invite"),
    path("tenants/<int:pk>/feed/test/", api_platform.TenantFeedTest.as_view(), name="api-tenant-feed-test"),
    path("tenants/<int:pk>/steps/", api_platform.OnboardingStepList.as_view(), name="api-tenant-steps"),
    path(
        "tenants/<int:pk>/steps/<int:step_pk>/",
        api_platform.OnboardingStepDetail.as_view(),
        name="api-tenant-step-detail",
    ),
]
