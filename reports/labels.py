"""Labels of the codes the reports app stores (audit actions); see `core.labels`."""

from django.utils.translation import pgettext_lazy

from core.labels import register_labels


def register() -> None:
    register_labels(
        actions={
            "daily_usage.rebuilt": pgettext_lazy("audit", "Daily usage figures rebuilt"),
            "report_settings.updated": pgettext_lazy("audit", "Report settings changed"),
            "whatif.created": pgettext_lazy("audit", "What-if pricing simulation started"),
        }
    )
