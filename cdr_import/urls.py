"""Staff pages of the cdr_import app, mounted by ism/urls_tenant.py."""

from django.urls import path  # noqa: F401

app_name = "cdr_import"
urlpatterns: list = []
