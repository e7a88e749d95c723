"""The ISM project package: settings, URL confs, the Celery app and shared helpers."""

from ism.celery import app as celery_app

__all__ = ["celery_app"]
