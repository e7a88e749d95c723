"""The platform API (public domain), for platform admins' tokens."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
