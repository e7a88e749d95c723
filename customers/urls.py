"""Staff pages of the customers app, mounted under /customers/ by ism/urls_tenant.py."""

from django.urls import path

from customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("name-normalised/", views.name_normalised, name="name_normalised"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/delete/", views.customer_archive, name="archive"),
    path("<int:pk>/send-logins/", views.send_logins, name="send_logins"),
    path("<int:pk>/mandates/new/", views.mandate_new, name="mandate_new"),
    path("<int:pk>/mandates/<int:mandate_id>/pdf/", views.mandate_download, name="mandate_pdf"),
    path(
        "<int:pk>/mandates/<int:mandate_id>/reveal-iban/",
        views.mandate_iban_reveal,
        name="mandate_iban_reveal",
    ),
    path("<int:pk>/mandates/<int:mandate_id>/revoke/", views.mandate_revoke, name="mandate_revoke"),
    path("<int:pk>/mandates/<int:mandate_id>/signed/", views.mandate_signed, name="mandate_signed"),
    path("<int:pk>/payments/new/", views.payment_new, name="payment_new"),
    path("<int:pk>/charges/new/", views.charge_new, name="charge_new"),
    path("<int:pk>/entries/<int:entry_id>/reverse/", views.entry_reverse, name="entry_reverse"),
]
