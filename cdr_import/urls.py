"""Staff pages of the cdr_import app, mounted by ism/urls_tenant.py (under /imports/)."""

from django.urls import path

from cdr_import import views_invoices as v

app_name = "cdr_import"
urlpatterns: list = [
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
    path("customers/<int:customer_id>/roaming-cap/", v.customer_roaming_cap, name="customer_roaming_cap"),
]
