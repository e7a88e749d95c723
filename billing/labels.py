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
        }
    )
