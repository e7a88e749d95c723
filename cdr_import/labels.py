"""Labels of the codes the cdr_import app stores (audit actions); see `core.labels`."""

from django.utils.translation import pgettext_lazy

from core.labels import register_labels


def register() -> None:
    register_labels(
        actions={
            "feed_import.processed": pgettext_lazy("audit", "Feed file imported"),
            "feed_import.unknown_lines_rated": pgettext_lazy("audit", "CDRs of new lines rated"),
            "feed_import.deposited": pgettext_lazy("audit", "Feed file deposited"),
            "feed_import.reprocessed": pgettext_lazy("audit", "Feed file reprocessed"),
            "feed_import.report_written": pgettext_lazy("audit", "Import report written to Retours/"),
            "feed_import.report_failed": pgettext_lazy("audit", "Import report not written to Retours/"),
            "feed_folder.polled": pgettext_lazy("audit", "Feed folder polled"),
            "feed_folder.rhythm_updated": pgettext_lazy("audit", "Feed folder rhythm changed"),
            "feed_import_settings.updated": pgettext_lazy("audit", "Feed import settings changed"),
            "operator_invoice_profile.created": pgettext_lazy("audit", "Operator invoice profile created"),
            "operator_invoice_profile.updated": pgettext_lazy("audit", "Operator invoice profile changed"),
            "operator_invoice.ofc_sent": pgettext_lazy("audit", "Operator invoice output put on Retours"),
            "operator_invoice.ofc_failed": pgettext_lazy(
                "audit", "Operator invoice output not put on Retours"
            ),
            "operator_reference.assigned": pgettext_lazy(
                "audit", "Operator reference attached to a customer"
            ),
            "reading_profile.created": pgettext_lazy("audit", "Reading profile created"),
            "reading_profile.updated": pgettext_lazy("audit", "Reading profile changed"),
            "usage_settings.updated": pgettext_lazy("audit", "Usage alert settings changed"),
            "roaming_cap.lifted": pgettext_lazy("audit", "Roaming data cap lifted"),
            "roaming_cap.restored": pgettext_lazy("audit", "Roaming data cap restored"),
            "cdr.period_settled": pgettext_lazy("audit", "Usage of a month settled"),
        }
    )
