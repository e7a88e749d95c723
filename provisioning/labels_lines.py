"""Labels of the audit codes of line actions and fixed numbers; see `core.labels`."""

from django.utils.translation import pgettext_lazy

from core.labels import register_labels
from provisioning.models import LineActionKind
from provisioning.services.lines import AUDIT_ACTIONS


def register() -> None:
    register_labels(
        actions={
            **{AUDIT_ACTIONS[kind.value]: kind.label for kind in LineActionKind},
            "line.bulk_requested": pgettext_lazy("audit", "Action requested on several lines"),
            "line.bulk_queued": pgettext_lazy("audit", "Action on several lines queued"),
            "line_action.confirmed": pgettext_lazy("audit", "Line action confirmed by the operator"),
            "line_action.failed": pgettext_lazy("audit", "Line action refused by the operator"),
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
    )
