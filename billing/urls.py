"""Staff pages of the billing app, mounted by ism/urls_tenant.py."""

from django.urls import path

from billing import issuing_views, views, views_bounces, views_collection

app_name = "billing"
urlpatterns: list = [
    path("invoice-preview/", views.invoice_preview, name="invoice_preview"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/redo/", views.run_redo, name="run_redo"),
    path("runs/<int:pk>/finalize/", views.run_finalize, name="run_finalize"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("runs/<int:pk>/send/", views_collection.run_send, name="run_send"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", issuing_views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/credit-note/", issuing_views.credit_note_create, name="credit_note_create"),
    path("credit-notes/", issuing_views.credit_note_list, name="credit_note_list"),
    path("credit-notes/<int:pk>/pdf/", issuing_views.credit_note_pdf, name="credit_note_pdf"),
    path("runs/<int:pk>/zip/", issuing_views.run_zip, name="run_zip"),
    path("numbering/", issuing_views.numbering_settings, name="numbering_settings"),
    path("invoices/<int:pk>/send/", views_collection.invoice_send, name="invoice_send"),
    path("mailings/<int:pk>/", views_collection.mailing_detail, name="mailing_detail"),
    path("mailings/<int:pk>/bounces/", views_bounces.bounce_upload, name="bounce_upload"),
    path("emails/<int:pk>/", views_collection.email_action, name="email_action"),
    path("payments/", views_collection.payment_list, name="payment_list"),
    path("payments/<int:pk>/reject/", views_collection.payment_reject_view, name="payment_reject"),
    path("overdue/", views_collection.overdue_list, name="overdue_list"),
    path("sepa/", views_collection.sepa_list, name="sepa_list"),
    path("sepa/returns/", views_collection.sepa_return_file, name="sepa_return_file"),
    path("sepa/<int:pk>/", views_collection.sepa_detail, name="sepa_detail"),
    path("sepa/<int:pk>/file/", views_collection.sepa_download, name="sepa_download"),
    path("sepa/<int:pk>/settle/", views_collection.sepa_settle, name="sepa_settle"),
    path("sepa/debits/<int:pk>/reject/", views_collection.sepa_reject, name="sepa_reject"),
    path("exports/", views_collection.export_page, name="exports"),
    path("settings/", views_collection.collection_settings, name="settings"),
]
