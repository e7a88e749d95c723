"""API routes of the cdr_import app, mounted under /api/v1/ by ism/urls_tenant.py."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
