"""API routes of the cdr_import app, mounted under /api/v1/ by ism/urls_tenant.py."""

from django.urls import path

from cdr_import import api_invoices as api

urlpatterns: list = [
    path(
        "operator-invoices/",
        api.OperatorInvoiceViewSet.as_view({"get": "list"}),
        name="api-operator-invoice-list",
    ),
    path(
        "operator-invoices/<int:pk>/",
        api.OperatorInvoiceViewSet.as_view({"get": "retrieve"}),
        name="api-operator-invoice-detail",
    ),
    path(
        "operator-invoices/<int:pk>/output/",
        api.OperatorInvoiceViewSet.as_view({"get": "output"}),
        name="api-operator-invoice-output",
    ),
    path(
        "operator-invoice-profiles/",
        api.OperatorInvoiceProfileViewSet.as_view({"get": "list", "post": "create"}),
        name="api-operator-invoice-profile-list",
    ),
    path(
        "operator-invoice-profiles/<int:pk>/",
        api.OperatorInvoiceProfileViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-operator-invoice-profile-detail",
    ),
    path(
        "operator-references/",
        api.OperatorReferenceViewSet.as_view({"get": "list"}),
        name="api-operator-reference-list",
    ),
    path(
        "operator-references/<int:pk>/assign/",
        api.OperatorReferenceViewSet.as_view({"post": "assign"}),
        name="api-operator-reference-assign",
    ),
    path("operator-pdfs/", api.OperatorPdfViewSet.as_view({"get": "list"}), name="api-operator-pdf-list"),
    path(
        "operator-pdfs/<int:pk>/",
        api.OperatorPdfViewSet.as_view({"get": "retrieve"}),
        name="api-operator-pdf-detail",
    ),
    path(
        "operator-pdfs/<int:pk>/download/",
        api.OperatorPdfViewSet.as_view({"get": "download"}),
        name="api-operator-pdf-download",
    ),
]
