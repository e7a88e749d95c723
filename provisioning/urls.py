"""Staff pages of the provisioning app, mounted by ism/urls_tenant.py."""

from django.urls import path  # noqa: F401

app_name = "provisioning"
urlpatterns: list = []
