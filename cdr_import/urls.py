"""Staff pages of the cdr_import app, mounted at /imports/ by ism/urls_tenant.py."""

from django.urls import path

from cdr_import import views

app_name = "cdr_import"
urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("<int:pk>/file/", views.import_file_download, name="import_file"),
    path("<int:pk>/rejected.csv", views.import_rejected_csv, name="import_rejected_csv"),
    path("<int:pk>/reprocess/", views.import_reprocess_view, name="import_reprocess"),
    path("deposit/", views.deposit, name="deposit"),
    path("deposit/upload/", views.deposit_upload, name="deposit_upload"),
    path("deposit/detect/", views.deposit_detect, name="deposit_detect"),
    path("feed/", views.feed_folders, name="feed_folders"),
    path("feed/settings/", views.feed_settings, name="feed_settings"),
    path("feed/<str:key>/fetch/", views.feed_folder_fetch_now, name="feed_folder_fetch"),
]
