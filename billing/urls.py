"""Staff pages of the billing app, mounted by ism/urls_tenant.py."""

from django.urls import path

from billing import views

app_name = "billing"
urlpatterns: list = [
    path("invoice-preview/", views.invoice_preview, name="invoice_preview"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/redo/", views.run_redo, name="run_redo"),
    path("runs/<int:pk>/finalize/", views.run_finalize, name="run_finalize"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
]
