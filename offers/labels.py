"""Labels of the codes the offers app stores (audit actions, detail keys, event types); see `core.labels`."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.labels import register_labels


def register() -> None:
    register_labels(
        actions={
            "offer.created": pgettext_lazy("audit", "Offer created"),
            "offer.updated": pgettext_lazy("audit", "Offer updated"),
            "offer.archived": pgettext_lazy("audit", "Offer archived"),
            "offer.restored": pgettext_lazy("audit", "Offer restored"),
            "option.created": pgettext_lazy("audit", "Option created"),
            "option.updated": pgettext_lazy("audit", "Option updated"),
            "option.archived": pgettext_lazy("audit", "Option archived"),
            "option.restored": pgettext_lazy("audit", "Option restored"),
            "product.created": pgettext_lazy("audit", "Service or hardware created"),
            "product.updated": pgettext_lazy("audit", "Service or hardware updated"),
            "product.archived": pgettext_lazy("audit", "Service or hardware archived"),
            "product.restored": pgettext_lazy("audit", "Service or hardware restored"),
            "terminal.created": pgettext_lazy("audit", "Terminal created"),
            "terminal.updated": pgettext_lazy("audit", "Terminal updated"),
            "terminal.archived": pgettext_lazy("audit", "Terminal archived"),
            "terminal.restored": pgettext_lazy("audit", "Terminal restored"),
            "offer.deleted": pgettext_lazy("audit", "Offer deleted"),
            "option.deleted": pgettext_lazy("audit", "Option deleted"),
            "product.deleted": pgettext_lazy("audit", "Service or hardware deleted"),
            "terminal.deleted": pgettext_lazy("audit", "Terminal deleted"),
            "offer.allowances_changed": pgettext_lazy("audit", "Offer allowances changed"),
            "option.allowances_changed": pgettext_lazy("audit", "Option allowances changed"),
            "rate.created": pgettext_lazy("audit", "Rate row created"),
            "rate_table.archived": pgettext_lazy("audit", "Rate table archived"),
            "rate_table.copied": pgettext_lazy("audit", "Rate table copied"),
            "rate_table.created": pgettext_lazy("audit", "Rate table created"),
            "rate_table.updated": pgettext_lazy("audit", "Rate table updated"),
            "rate_table.uploaded": pgettext_lazy("audit", "Rate table uploaded"),
            "rate_table.upload_queued": pgettext_lazy("audit", "Rate file queued for the worker"),
            "rate_table.wholesale_fetch_refused": pgettext_lazy(
                "audit", "Operator's wholesale table refused"
            ),
        },
        change_keys={
            "allowances": pgettext_lazy("audit", "allowances"),
            "rows": pgettext_lazy("audit", "rows"),
            "table": pgettext_lazy("audit", "rate table"),
            "code": pgettext_lazy("audit", "code"),
            "on": pgettext_lazy("audit", "on"),
            "added": pgettext_lazy("audit", "added"),
            "missing": pgettext_lazy("audit", "missing"),
        },
        event_types={
            "VOICE_MO": _("Outgoing calls"),
            "VOICE_FWD": _("Forwarded calls"),
            "VOICE_OUT": _("Outgoing calls (other)"),
            "VOICE_MT": _("Received calls"),
            "VOICE_IN": _("Incoming calls"),
            "SMS_MO": _("Sent SMS"),
            "SMS_MT": _("Received SMS"),
            "MMS_MO": _("Sent MMS"),
            "DATA": _("Data"),
            "VOICE": _("Outgoing calls"),
            "SMS": _("SMS"),
            "MMS": _("MMS"),
        },
    )
