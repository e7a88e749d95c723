"""Staff pages of the billing app, mounted by ism/urls_tenant.py."""

from django.urls import path

from billing import issuing_views, views

app_name = "billing"
urlpatterns: list = [
    path("invoice-preview/", views.invoice_preview, name="invoice_preview"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/redo/", views.run_redo, name="run_redo"),
    path("runs/<int:pk>/finalize/", views.run_finalize, name="run_finalize"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", issuing_views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/credit-note/", issuing_views.credit_note_create, name="credit_note_create"),
    path("credit-notes/", issuing_views.credit_note_list, name="credit_note_list"),
    path("credit-notes/<int:pk>/pdf/", issuing_views.credit_note_pdf, name="credit_note_pdf"),
    path("runs/<int:pk>/zip/", issuing_views.run_zip, name="run_zip"),
    path("numbering/", issuing_views.numbering_settings, name="numbering_settings"),
]
