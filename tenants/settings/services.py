"""Writes of a tenant's white label, done by its admins on its own site: bank details, branding,
custom domains, e-mail templates, invoice settings and the staff team. Each change is audited."""

import re
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import STAFF_ROLES, User
from accounts.selectors import login_is_taken
from audit.context import AuditContext
from audit.services import audit_changes, audit_record
from core.colors import MIN_TEXT_CONTRAST, contrast_ratio
from core.errors import ApplicationError, Problems
from core.identifiers import clean_bic, clean_iban, clean_ics
from core.mail import mail_send
from tenants.links import tenant_url
from tenants.models import (
    Domain,
    DomainStatus,
    Tenant,
    TenantBranding,
    TenantEmailTemplate,
    TenantInvoiceSettings,
)
from tenants.platform.services import domain_validate
from tenants.settings.images import image_clean
from tenants.settings.mail import (
    EmailSpec,
    RenderedEmail,
    email_render,
    email_sample_context,
    email_spec,
    template_text_validate,
)
from tenants.settings.numbering import invoice_number_pattern_validate, invoice_number_period
from tenants.settings.selectors import invoice_settings_get

COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")
WELCOME_MAX = 1000


def color_clean(value: str, *, field: str) -> str:
    """A colour is exactly #RRGGBB (so nothing else can reach the page's CSS)."""
    value = (value or "").strip()
    if not COLOR_RE.fullmatch(value):
        raise ApplicationError(
            _("A colour is written #RRGGBB, e.g. #1f4fd1 (got “%(value)s”).") % {"value": value[:20]},
            field=field,
        )
    return value.lower()


def bank_details_check(
    *, sepa_creditor_id: str = "", creditor_iban: str = "", creditor_bic: str = ""
) -> dict[str, str]:
    """The bank details checked (check digits), every broken rule at once; returns them cleaned."""
    problems = Problems()
    values = {"sepa_creditor_id": "", "creditor_iban": "", "creditor_bic": ""}
    for name, clean in (
        ("sepa_creditor_id", clean_ics),
        ("creditor_iban", clean_iban),
        ("creditor_bic", clean_bic),
    ):
        raw = {
            "sepa_creditor_id": sepa_creditor_id,
            "creditor_iban": creditor_iban,
            "creditor_bic": creditor_bic,
        }[name]
        if (raw or "").strip():
            with problems.check():
                values[name] = clean(raw, field=name)
    if (creditor_iban or "").strip() and not (creditor_bic or "").strip():
        problems.add(_("Give the BIC of the account as well."), field="creditor_bic")
    problems.raise_if_any()
    return values


def bank_details_update(
    *,
    tenant: Tenant,
    sepa_creditor_id: str,
    creditor_iban: str,
    creditor_bic: str,
    by: User,
    context: AuditContext | None = None,
) -> Tenant:
    """The creditor identifier (ICS), IBAN and BIC are checked (check digits) before being saved."""
    values = bank_details_check(
        sepa_creditor_id=sepa_creditor_id, creditor_iban=creditor_iban, creditor_bic=creditor_bic
    )
    before = {key: getattr(tenant, key) for key in values}
    changes = audit_changes(before, values)
    if not changes:
        return tenant
    for key, value in values.items():
        setattr(tenant, key, value)
    tenant.save(update_fields=list(values))
    audit_record(actor=by, action="tenant.bank_details_changed", obj=tenant, changes=changes, context=context)
    return tenant


def api_access_update(
    *, tenant: Tenant, api_token_days: int, by: User, context: AuditContext | None = None
) -> Tenant:
    """How long the staff's API tokens work (from their creation): 1 day to 10 years."""
    if not 1 <= api_token_days <= account_services.API_TOKEN_MAX_DAYS:
        raise ApplicationError(
            _("An API token lasts between 1 and %(max)s days.")
            % {"max": account_services.API_TOKEN_MAX_DAYS},
            field="api_token_days",
        )
    changes = audit_changes({"api_token_days": tenant.api_token_days}, {"api_token_days": api_token_days})
    if changes:
        tenant.api_token_days = api_token_days
        tenant.save(update_fields=["api_token_days"])
        audit_record(
            actor=by, action="tenant.api_access_changed", obj=tenant, changes=changes, context=context
        )
    return tenant


