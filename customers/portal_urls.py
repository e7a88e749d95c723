"""The end-customer portal, mounted under /portal/. Object URLs carry ids; each view looks them
up within the logged-in customer, so another customer's id is a 404."""

from django.urls import path

from customers import portal_views

app_name = "portal"
urlpatterns = [
    path("", portal_views.home, name="home"),
    path("login/", portal_views.PortalLoginView.as_view(), name="login"),
    path("password/", portal_views.PortalPasswordChangeView.as_view(), name="password_change"),
    path("contact/", portal_views.contact_edit, name="contact_edit"),
    path("payments/", portal_views.entry_list, name="entry_list"),
    path("payments/<int:entry_id>/", portal_views.entry_detail, name="entry_detail"),
    path("mandates/<int:mandate_id>/pdf/", portal_views.mandate_pdf, name="mandate_pdf"),
]
