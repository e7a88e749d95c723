"""API routes of the provisioning app, mounted under /api/v1/ by ism/urls_tenant.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from provisioning import api

router = SimpleRouter()
router.register("sims", api.SimViewSet, basename="api-sim")

urlpatterns = [
    path("rio-check/", api.RioCheckView.as_view(), name="api-rio-check"),
    *router.urls,
]
