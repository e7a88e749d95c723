"""Staff pages of the billing app, mounted by ism/urls_tenant.py."""

from django.urls import path  # noqa: F401

app_name = "billing"
urlpatterns: list = []