def branding_check(
    *,
    primary_color: str | None = None,
    ink_color: str | None = None,
    welcome_message: str | None = "",
    low_contrast_confirmed: bool = False,
) -> tuple[dict[str, str], str]:
    """The colours (#RRGGBB, text contrast on the main colour, unless confirmed) and the welcome
    message checked, every broken rule at once (a colour given as None is not checked); returns
    the colours and the message cleaned."""
    problems = Problems()
    colors: dict[str, str] = {}
    for name, value in (("primary_color", primary_color), ("ink_color", ink_color)):
        if value is not None:
            with problems.check():
                colors[name] = color_clean(value, field=name)
    if len(colors) == 2:
        ratio = contrast_ratio(colors["primary_color"], colors["ink_color"])
        if ratio < MIN_TEXT_CONTRAST and not low_contrast_confirmed:
            problems.add(
                _(
                    "The text colour on the main colour contrasts at %(ratio)s:1; at least %(min)s:1 is "
                    "needed for buttons and the menu to be readable. Choose a darker main colour or "
                    "another text colour, or confirm that you keep these colours."
                )
                % {"ratio": number_format(ratio, 1), "min": number_format(MIN_TEXT_CONTRAST, 1)},
                field="primary_color",
            )
    welcome_message = (welcome_message or "").strip()
    if len(welcome_message) > WELCOME_MAX:
        problems.add(
            _("The welcome message is limited to %(max)s characters.") % {"max": WELCOME_MAX},
            field="welcome_message",
        )
    problems.raise_if_any()
    return colors, welcome_message


def branding_update(
    *,
    tenant: Tenant,
    by: User,
    primary_color: str,
    ink_color: str,
    welcome_message: str,
    logo: bytes | None = None,
    banner: bytes | None = None,
    remove_logo: bool = False,
    remove_banner: bool = False,
    low_contrast_confirmed: bool = False,
    context: AuditContext | None = None,
) -> list[str]:
    """Save colours, welcome message and images (checked and re-encoded); returns the warnings
    about images of a size other than the recommended one.

    A main colour whose text colour contrasts below 4.5:1 with it (every button and the active
    menu would be hard to read) is refused unless `low_contrast_confirmed`."""
    colors, welcome_message = branding_check(
        primary_color=primary_color,
        ink_color=ink_color,
        welcome_message=welcome_message,
        low_contrast_confirmed=low_contrast_confirmed,
    )
    images = {
        kind: image_clean(data=data, kind=kind) for kind, data in (("logo", logo), ("banner", banner)) if data
    }
    with transaction.atomic():
        branding, created = TenantBranding.objects.select_for_update().get_or_create(tenant=tenant)
        before = {**{k: getattr(branding, k) for k in colors}, "welcome_message": branding.welcome_message}
        after = {**colors, "welcome_message": welcome_message}
        changes: dict[str, Any] = audit_changes(before, after)
        for key, value in after.items():
            setattr(branding, key, value)
        for kind, remove in (("logo", remove_logo), ("banner", remove_banner)):
            clean = images.get(kind)
            if clean is not None:
                setattr(branding, kind, clean.content)
                setattr(branding, f"{kind}_hash", clean.digest)
                changes[kind] = f"{clean.width}×{clean.height} px"
            elif remove and getattr(branding, f"{kind}_hash"):
                setattr(branding, kind, None)
                setattr(branding, f"{kind}_hash", "")
                changes[kind] = "removed"
        if changes or created:
            branding.save()
        if changes:
            audit_record(
                actor=by, action="tenant.branding_changed", obj=tenant, changes=changes, context=context
            )
    return [clean.warning for clean in images.values() if clean.warning]


def tenant_domain_add(
    *, tenant: Tenant, domain: str, by: User, now: datetime, context: AuditContext | None = None
) -> Domain:
    """Ask for a custom domain for the tenant's site, unique across the platform; names under (or
    above) another site's domain belong to that site and are refused. The domain is pending: it
    serves nothing until a platform admin approves it (look-alikes of other sites are refused)."""
    name = domain_validate(domain)
    for other in Domain.objects.exclude(tenant=tenant).values_list("domain", flat=True):
        if name.endswith(f".{other}") or other.endswith(f".{name}"):
            raise ApplicationError(
                _("The domain %(domain)s belongs to the namespace of another site.") % {"domain": name},
                field="domain",
            )
    created = Domain.objects.create(
        domain=name, tenant=tenant, is_primary=False, status=DomainStatus.PENDING, requested_at=now
    )
    audit_record(
        actor=by, action="tenant.domain_added", obj=tenant, changes={"domain": name}, context=context
    )
    return created


