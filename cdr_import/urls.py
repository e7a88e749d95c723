"""Staff pages of the cdr_import app, mounted at /imports/ by ism/urls_tenant.py."""

from django.urls import path

from cdr_import import views
from cdr_import import views_invoices as v
from cdr_import import views_profiles as vp

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
    path("operator-invoices/", v.invoice_list, name="operator_invoice_list"),
    path("operator-invoices/<int:invoice_id>/", v.invoice_detail, name="operator_invoice_detail"),
    path("operator-invoices/<int:invoice_id>/output/", v.invoice_output, name="operator_invoice_output"),
    path("operator-invoices/references/", v.reference_list, name="operator_reference_list"),
    path(
        "operator-invoices/references/<int:reference_id>/assign/",
        v.reference_assign,
        name="operator_reference_assign",
    ),
    path("operator-invoices/profiles/", v.profile_list, name="operator_profile_list"),
    path("operator-invoices/profiles/new/", v.profile_edit, name="operator_profile_create"),
    path("operator-invoices/profiles/<int:profile_id>/", v.profile_edit, name="operator_profile_edit"),
    path("operator-pdfs/", v.pdf_list, name="operator_pdf_list"),
    path("operator-pdfs/<int:pdf_id>/download/", v.pdf_download, name="operator_pdf_download"),
    path("profiles/", vp.profile_list, name="reading_profile_list"),
    path("profiles/new/", vp.profile_edit, name="reading_profile_create"),
    path("profiles/<int:profile_id>/", vp.profile_edit, name="reading_profile_edit"),
    path("profiles/<int:profile_id>/try/", vp.profile_try, name="reading_profile_try"),
    path("usage-settings/", vp.usage_settings, name="usage_settings"),
    path("customers/<int:customer_id>/roaming-cap/", v.customer_roaming_cap, name="customer_roaming_cap"),
]
