"""The e-mail that tells a tenant's technical contact (the address given at onboarding) what the
operator refused and where it disagrees with the platform: one e-mail per batch of outcomes,
snapshot or timeout check, never one per row. Sent once the transaction commits."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from core.tenancy import current_schema
from provisioning.models import LineAction, OperatorDisagreement
from tenants.models import EmailKind, Tenant
from tenants.settings.mail import email_send

SUMMARY_ROWS = 50


def _action_text(action: LineAction) -> str:
    subject = (
        action.line.msisdn
        if action.line
        else action.fixed_number.number
        if action.fixed_number
        else action.sim.iccid
        if action.sim
        else f"#{action.pk}"
    )
    return _("%(subject)s: %(action)s refused (%(reason)s)") % {
        "subject": subject,
        "action": action.get_kind_display(),
        "reason": action.failure_reason or "-",
    }


def disagreement_text(disagreement: OperatorDisagreement) -> str:
    if disagreement.attribute == "unconfirmed":
        return _("%(subject)s: %(action)s not confirmed by the operator") % {
            "subject": disagreement.identifier,
            "action": disagreement.platform_value,
        }
    return _("%(subject)s (%(what)s): platform %(platform)s, operator %(operator)s") % {
        "subject": disagreement.identifier,
        "what": disagreement.attribute,
        "platform": disagreement.platform_value or "-",
        "operator": disagreement.operator_value or "-",
    }


def operator_alert_send(
    *,
    failed: Sequence[LineAction] = (),
    disagreements: Sequence[OperatorDisagreement] = (),
) -> bool:
    """Queue one e-mail to the tenant's technical contact listing `failed` actions and new
    `disagreements` (after the commit); False when there is nothing to say or nobody to tell."""
    if not failed and not disagreements:
        return False
    tenant = Tenant.objects.filter(schema_name=current_schema()).first()
    if tenant is None or not tenant.technical_email:
        return False
    lines = [_action_text(a) for a in failed] + [disagreement_text(d) for d in disagreements]
    summary = "\n".join(f"- {line}" for line in lines[:SUMMARY_ROWS])
    if len(lines) > SUMMARY_ROWS:
        summary += "\n" + _("… and %(count)s more.") % {"count": len(lines) - SUMMARY_ROWS}
    domain = tenant.get_primary_domain()
    context = {
        "rejected_count": str(len(failed)),
        "disagreement_count": str(len(disagreements)),
        "summary": summary,
        "link": f"https://{domain.domain}/lines/disagreements/" if domain else "",
    }
    to = [tenant.technical_email]
    transaction.on_commit(
        lambda: email_send(kind=EmailKind.OPERATOR_ALERT, to=to, context=context, tenant=tenant)
    )
    return True
