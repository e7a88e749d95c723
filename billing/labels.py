"""Labels of the codes the billing app stores (audit actions); see `core.labels`."""

from django.utils.translation import pgettext_lazy

from core.labels import register_labels


def register() -> None:
    register_labels(
        actions={
            "billing_run.started": pgettext_lazy("audit", "Billing run started"),
            "billing_run.drafts_built": pgettext_lazy("audit", "Billing run drafts built"),
            "billing_run.redone": pgettext_lazy("audit", "Billing run redone"),
            "billing_run.cancelled": pgettext_lazy("audit", "Billing run cancelled"),
            "billing_run.finalized": pgettext_lazy("audit", "Billing run finalized"),
            "billing_settings.updated": pgettext_lazy("audit", "Billing settings changed"),
            "billing_settings.numbering_changed": pgettext_lazy("audit", "Invoice numbering changed"),
            "billing_run.finalize_requested": pgettext_lazy("audit", "Billing run finalization requested"),
            "billing_run.pdfs_resumed": pgettext_lazy("audit", "Invoice PDFs of a run resumed"),
            "credit_note.issued": pgettext_lazy("audit", "Credit note issued"),
        }
    )
