"""Labels of the codes the customers app stores (audit actions, detail keys); see `core.labels`."""

from django.utils.translation import pgettext_lazy

from core.labels import register_labels


def register() -> None:
    register_labels(
        actions={
            "customer.archived": pgettext_lazy("audit", "Customer archived"),
            "customer.contact_added": pgettext_lazy("audit", "Contact added"),
            "customer.contact_updated": pgettext_lazy("audit", "Contact updated"),
            "customer.created": pgettext_lazy("audit", "Customer created"),
            "customer.logins_sent": pgettext_lazy("audit", "Log-in details sent"),
            "customer.mandate_created": pgettext_lazy("audit", "SEPA mandate created"),
            "customer.mandate_iban_revealed": pgettext_lazy("audit", "Full IBAN of a mandate shown"),
            "customer.mandate_revoked": pgettext_lazy("audit", "SEPA mandate revoked"),
            "customer.mandate_signed": pgettext_lazy("audit", "SEPA mandate signed"),
            "customer.updated": pgettext_lazy("audit", "Customer updated"),
            "customer.ledger_payment": pgettext_lazy("audit", "Payment recorded"),
            "customer.ledger_charge": pgettext_lazy("audit", "Charge recorded"),
            "customer.ledger_reversal": pgettext_lazy("audit", "Entry reversed"),
            "customer.ledger_invoice": pgettext_lazy("audit", "Invoice entered in the account"),
            "customer.ledger_credit_note": pgettext_lazy("audit", "Credit note entered in the account"),
            "customer.ledger_usage": pgettext_lazy("audit", "Usage entered in the account"),
        },
        change_keys={
            "replaces": pgettext_lazy("audit", "replaces"),
            "replaced": pgettext_lazy("audit", "replaced"),
            "rum": pgettext_lazy("audit", "mandate reference (RUM)"),
            "entry": pgettext_lazy("audit", "entry"),
            "amount_ttc": pgettext_lazy("audit", "amount incl. VAT"),
            "balance": pgettext_lazy("audit", "balance"),
            "description": pgettext_lazy("audit", "description"),
            "number": pgettext_lazy("audit", "number"),
            "kind": pgettext_lazy("audit", "kind"),
            "payment_mode": pgettext_lazy("audit", "payment mode"),
            "iban": pgettext_lazy("audit", "IBAN"),
            "api_access_revoked": pgettext_lazy("audit", "API access revoked"),
        },
    )
