"""API routes of the cdr_import app, mounted under /api/v1/ by ism/urls_tenant.py."""

from django.urls import path

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
]
