from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The toolkit under every app: money, text rules, identifiers, crypto, errors, documents,
    mail, file transfer and delimited files. It imports nothing of ours."""

    name = "core"
    verbose_name = "Core"
