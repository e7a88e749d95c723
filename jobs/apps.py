from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Long work in every schema: jobs with their progress, and the workers' heartbeat."""

    name = "jobs"
    verbose_name = _("Background jobs")
