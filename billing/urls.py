"""Staff pages of the billing app, mounted by ism/urls_tenant.py."""

from django.urls import path

from billing import views

app_name = "billing"
urlpatterns: list = [
    path("invoice-preview/", views.invoice_preview, name="invoice_preview"),
]
