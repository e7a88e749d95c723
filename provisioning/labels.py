"""Labels of the codes the provisioning app stores (audit actions, detail keys); see `core.labels`."""

from django.utils.translation import pgettext_lazy

from core.labels import register_labels


def register() -> None:
    register_labels(
        actions={
            "sim.imported": pgettext_lazy("audit", "SIM listing imported"),
            "sim.puk_revealed": pgettext_lazy("audit", "SIM codes revealed"),
            "provisioning_settings.updated": pgettext_lazy("audit", "Provisioning settings updated"),
            "line_action.sent": pgettext_lazy("audit", "Requests sent to the operator"),
            "line_action.confirmed": pgettext_lazy("audit", "Request confirmed by the operator"),
            "line_action.failed": pgettext_lazy("audit", "Request refused by the operator"),
            "line.activated": pgettext_lazy("audit", "Line activated"),
            "order.created": pgettext_lazy("audit", "Line order created"),
            "order.updated": pgettext_lazy("audit", "Line order changed"),
            "order.validated": pgettext_lazy("audit", "Line order validated"),
            "order.confirmation_sent": pgettext_lazy("audit", "Order confirmation e-mailed"),
            "order.cancelled": pgettext_lazy("audit", "Line order cancelled"),
            "order.completed": pgettext_lazy("audit", "Line order completed"),
            "service_order.created": pgettext_lazy("audit", "Service ordered"),
            "line_action.unconfirmed": pgettext_lazy("audit", "Line actions not confirmed in time"),
            "operator_snapshot.imported": pgettext_lazy("audit", "Operator snapshot imported"),
        },
        change_keys={
            "disagreements_new": pgettext_lazy("audit", "new disagreements"),
            "disagreements_resolved": pgettext_lazy("audit", "disagreements resolved"),
            "actions_confirmed": pgettext_lazy("audit", "actions confirmed"),
            "timeout_hours": pgettext_lazy("audit", "confirmation timeout (hours)"),
        },
    )
