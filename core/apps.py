from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The toolkit under every app: money, text, identifiers, errors, documents…; imports nothing of ours."""

    name = "core"
    verbose_name = "Core"
