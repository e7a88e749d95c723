"""The portal's invoices, mounted under /portal/invoices/ by ism/urls_tenant.py."""

from django.urls import path

from billing import portal_views

app_name = "portal_billing"
urlpatterns = [
    path("", portal_views.invoice_list, name="invoice_list"),
    path("<int:pk>/", portal_views.invoice_detail, name="invoice_detail"),
    path("<int:pk>/pdf/", portal_views.invoice_pdf, name="invoice_pdf"),
]
