"""API routes of the billing app, mounted under /api/v1/ by ism/urls_tenant.py."""

from django.urls import path

from billing import api

urlpatterns = [
    path(
        "billing-runs/",
        api.BillingRunViewSet.as_view({"get": "list", "post": "create"}),
        name="api-billing-run-list",
    ),
    path(
        "billing-runs/<int:pk>/",
        api.BillingRunViewSet.as_view({"get": "retrieve"}),
        name="api-billing-run-detail",
    ),
    path(
        "billing-runs/<int:pk>/redo/",
        api.BillingRunViewSet.as_view({"post": "redo"}),
        name="api-billing-run-redo",
    ),
    path(
        "billing-runs/<int:pk>/finalize/",
        api.BillingRunViewSet.as_view({"post": "finalize"}),
        name="api-billing-run-finalize",
    ),
    path("invoices/", api.InvoiceViewSet.as_view({"get": "list"}), name="api-invoice-list"),
    path("invoices/<int:pk>/", api.InvoiceViewSet.as_view({"get": "retrieve"}), name="api-invoice-detail"),
]
