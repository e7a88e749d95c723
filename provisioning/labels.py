"""Labels of the codes the provisioning app stores (audit actions, object types, detail keys); see
`core.labels`."""

from django.utils.translation import pgettext_lazy

from core.labels import register_labels
from provisioning.models import LineActionKind
from provisioning.services.lines import AUDIT_ACTIONS


def register() -> None:
    register_labels(
        actions={
            "sim.imported": pgettext_lazy("audit", "SIM listing imported"),
            "sim.puk_revealed": pgettext_lazy("audit", "SIM codes revealed"),
            "provisioning_settings.updated": pgettext_lazy("audit", "Provisioning settings updated"),
            "line_action.sent": pgettext_lazy("audit", "Requests sent to the operator"),
            "line_action.confirmed": pgettext_lazy("audit", "Line action confirmed by the operator"),
            "line_action.failed": pgettext_lazy("audit", "Line action refused by the operator"),
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
            **{AUDIT_ACTIONS[kind.value]: kind.label for kind in LineActionKind},
            "line.bulk_requested": pgettext_lazy("audit", "Action requested on several lines"),
            "line.bulk_queued": pgettext_lazy("audit", "Action on several lines queued"),
            "fixed_number.created": pgettext_lazy("audit", "Fixed number created"),
            "fixed_number.updated": pgettext_lazy("audit", "Fixed number updated"),
            "fixed_number.assigned": pgettext_lazy("audit", "Fixed number assigned"),
            "fixed_number.unassigned": pgettext_lazy("audit", "Fixed number unassigned"),
            "fixed_number.moved": pgettext_lazy("audit", "Fixed number moved"),
        },
        object_types={
            "provisioning.mobileline": pgettext_lazy("audit", "mobile line"),
            "provisioning.fixednumber": pgettext_lazy("audit", "fixed number"),
        },
        change_keys={
            "disagreements_new": pgettext_lazy("audit", "new disagreements"),
            "disagreements_resolved": pgettext_lazy("audit", "disagreements resolved"),
            "actions_confirmed": pgettext_lazy("audit", "actions confirmed"),
            "timeout_hours": pgettext_lazy("audit", "confirmation timeout (hours)"),
        },
    )
