"""Staff pages of the offers app, mounted by ism/urls_tenant.py."""

from django.urls import path  # noqa: F401

app_name = "offers"
urlpatterns: list = []
