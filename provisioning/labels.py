"""Labels of the codes the provisioning app stores (audit actions, detail keys); see `core.labels`."""

from django.utils.translation import pgettext_lazy

from core.labels import register_labels


def register() -> None:
    register_labels(
        actions={
            "line_action.confirmed": pgettext_lazy("audit", "Line action confirmed by the operator"),
            "line_action.failed": pgettext_lazy("audit", "Line action refused by the operator"),
            "line_action.sent": pgettext_lazy("audit", "Line actions sent to the operator"),
            "line_action.unconfirmed": pgettext_lazy("audit", "Line actions not confirmed in time"),
            "operator_snapshot.imported": pgettext_lazy("audit", "Operator snapshot imported"),
            "provisioning_settings.updated": pgettext_lazy("audit", "Provisioning settings updated"),
            "sim.imported": pgettext_lazy("audit", "SIM listing imported"),
            "sim.puk_revealed": pgettext_lazy("audit", "SIM codes revealed"),
        },
        change_keys={
            "disagreements_new": pgettext_lazy("audit", "new disagreements"),
            "disagreements_resolved": pgettext_lazy("audit", "disagreements resolved"),
            "actions_confirmed": pgettext_lazy("audit", "actions confirmed"),
            "timeout_hours": pgettext_lazy("audit", "confirmation timeout (hours)"),
        },
    )
