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
            "payment.recorded": pgettext_lazy("audit", "Payment recorded"),
            "payment.rejected": pgettext_lazy("audit", "Payment rejected"),
            "invoice.overdue_marked": pgettext_lazy("audit", "Invoices marked overdue"),
            "invoice_mailing.created": pgettext_lazy("audit", "Invoices sent by e-mail"),
            "invoice_email.bounced": pgettext_lazy("audit", "Invoice e-mail bounced"),
            "invoice_email.requeued": pgettext_lazy("audit", "Invoice e-mail sent again"),
            "invoice_reminders.queued": pgettext_lazy("audit", "Payment reminders queued"),
            "mandate.expired": pgettext_lazy("audit", "SEPA mandates expired"),
            "sepa_batch.generated": pgettext_lazy("audit", "SEPA file generated"),
            "sepa_batch.settled": pgettext_lazy("audit", "SEPA file settled"),
            "sepa_debit.rejected": pgettext_lazy("audit", "SEPA debit rejected"),
            "paypal.credited": pgettext_lazy("audit", "PayPal payment credited"),
            "paypal.invalid": pgettext_lazy("audit", "PayPal notification refused by the check"),
            "paypal.replayed": pgettext_lazy("audit", "PayPal notification already credited"),
            "paypal.ignored": pgettext_lazy("audit", "PayPal notification ignored"),
            "paypal.received": pgettext_lazy("audit", "PayPal notification received"),
        }
    )
