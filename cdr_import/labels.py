"""Labels of the codes the cdr_import app stores (audit actions); see `core.labels`."""

from django.utils.translation import pgettext_lazy

from core.labels import register_labels


def register() -> None:
    register_labels(
        actions={
            "feed_import.processed": pgettext_lazy("audit", "Feed file imported"),
            "feed_import.unknown_lines_rated": pgettext_lazy("audit", "CDRs of new lines rated"),
            "cdr.period_settled": pgettext_lazy("audit", "Usage of a month settled"),
        }
    )
