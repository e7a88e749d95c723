"""The portal's operator invoices page, mounted under /portal/operator-invoices/ by ism/urls_tenant.py
(the customers app, which holds the rest of the portal, cannot import this one)."""

from django.urls import path

from cdr_import import views_invoices as v

app_name = "portal_costs"
urlpatterns = [
    path("", v.portal_invoice_list, name="operator_invoice_list"),
    path("<int:invoice_id>/output/", v.portal_invoice_output, name="operator_invoice_output"),
]
