"""API routes of the billing app, mounted under /api/v1/ by ism/urls_tenant.py."""

from django.urls import path

from billing import api, api_bounces, api_collection, api_settings, issuing_api

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
    path(
        "invoices/<int:pk>/pdf/",
        issuing_api.InvoiceDocumentViewSet.as_view({"get": "pdf"}),
        name="api-invoice-pdf",
    ),
    path(
        "invoices/<int:pk>/credit-notes/",
        issuing_api.InvoiceDocumentViewSet.as_view({"post": "credit_note"}),
        name="api-invoice-credit-note",
    ),
    path(
        "credit-notes/", issuing_api.CreditNoteViewSet.as_view({"get": "list"}), name="api-credit-note-list"
    ),
    path(
        "credit-notes/<int:pk>/",
        issuing_api.CreditNoteViewSet.as_view({"get": "retrieve"}),
        name="api-credit-note-detail",
    ),
    path(
        "credit-notes/<int:pk>/pdf/",
        issuing_api.CreditNoteViewSet.as_view({"get": "pdf"}),
        name="api-credit-note-pdf",
    ),
    path(
        "billing-runs/<int:pk>/zip/",
        issuing_api.BillingRunDocumentViewSet.as_view({"get": "zip"}),
        name="api-billing-run-zip",
    ),
    path(
        "billing-runs/<int:pk>/finalize-start/",
        issuing_api.BillingRunDocumentViewSet.as_view({"post": "finalize_start"}),
        name="api-billing-run-finalize-start",
    ),
    path(
        "billing-runs/<int:pk>/pdfs/",
        issuing_api.BillingRunDocumentViewSet.as_view({"post": "pdfs"}),
        name="api-billing-run-pdfs",
    ),
]

urlpatterns += [
    path(
        "payments/",
        api_collection.PaymentViewSet.as_view({"get": "list", "post": "create"}),
        name="api-payment-list",
    ),
    path(
        "payments/<int:pk>/",
        api_collection.PaymentViewSet.as_view({"get": "retrieve"}),
        name="api-payment-detail",
    ),
    path(
        "payments/<int:pk>/reject/",
        api_collection.PaymentViewSet.as_view({"post": "reject"}),
        name="api-payment-reject",
    ),
    path(
        "sepa-batches/",
        api_collection.SepaBatchViewSet.as_view({"get": "list", "post": "create"}),
        name="api-sepa-batch-list",
    ),
    path(
        "sepa-batches/<int:pk>/",
        api_collection.SepaBatchViewSet.as_view({"get": "retrieve"}),
        name="api-sepa-batch-detail",
    ),
    path(
        "sepa-batches/<int:pk>/settle/",
        api_collection.SepaBatchViewSet.as_view({"post": "settle"}),
        name="api-sepa-batch-settle",
    ),
    path("mailings/", api_collection.MailingViewSet.as_view({"post": "create"}), name="api-mailing-list"),
    path(
        "mailings/<int:pk>/",
        api_collection.MailingViewSet.as_view({"get": "retrieve"}),
        name="api-mailing-detail",
    ),
    path(
        "billing-settings/",
        api_settings.BillingSettingsViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-billing-settings",
    ),
    path("email-bounces/", api_bounces.BounceViewSet.as_view({"post": "create"}), name="api-email-bounces"),
]
