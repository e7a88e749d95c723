"""Staff pages of the customers app, mounted by ism/urls_tenant.py."""

from django.urls import path  # noqa: F401

app_name = "customers"
urlpatterns: list = []
