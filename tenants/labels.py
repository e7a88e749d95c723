"""Labels of the codes the tenants app stores (audit actions, detail keys); see `core.labels`."""

from django.utils.translation import pgettext_lazy

from core.labels import register_labels
from tenants.platform.checklist import AUTOMATIC_TITLES, STEPS


def register() -> None:
    register_labels(
        actions={
            "tenant.admin_invitation_failed": pgettext_lazy("audit", "Administrator invitation failed"),
            "tenant.admin_invited": pgettext_lazy("audit", "Administrator invited"),
            "tenant.api_access_changed": pgettext_lazy("audit", "API token lifetime changed"),
            "tenant.bank_details_changed": pgettext_lazy("audit", "Bank details changed"),
            "tenant.branding_changed": pgettext_lazy("audit", "Branding changed"),
            "tenant.created": pgettext_lazy("audit", "Tenant created"),
            "tenant.document_added": pgettext_lazy("audit", "Document added"),
            "tenant.document_deleted": pgettext_lazy("audit", "Document deleted"),
            "tenant.domain_added": pgettext_lazy("audit", "Domain added"),
            "tenant.domain_approved": pgettext_lazy("audit", "Custom domain approved"),
            "tenant.domain_refused": pgettext_lazy("audit", "Custom domain refused"),
            "tenant.domain_removed": pgettext_lazy("audit", "Domain removed"),
            "tenant.email_template_changed": pgettext_lazy("audit", "E-mail template changed"),
            "tenant.email_template_reset": pgettext_lazy("audit", "E-mail template reset"),
            "tenant.email_template_tested": pgettext_lazy("audit", "E-mail template tested"),
            "tenant.feed_access_changed": pgettext_lazy("audit", "Feed access changed"),
            "tenant.feed_access_tested": pgettext_lazy("audit", "Feed access tested"),
            "tenant.identity_changed": pgettext_lazy("audit", "Identity changed"),
            "tenant.invoice_settings_changed": pgettext_lazy("audit", "Invoice settings changed"),
            "tenant.onboarding_overridden": pgettext_lazy(
                "audit", "Activated before the checklist was complete"
            ),
            "tenant.onboarding_step_updated": pgettext_lazy("audit", "Onboarding step updated"),
            "tenant.status_changed": pgettext_lazy("audit", "Status changed"),
        },
        change_keys={
            "step": pgettext_lazy("audit", "step"),
            "pending_steps": pgettext_lazy("audit", "steps not done"),
            "failing_checks": pgettext_lazy("audit", "automatic steps red"),
            "numbering_period": pgettext_lazy("audit", "numbering period"),
            "document": pgettext_lazy("audit", "document"),
            "domain": pgettext_lazy("audit", "domain"),
            "operator_code": pgettext_lazy("audit", "operator code"),
            "api_token_days": pgettext_lazy("audit", "API token lifetime (days)"),
        },
        change_values={
            ("reason", "onboarding complete"): pgettext_lazy("audit", "onboarding complete"),
        },
    )
    # Onboarding steps are stored by code; their titles are already translated.
    register_labels(
        change_values={(key, step.code): step.title for step in STEPS for key in ("step", "pending_steps")}
    )
    register_labels(
        change_values={("failing_checks", code): title for code, title in AUTOMATIC_TITLES.items()}
    )
