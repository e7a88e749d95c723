"""The onboarding checklist: the steps the operator follows today to bring a new tenant live.

Each step says who acts and how long it usually takes, so due dates (and late steps) follow
from the tenant's creation date. VNOs add the SIM-related steps. Besides the steps ticked by
hand, automatic steps are computed from the tenant's data (they cannot be ticked), and go-live
waits for them too.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tenants.choices import StepActor, TenantKind

GO_LIVE = "go_live"


@dataclass(frozen=True)
class StepDefinition:
    code: str
    title: object  # a lazy translation
    actor: str
    days: int  # usual duration, counted from the end of the previous step
    vno_only: bool = False


STEPS = [
    StepDefinition("contracts_sent", _("Contracts and order form sent"), StepActor.OPERATOR, 2),
    StepDefinition("admin_documents_received", _("Administrative documents received"), StepActor.TENANT, 7),
    StepDefinition("documents_returned_paid", _("Documents returned and 50 % paid"), StepActor.TENANT, 7),
    StepDefinition("technical_file_sent", _("Technical file sent"), StepActor.OPERATOR, 2),
    StepDefinition("technical_file_received", _("Technical file received"), StepActor.TENANT, 7),
    StepDefinition(
        "sim_profile_received", _("SIM profile (profil électrique) file received"), StepActor.TENANT, 7, True
    ),
    StepDefinition("rate_tables_received", _("Rate tables received"), StepActor.TENANT, 7, True),
    StepDefinition("tenant_file_created", _("Tenant file created"), StepActor.OPERATOR, 2),
    StepDefinition("platform_elements_sent", _("Platform elements sent"), StepActor.OPERATOR, 2),
    StepDefinition(
        "platform_configured", _("Platform configured and tested (2 weeks)"), StepActor.OPERATOR, 14
    ),
    StepDefinition(
        "test_sims_validated", _("Test SIM cards sent, tested and validated"), StepActor.TENANT, 7, True
    ),
    StepDefinition(
        "sim_order_placed", _("SIM order with graphic customisation and logos"), StepActor.TENANT, 5, True
    ),
    StepDefinition("sim_production", _("SIM production (4 weeks)"), StepActor.OPERATOR, 28, True),
    StepDefinition(
        "generic_sims_sent", _("Generic SIM cards, logins and training date sent"), StepActor.OPERATOR, 3
    ),
    StepDefinition("training_done", _("Training done"), StepActor.OPERATOR, 7),
    StepDefinition("platform_delivered", _("Platform delivered"), StepActor.OPERATOR, 2),
    StepDefinition("balance_paid", _("Balance paid"), StepActor.TENANT, 14),
    StepDefinition(GO_LIVE, _("Go-live"), StepActor.OPERATOR, 2),
]
_BY_CODE = {step.code: step for step in STEPS}


def steps_for_kind(kind: str) -> list[StepDefinition]:
    """The steps of a tenant of this kind, in order."""
    return [step for step in STEPS if kind == TenantKind.VNO or not step.vno_only]


def step_title(code: str) -> str:
    step = _BY_CODE.get(code)
    return str(step.title) if step else code


# --- Automatic steps: what the platform can check itself in the tenant's data ------------------
IDENTITY_REQUIRED = {
    "legal_name": _("legal name"),
    "address_line1": _("address"),
    "postal_code": _("postal code"),
    "city": _("city"),
    "siret": _("SIRET"),
    "vat_number": _("intra-EU VAT number"),
}


AUTOMATIC_TITLES = {
    "auto_identity": _("Identity complete"),
    "auto_branding": _("Logo and footer banner present"),
    "auto_feed": _("Feed access set and its last test green"),
    "auto_contacts": _("Technical and billing contacts present"),
}


@dataclass(frozen=True)
class AutomaticStep:
    """A step ticked by the tenant's data, not by hand; `missing` says what keeps it red."""

    code: str
    title: object  # a lazy translation
    missing: list[str]

    @property
    def ok(self) -> bool:
        return not self.missing
