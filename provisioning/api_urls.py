"""API routes of the provisioning app, mounted under /api/v1/ by ism/urls_tenant.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from provisioning import api_lines

router = SimpleRouter()
router.register("lines", api_lines.LineViewSet, basename="api-line")
router.register("fixed-numbers", api_lines.FixedNumberViewSet, basename="api-fixed-number")

urlpatterns: list = [
    path(
        "line-actions/bulk/",
        api_lines.LineActionBulkViewSet.as_view({"post": "create"}),
        name="api-line-actions-bulk",
    ),
    *router.urls,
]