def tenant_domain_remove(
    *, tenant: Tenant, domain_id: int, by: User, context: AuditContext | None = None
) -> None:
    """Remove one of the tenant's custom domains; its main domain stays."""
    domain = Domain.objects.filter(tenant=tenant, pk=domain_id).first()
    if domain is None:
        raise ApplicationError(_("This domain does not belong to your site."))
    if domain.is_primary:
        raise ApplicationError(_("The main domain of your site cannot be removed."))
    name = domain.domain
    domain.delete()
    audit_record(
        actor=by, action="tenant.domain_removed", obj=tenant, changes={"domain": name}, context=context
    )


def _validated(spec: EmailSpec, subject: str | None, body: str | None) -> tuple[str, str]:
    """The subject and body checked (not empty, only the placeholders of the kind), every broken
    rule at once; a part given as None is not checked."""
    problems = Problems()
    if subject is not None:
        subject = " ".join(subject.split())
        if not subject:
            problems.add(_("The subject is empty."), field="subject")
        else:
            with problems.check():
                template_text_validate(subject, allowed=spec.names, field="subject")
    if body is not None:
        body = body.replace("\r\n", "\n").strip() + "\n"
        if not body.strip():
            problems.add(_("The body is empty."), field="body")
        else:
            with problems.check():
                template_text_validate(body, allowed=spec.names, field="body")
    problems.raise_if_any()
    return subject or "", body or ""


def email_template_check(*, kind: str, subject: str | None, body: str | None) -> None:
    """The wording of an e-mail of `kind` checked like `email_template_save` does (no write)."""
    _validated(email_spec(kind), subject, body)


def email_template_save(
    *, tenant: Tenant, kind: str, subject: str, body: str, by: User, context: AuditContext | None = None
) -> TenantEmailTemplate:
    """Save the tenant's wording of an e-mail; only the placeholders of its kind are accepted."""
    spec = email_spec(kind)
    subject, body = _validated(spec, subject, body)
    template = TenantEmailTemplate.objects.filter(tenant=tenant, kind=kind).first()
    before = {"subject": template.subject, "body": template.body} if template else {}
    if template is None:
        template = TenantEmailTemplate(tenant=tenant, kind=kind)
    template.subject, template.body = subject, body
    changes = audit_changes(before, {"subject": subject, "body": body})
    if changes:
        template.save()
        audit_record(
            actor=by,
            action="tenant.email_template_changed",
            obj=tenant,
            changes={"kind": kind, **changes},
            context=context,
        )
    return template


def email_template_reset(*, tenant: Tenant, kind: str, by: User, context: AuditContext | None = None) -> None:
    """Go back to the platform's default wording of an e-mail."""
    email_spec(kind)
    deleted, _count = TenantEmailTemplate.objects.filter(tenant=tenant, kind=kind).delete()
    if deleted:
        audit_record(
            actor=by,
            action="tenant.email_template_reset",
            obj=tenant,
            changes={"kind": kind},
            context=context,
        )


def email_template_preview(*, tenant: Tenant, kind: str, subject: str, body: str) -> RenderedEmail:
    """A draft checked like a saved template and rendered with sample data (nothing is saved)."""
    subject, body = _validated(email_spec(kind), subject, body)
    return email_render(
        kind=kind,
        context=email_sample_context(kind=kind, tenant=tenant),
        tenant=tenant,
        subject=subject,
        body=body,
    )


def email_template_send_test(
    *, tenant: Tenant, kind: str, subject: str, body: str, by: User, context: AuditContext | None = None
) -> str:
    """Send the draft, rendered with sample data, to the admin's own address (`by`); returns it."""
    user = by
    spec = email_spec(kind)
    subject, body = _validated(spec, subject, body)
    if not user.email:
        raise ApplicationError(_("Your account has no e-mail address: add one on your profile first."))
    rendered = email_template_preview(tenant=tenant, kind=kind, subject=subject, body=body)
    mail_send(
        subject=f"[TEST] {rendered.subject}",
        body=rendered.body,
        from_email=rendered.from_email,
        to=[user.email],
    )
    audit_record(
        actor=user,
        action="tenant.email_template_tested",
        obj=tenant,
        changes={"kind": kind, "to": user.email},
        context=context,
    )
    return user.email


INVOICE_TEXT_FIELDS = (
    "footer_text",
    "late_payment_text",
    "text_sepa",
    "text_transfer",
    "text_cheque",
    "text_card",
    "bank_details",
)


