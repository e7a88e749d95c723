"""API routes of the provisioning app, mounted under /api/v1/ by ism/urls_tenant.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from provisioning import api
from provisioning.orders import api as order_api

router = SimpleRouter()
router.register("sims", api.SimViewSet, basename="api-sim")
router.register("lines", api.LineViewSet, basename="api-line")
router.register("fixed-numbers", api.FixedNumberViewSet, basename="api-fixed-number")

urlpatterns = [
    path("rio-check/", api.RioCheckViewSet.as_view({"post": "create"}), name="api-rio-check"),
    path(
        "line-actions/bulk/",
        api.LineActionBulkViewSet.as_view({"post": "create"}),
        name="api-line-actions-bulk",
    ),
    path(
        "operator-disagreements/",
        api.OperatorDisagreementViewSet.as_view({"get": "list"}),
        name="api-disagreement-list",
    ),
    path(
        "operator-disagreements/<int:pk>/",
        api.OperatorDisagreementViewSet.as_view({"get": "retrieve"}),
        name="api-disagreement-detail",
    ),
    *router.urls,
    path("orders/", order_api.OrderViewSet.as_view({"get": "list", "post": "create"}), name="api-order-list"),
    path("orders/<int:pk>/", order_api.OrderViewSet.as_view({"get": "retrieve"}), name="api-order-detail"),
    path(
        "orders/<int:pk>/validate/",
        order_api.OrderViewSet.as_view({"post": "validate"}),
        name="api-order-validate",
    ),
    path(
        "orders/<int:pk>/cancel/", order_api.OrderViewSet.as_view({"post": "cancel"}), name="api-order-cancel"
    ),
    path(
        "service-orders/",
        order_api.ServiceOrderViewSet.as_view({"get": "list", "post": "create"}),
        name="api-service-order-list",
    ),
]
