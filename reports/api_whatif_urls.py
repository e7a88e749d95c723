"""API routes of what-if pricing, mounted under /api/v1/ by ism/urls_tenant.py."""

from django.urls import path

from reports import api_whatif

urlpatterns = [
    path(
        "what-if/",
        api_whatif.WhatIfRunViewSet.as_view({"get": "list", "post": "create"}),
        name="api-whatif-list",
    ),
    path(
        "what-if/<int:pk>/",
        api_whatif.WhatIfRunViewSet.as_view({"get": "retrieve"}),
        name="api-whatif-detail",
    ),
]