def invoice_settings_update(
    *,
    tenant: Tenant,
    by: User,
    number_format: str,
    today: date,
    confirm_format_change: bool = False,
    context: AuditContext | None = None,
    **texts: str,
) -> TenantInvoiceSettings:
    """Save the numbering pattern (one {SEQ:n}, known tokens) and the texts printed on invoices.

    Changing a format already in force happens within its numbering period (`today`'s): it
    needs `confirm_format_change`, and the audit records the period."""
    unknown = set(texts) - set(INVOICE_TEXT_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown field %(name)s.") % {"name": ", ".join(sorted(unknown))})
    number_format = invoice_number_pattern_validate(number_format)
    with transaction.atomic():
        current = invoice_settings_get(tenant=tenant)
        before = {
            "number_format": current.number_format,
            **{k: getattr(current, k) for k in INVOICE_TEXT_FIELDS},
        }
        after = {**before, "number_format": number_format, **{k: (v or "").strip() for k, v in texts.items()}}
        changes: dict[str, Any] = audit_changes(before, after)
        if current.pk is not None and "number_format" in changes:
            period = invoice_number_period(current.number_format, year=today.year, month=today.month)
            if not confirm_format_change:
                raise ApplicationError(
                    _(
                        "The format changes within the numbering period %(period)s: invoices of this "
                        "period would be numbered in two formats. Confirm the change to save it."
                    )
                    % {"period": period},
                    field="confirm_format_change",
                )
            changes["numbering_period"] = period
        if current.pk is None or changes:
            for key, value in after.items():
                setattr(current, key, value)
            current.save()
        if changes:
            audit_record(
                actor=by,
                action="tenant.invoice_settings_changed",
                obj=tenant,
                changes=changes,
                context=context,
            )
    return current


# --- The team ------------------------------------------------------------------------------------
def _staff_role(role: str) -> str:
    if role not in STAFF_ROLES:
        raise ApplicationError(
            _("Choose a staff role: administrator, sales, support or accountant."), field="role"
        )
    return role


def staff_invite_check(*, username: str | None, email: str | None, role: str | None) -> None:
    """An invitation's login (given, free), e-mail (given) and staff role, every broken rule at
    once; a value given as None is not checked."""
    problems = Problems()
    if username is not None:
        if not username.strip():
            problems.add(_("A login is required."), field="username")
        elif login_is_taken(login=username.strip()):
            problems.add(
                _("The login %(username)s is already taken (logins are not case-sensitive).")
                % {"username": username.strip()},
                field="username",
            )
    if email is not None and not email.strip():
        problems.add(_("An e-mail address is needed to send the invitation."), field="email")
    if role is not None:
        with problems.check():
            _staff_role(role)
    problems.raise_if_any()


def staff_invite(
    *,
    username: str,
    email: str,
    role: str,
    by: User,
    tenant: Tenant,
    first_name: str = "",
    last_name: str = "",
    context: AuditContext | None = None,
) -> User:
    """Create a staff account of `tenant` without a password and e-mail it a link to choose one
    (on the tenant's main domain)."""
    staff_invite_check(username=username, email=email, role=role)
    with transaction.atomic():
        user = account_services.user_create(
            username=username,
            email=email,
            role=_staff_role(role),
            by=by,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            context=context,
        )
        account_services.user_send_invitation(
            user=user, base_url=tenant_url(tenant, "/"), site_name=tenant.name, by=by, context=context
        )
    return user


def _staff_member(user_id: int) -> User:
    user = User.objects.filter(pk=user_id, role__in=STAFF_ROLES).first()
    if user is None:
        raise ApplicationError(_("No such member of the staff."))
    return user


def staff_set_role(*, user_id: int, role: str, by: User, context: AuditContext | None = None) -> User:
    """Change a staff member's role (an admin cannot demote themself: someone must stay admin)."""
    user = _staff_member(user_id)
    role = _staff_role(role)
    if user.pk == by.pk and role != user.role:
        raise ApplicationError(_("You cannot change your own role."), field="role")
    return account_services.user_set_role(user=user, role=role, by=by, context=context)


def staff_set_active(*, user_id: int, active: bool, by: User, context: AuditContext | None = None) -> User:
    """Deactivate (or reactivate) a staff account; a deactivated one can no longer log in."""
    return account_services.user_set_active(
        user=_staff_member(user_id), active=active, by=by, context=context
    )
