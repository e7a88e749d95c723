"""The tenant's settings pages, mounted at /settings/ on a tenant's domain."""

from django.urls import path

from tenants.settings import views

app_name = "tenant_settings"
urlpatterns = [
    path("", views.settings_home, name="home"),
    path("bank/", views.bank, name="bank"),
    path("branding/", views.branding, name="branding"),
    path("branding/<str:kind>.png", views.branding_image, name="branding_image"),
    path("domains/", views.domains, name="domains"),
    path("domains/<int:pk>/remove/", views.domain_remove, name="domain_remove"),
    path("emails/", views.emails, name="emails"),
    path("emails/<str:kind>/", views.email_edit, name="email_edit"),
    path("invoicing/", views.invoicing, name="invoicing"),
    path("invoicing/number-preview/", views.invoice_number_preview, name="number_preview"),
    path("team/", views.team, name="team"),
    path("team/<int:pk>/", views.team_member, name="team_member"),
    path("team/api-access/", views.api_access, name="api_access"),
]
