from django.apps import AppConfig


class IsmConfig(AppConfig):
    """The project itself: settings, URL confs, Celery app, shell pages and the demo; no app imports it."""

    name = "ism"
    verbose_name = "ISM"
