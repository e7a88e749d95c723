"""Reads about tenants."""

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core.domains import domain_lookalike_warnings
from core.search import text_search_q
from tenants.models import (
    Domain,
    DomainStatus,
    FeedAccess,
    OnboardingStep,
    StepStatus,
    Tenant,
    TenantBranding,
    TenantDocument,
    TenantStatus,
)
from tenants.platform.checklist import AUTOMATIC_TITLES, IDENTITY_REQUIRED, AutomaticStep


def tenant_list() -> QuerySet[Tenant]:
    """Every tenant, the platform's own row excluded."""
    return (
        Tenant.objects.exclude(schema_name="public").select_related("feed_access").prefetch_related("domains")
    )


def tenant_list_active() -> QuerySet[Tenant]:
    return tenant_list().filter(status=TenantStatus.ACTIVE)


def tenant_primary_domain(tenant: Tenant) -> str | None:
    active = tenant.domains.filter(status=DomainStatus.ACTIVE)
    domain = active.filter(is_primary=True).first() or active.first()
    return domain.domain if domain else None


def domain_request_list(
    *, status: str = DomainStatus.PENDING, tenant: Tenant | None = None
) -> QuerySet[Domain]:
    """Custom domains tenants asked for, in the order asked (a main domain is never one)."""
    domains = Domain.objects.filter(is_primary=False).select_related("tenant").order_by("requested_at", "pk")
    if status:
        domains = domains.filter(status=status)
    if tenant is not None:
        domains = domains.filter(tenant=tenant)
    return domains


def tenant_list_for_platform(
    *, search: str = "", kind: str = "", status: str = "", late_only: bool = False, today: date
) -> QuerySet[Tenant]:
    """Tenants as the platform admins list them, with onboarding progress (steps done, total, late
    on `today`)."""
    tenants = (
        tenant_list()
        .order_by("name")
        .annotate(
            steps_total=Count("onboarding_steps", distinct=True),
            steps_done=Count(
                "onboarding_steps", filter=Q(onboarding_steps__status=StepStatus.DONE), distinct=True
            ),
            steps_late=Count(
                "onboarding_steps",
                filter=Q(onboarding_steps__due_date__lt=today) & ~Q(onboarding_steps__status=StepStatus.DONE),
                distinct=True,
            ),
        )
    )
    if search:
        tenants = tenants.filter(
            text_search_q(search, fields=("name", "legal_name"))
            | Q(operator_code__icontains=search)
            | Q(schema_name__icontains=search)
            | Q(domains__domain__icontains=search)
            | Q(siren__startswith=search.replace(" ", ""))
        ).distinct()
    if kind:
        tenants = tenants.filter(kind=kind)
    if status:
        tenants = tenants.filter(status=status)
    if late_only:
        tenants = tenants.filter(steps_late__gt=0)
    return tenants


def tenant_get(*, pk: int) -> Tenant:
    """A tenant as the platform pages and API open it (by id); 404 when there is none, and the
    platform's own row is not one."""
    tenant = tenant_list().filter(pk=pk).first()
    if tenant is None:
        raise Http404
    return tenant


def onboarding_step_list(*, tenant: Tenant) -> QuerySet[OnboardingStep]:
    """A tenant's checklist in order, with each step's documents."""
    return tenant.onboarding_steps.order_by("position").prefetch_related("documents")


def tenant_document_list(*, tenant: Tenant) -> QuerySet[TenantDocument]:
    return TenantDocument.objects.filter(tenant=tenant).select_related("step")


def feed_access_of(*, tenant: Tenant) -> FeedAccess | None:
    return FeedAccess.objects.filter(tenant=tenant).first()


def automatic_steps(*, tenant: Tenant) -> list[AutomaticStep]:
    """The automatic steps of a tenant: identity complete, logo and banner present, feed access
    set and its last connection test green, technical and billing contacts present."""
    branding = TenantBranding.objects.filter(tenant=tenant).first()
    feed = FeedAccess.objects.filter(tenant=tenant).first()
    identity = [str(label) for name, label in IDENTITY_REQUIRED.items() if not getattr(tenant, name)]
    images = []
    if branding is None or not branding.logo:
        images.append(str(_("logo")))
    if branding is None or not branding.banner:
        images.append(str(_("footer banner")))
    if feed is None:
        feed_missing = [str(_("no feed access set"))]
    elif feed.last_test_at is None:
        feed_missing = [str(_("connection never tested"))]
    elif not feed.last_test_ok:
        feed_missing = [str(_("last connection test failed"))]
    else:
        feed_missing = []
    contacts = []
    if not tenant.technical_contact_name:
        contacts.append(str(_("technical contact")))
    if not tenant.technical_email:
        contacts.append(str(_("technical e-mail")))
    if not tenant.accounting_email:
        contacts.append(str(_("billing contact (accounting e-mail)")))
    missing = {
        "auto_identity": identity,
        "auto_branding": images,
        "auto_feed": feed_missing,
        "auto_contacts": contacts,
    }
    return [AutomaticStep(code, title, missing[code]) for code, title in AUTOMATIC_TITLES.items()]


def domain_protected_names(*, tenant: Tenant) -> dict[str, str]:
    """The names a domain asked for by `tenant` must not imitate, and whose they are: every other
    tenant's name, technical name, operator code and domain labels, and the platform's."""
    names: dict[str, str] = {}
    others = Tenant.objects.exclude(pk=tenant.pk).prefetch_related("domains")
    for other in others:
        owner = str(_("the platform")) if other.is_platform else other.name
        candidates = [other.name, other.operator_code or ""]
        if not other.is_platform:
            candidates.append(other.schema_name)
        candidates += [domain.domain.split(".")[0] for domain in other.domains.all()]
        for candidate in candidates:
            if candidate:
                names.setdefault(candidate, owner)
    return names


def domain_warnings(*, domain: Domain) -> list[str]:
    """What a platform admin should look at before approving `domain` (look-alikes)."""
    return domain_lookalike_warnings(domain.domain, other_names=domain_protected_names(tenant=domain.tenant))
