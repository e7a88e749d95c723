from django.apps import AppConfig


class IsmConfig(AppConfig):
    name = "ism"
    verbose_name = "ISM"
