"""API routes of the provisioning app, mounted under /api/v1/ by ism/urls_tenant.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from provisioning import api, api_operator

router = SimpleRouter()
router.register("sims", api.SimViewSet, basename="api-sim")

urlpatterns = [
    path("rio-check/", api.RioCheckView.as_view(), name="api-rio-check"),
    path(
        "operator-disagreements/",
        api_operator.OperatorDisagreementViewSet.as_view({"get": "list"}),
        name="api-disagreement-list",
    ),
    path(
        "operator-disagreements/<int:pk>/",
        api_operator.OperatorDisagreementViewSet.as_view({"get": "retrieve"}),
        name="api-disagreement-detail",
    ),
    *router.urls,
]
