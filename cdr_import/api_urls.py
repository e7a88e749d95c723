"""API routes of the cdr_import app, mounted under /api/v1/ by ism/urls_tenant.py."""

from django.urls import path

from cdr_import import api_invoices, api_profiles
from cdr_import.api import FeedFolderViewSet, ImportViewSet

urlpatterns = [
    path("imports/", ImportViewSet.as_view({"get": "list", "post": "create"}), name="api-import-list"),
    path("imports/<int:pk>/", ImportViewSet.as_view({"get": "retrieve"}), name="api-import-detail"),
    path(
        "imports/<int:pk>/rejected-rows/",
        ImportViewSet.as_view({"get": "rejected_rows"}),
        name="api-import-rejected-rows",
    ),
    path(
        "imports/<int:pk>/rejected-rows.csv",
        ImportViewSet.as_view({"get": "rejected_rows_csv"}),
        name="api-import-rejected-rows-csv",
    ),
    path(
        "imports/<int:pk>/reprocess/",
        ImportViewSet.as_view({"post": "reprocess"}),
        name="api-import-reprocess",
    ),
    path("imports/<int:pk>/file/", ImportViewSet.as_view({"get": "file"}), name="api-import-file"),
    path("feed-folders/", FeedFolderViewSet.as_view({"get": "list"}), name="api-feed-folder-list"),
    path(
        "feed-folders/<str:key>/fetch/",
        FeedFolderViewSet.as_view({"post": "fetch"}),
        name="api-feed-folder-fetch",
    ),
    path(
        "reading-profiles/",
        api_profiles.ReadingProfileViewSet.as_view({"get": "list", "post": "create"}),
        name="api-reading-profile-list",
    ),
    path(
        "reading-profiles/<int:pk>/",
        api_profiles.ReadingProfileViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-reading-profile-detail",
    ),
    path(
        "reading-profiles/<int:pk>/try/",
        api_profiles.ReadingProfileViewSet.as_view({"post": "try_file"}),
        name="api-reading-profile-try",
    ),
    path(
        "usage-settings/",
        api_profiles.UsageSettingsViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-usage-settings",
    ),
    path(
        "operator-invoices/",
        api_invoices.OperatorInvoiceViewSet.as_view({"get": "list"}),
        name="api-operator-invoice-list",
    ),
    path(
        "operator-invoices/<int:pk>/",
        api_invoices.OperatorInvoiceViewSet.as_view({"get": "retrieve"}),
        name="api-operator-invoice-detail",
    ),
    path(
        "operator-invoices/<int:pk>/output/",
        api_invoices.OperatorInvoiceViewSet.as_view({"get": "output"}),
        name="api-operator-invoice-output",
    ),
    path(
        "operator-invoice-profiles/",
        api_invoices.OperatorInvoiceProfileViewSet.as_view({"get": "list", "post": "create"}),
        name="api-operator-invoice-profile-list",
    ),
    path(
        "operator-invoice-profiles/<int:pk>/",
        api_invoices.OperatorInvoiceProfileViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-operator-invoice-profile-detail",
    ),
    path(
        "operator-references/",
        api_invoices.OperatorReferenceViewSet.as_view({"get": "list"}),
        name="api-operator-reference-list",
    ),
    path(
        "operator-references/<int:pk>/assign/",
        api_invoices.OperatorReferenceViewSet.as_view({"post": "assign"}),
        name="api-operator-reference-assign",
    ),
    path(
        "operator-pdfs/",
        api_invoices.OperatorPdfViewSet.as_view({"get": "list"}),
        name="api-operator-pdf-list",
    ),
    path(
        "operator-pdfs/<int:pk>/",
        api_invoices.OperatorPdfViewSet.as_view({"get": "retrieve"}),
        name="api-operator-pdf-detail",
    ),
    path(
        "operator-pdfs/<int:pk>/download/",
        api_invoices.OperatorPdfViewSet.as_view({"get": "download"}),
        name="api-operator-pdf-download",
    ),
]
