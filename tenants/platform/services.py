"""Writes about tenants: creating one (its schema, domain, checklist, first admin), its identity,
its onboarding checklist and activation, its documents and its feed access."""

import logging
import os
import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, tenant_context

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_changes, audit_record
from core.crypto import decrypt_secret, encrypt_secret
from core.errors import ApplicationError, Problems
from core.identifiers import (
    bic_matches_iban,
    clean_bic,
    clean_iban,
    clean_ics,
    clean_siren,
    clean_siret,
    clean_vat_number,
)
from tenants.links import tenant_url
from tenants.models import (
    DocumentKind,
    Domain,
    DomainStatus,
    FeedAccess,
    FeedAuth,
    FeedProtocol,
    OnboardingStep,
    StepStatus,
    Tenant,
    TenantDocument,
    TenantKind,
    TenantStatus,
)
from tenants.platform.checklist import GO_LIVE, steps_for_kind
from tenants.platform.feed_access import FeedAccessError, FeedSettings, feed_check_folders, open_feed
from tenants.platform.selectors import automatic_steps

logger = logging.getLogger(__name__)

SCHEMA_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
RESERVED_SCHEMAS = {"public", "information_schema", "pg_catalog", "pg_toast"}


def platform_ensure(*, domain: str | None = None) -> Tenant:
    """The public tenant (the platform's own site) and its domain; created if missing."""
    domain = domain or settings.PUBLIC_DOMAIN
    platform, _created = Tenant.objects.get_or_create(
        schema_name="public", defaults={"name": "ISM", "status": TenantStatus.ACTIVE}
    )
    Domain.objects.get_or_create(
        domain=domain, defaults={"tenant": platform, "is_primary": True, "status": DomainStatus.ACTIVE}
    )
    return platform


def domain_validate(domain: str) -> str:
    domain = domain.strip().lower().rstrip(".")
    if not DOMAIN_RE.match(domain):
        raise ApplicationError(
            _("%(domain)s is not a valid domain name.") % {"domain": domain}, field="domain"
        )
    if Domain.objects.filter(domain=domain).exists():
        raise ApplicationError(
            _("The domain %(domain)s is already used.") % {"domain": domain}, field="domain"
        )
    return domain


IDENTITY_FIELDS = [
    "name",
    "legal_name",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "siren",
    "siret",
    "vat_number",
    "share_capital",
    "rcs_city",
    "operator_name",
    "accounting_email",
    "technical_email",
    "technical_contact_name",
    "invoice_from_email",
    "sepa_creditor_id",
    "creditor_iban",
    "creditor_bic",
]
_EMAIL_FIELDS = {
    "accounting_email": _("accounting e-mail"),
    "technical_email": _("technical e-mail"),
    "invoice_from_email": _("invoice sender e-mail"),
}


def tenant_identity_clean(values: dict[str, Any], problems: Problems | None = None) -> dict[str, Any]:
    """Normalise a tenant's identity; every identifier given is checked, check digits included.
    Every broken rule is collected in `problems` (raised at the end when the caller gives none)."""
    own = problems is None
    problems = problems if problems is not None else Problems()
    unknown = set(values) - set(IDENTITY_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        cleaned[key] = value.strip() if isinstance(value, str) else value
    if "name" in cleaned and not cleaned["name"]:
        problems.add(_("The name is required."), field="name")
    for key, clean in (
        ("siret", clean_siret),
        ("siren", clean_siren),
        ("vat_number", clean_vat_number),
        ("sepa_creditor_id", clean_ics),
        ("creditor_iban", clean_iban),
        ("creditor_bic", clean_bic),
    ):
        if cleaned.get(key):
            with problems.check():
                cleaned[key] = clean(cleaned[key], field=key)
    if not cleaned.get("siren") and cleaned.get("siret") and not problems.has("siret"):
        cleaned["siren"] = cleaned["siret"][:9]
    if (
        cleaned.get("siret")
        and cleaned.get("siren")
        and not problems.has("siret")
        and not problems.has("siren")
        and not cleaned["siret"].startswith(cleaned["siren"])
    ):
        problems.add(
            _("The SIRET %(siret)s does not belong to the SIREN %(siren)s (its first 9 digits differ).")
            % {"siret": cleaned["siret"], "siren": cleaned["siren"]},
            field="siret",
        )
    siren = cleaned.get("siren")
    if (
        cleaned.get("vat_number")
        and siren
        and not problems.has("vat_number")
        and not problems.has("siren")
        and cleaned["vat_number"].startswith("FR")
        and cleaned["vat_number"][4:] != siren
    ):
        problems.add(
            _("The VAT number %(vat)s is not the one of the SIREN %(siren)s.")
            % {"vat": cleaned["vat_number"], "siren": siren},
            field="vat_number",
        )
    if (
        cleaned.get("creditor_iban")
        and cleaned.get("creditor_bic")
        and not problems.has("creditor_iban")
        and not problems.has("creditor_bic")
        and not bic_matches_iban(iban=cleaned["creditor_iban"], bic=cleaned["creditor_bic"])
    ):
        problems.add(
            _("The BIC %(bic)s is not of the IBAN's country (%(country)s).")
            % {"bic": cleaned["creditor_bic"], "country": cleaned["creditor_iban"][:2]},
            field="creditor_bic",
        )
    for key, label in _EMAIL_FIELDS.items():
        if cleaned.get(key):
            with problems.check():
                _check_email(cleaned[key], field=key, label=str(label))
    if "country" in cleaned:
        cleaned["country"] = (cleaned["country"] or "FR").upper()
        if not re.fullmatch(r"[A-Z]{2}", cleaned["country"]):
            problems.add(_("The country is a two-letter code, e.g. FR."), field="country")
    if "share_capital" in cleaned:
        with problems.check():
            cleaned["share_capital"] = _clean_capital(cleaned["share_capital"])
    if own:
        problems.raise_if_any()
    return cleaned


def _clean_capital(value: Any) -> Decimal | None:
    if value in ("", None):
        return None
    try:
        capital = Decimal(str(value).replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        raise ApplicationError(_("The share capital is an amount in euros."), field="share_capital") from None
    if not capital.is_finite() or capital < 0:
        raise ApplicationError(_("The share capital is an amount in euros."), field="share_capital")
    return capital


def _check_email(value: str, *, field: str, label: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        validate_email(value)
    except ValidationError:
        raise ApplicationError(
            _("The %(label)s %(value)s is not a valid e-mail address.") % {"label": label, "value": value},
            field=field,
        ) from None


def _tenant_create_problems(
    *,
    name: str | None,
    schema_name: str | None,
    kind: str | None,
    operator_code: str | None,
    domain: str | None,
    admin_email: str | None,
    fields: dict[str, Any],
) -> tuple[Problems, dict[str, Any]]:
    """Every rule of a new tenant checked, without writing; `None`: not known (a form's field
    that failed), its rules skipped. Returns the broken rules and the normalised values."""
    problems = Problems()
    if schema_name is not None:
        schema_name = schema_name.strip().lower()
        if (
            not SCHEMA_RE.match(schema_name)
            or schema_name in RESERVED_SCHEMAS
            or schema_name.startswith("pg_")
        ):
            problems.add(
                _(
                    "The technical name must be 2 to 41 lower-case letters, digits or underscores, starting with a letter."
                ),
                field="schema_name",
            )
        elif Tenant.objects.filter(schema_name=schema_name).exists():
            problems.add(
                _("The technical name %(name)s is taken.") % {"name": schema_name}, field="schema_name"
            )
    if kind is not None and kind not in TenantKind.values:
        problems.add(_("Choose integrator or VNO."), field="kind")
    if operator_code is not None:
        operator_code = operator_code.strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{2,20}", operator_code):
            problems.add(_("The operator code is 2 to 20 capital letters or digits."), field="operator_code")
        elif Tenant.objects.filter(operator_code=operator_code).exists():
            problems.add(
                _("The operator code %(code)s is already used.") % {"code": operator_code},
                field="operator_code",
            )
    identity = tenant_identity_clean({"name": name, **fields} if name is not None else fields, problems)
    admin_email = (admin_email or "").strip()
    if admin_email:
        with problems.check():
            _check_email(admin_email, field="admin_email", label=str(_("first admin's e-mail")))
    if domain is not None:
        with problems.check():
            domain = domain_validate(domain)
    cleaned = {
        "schema_name": schema_name,
        "operator_code": operator_code,
        "identity": identity,
        "admin_email": admin_email,
        "domain": domain,
    }
    return problems, cleaned


def tenant_create_check(
    *,
    name: str | None,
    schema_name: str | None,
    kind: str | None,
    operator_code: str | None,
    domain: str | None,
    admin_email: str | None = "",
    **fields: Any,
) -> None:
    """The rules of a new tenant, checked without writing; every broken one raised at once.
    A `None` value is not known yet (its field failed in a form): the rules on it are skipped."""
    problems, _cleaned = _tenant_create_problems(
        name=name,
        schema_name=schema_name,
        kind=kind,
        operator_code=operator_code,
        domain=domain,
        admin_email=admin_email,
        fields=fields,
    )
    problems.raise_if_any()


def tenant_create(
    *,
    name: str,
    schema_name: str,
    kind: str,
    operator_code: str,
    domain: str,
    by: User | None,
    today: date,
    status: str = TenantStatus.ONBOARDING,
    context: AuditContext | None = None,
    admin_email: str = "",
    admin_first_name: str = "",
    admin_last_name: str = "",
    admin_username: str = "",
    **fields: Any,
) -> Tenant:
    """Create a tenant: its row (identity checked), its PostgreSQL schema (migrated), its main
    domain, its onboarding checklist (due dates counted from `today`), and its first admin, who is
    e-mailed an invitation. `by` None: the platform itself (the demo seeder)."""
    # Every broken rule is reported at once: the form shows them all after one submit.
    problems, cleaned = _tenant_create_problems(
        name=name,
        schema_name=schema_name,
        kind=kind,
        operator_code=operator_code,
        domain=domain,
        admin_email=admin_email,
        fields=fields,
    )
    problems.raise_if_any()
    schema_name, operator_code, domain = cleaned["schema_name"], cleaned["operator_code"], cleaned["domain"]
    identity, admin_email = cleaned["identity"], cleaned["admin_email"]
    # The schema is created and migrated by Tenant.save(); DDL in PostgreSQL is transactional,
    # so a failure leaves neither a half-made schema nor a row.
    with transaction.atomic():
        tenant = Tenant(
            schema_name=schema_name, kind=kind, operator_code=operator_code, status=status, **identity
        )
        tenant.save()
        Domain.objects.create(domain=domain, tenant=tenant, is_primary=True, status=DomainStatus.ACTIVE)
        onboarding_checklist_ensure(tenant=tenant, start=today)
        audit_record(
            actor=by,
            action="tenant.created",
            obj=tenant,
            changes={
                "kind": kind,
                "operator_code": operator_code,
                "domain": domain,
                "admin_email": admin_email,
            },
            context=context,
        )
        if admin_email:
            tenant_invite_admin(
                tenant=tenant,
                email=admin_email,
                first_name=admin_first_name,
                last_name=admin_last_name,
                username=admin_username,
                by=by,
                context=context,
            )
    return tenant


def tenant_invite_admin(
    *,
    tenant: Tenant,
    email: str,
    by: User | None,
    first_name: str = "",
    last_name: str = "",
    username: str = "",
    context: AuditContext | None = None,
) -> User:
    """Create an admin account in the tenant's schema (or take the admin who has this e-mail) and
    e-mail it an invitation once committed, its link on the tenant's main domain. The tenant's own
    trail names a platform admin `platform:<login>` (their account is not in its schema)."""
    from accounts.models import Role
    from accounts.services import user_create, user_send_invitation

    email = email.strip()
    _check_email(email, field="email", label=str(_("admin's e-mail")))
    with transaction.atomic(), tenant_context(tenant):
        user = User.objects.filter(email__iexact=email, role=Role.ADMIN).first()
        if user is None:
            user = user_create(
                username=username.strip() or email.split("@")[0],
                email=email,
                role=Role.ADMIN,
                by=by,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
            )

    def _send() -> None:
        try:
            with tenant_context(tenant):
                user_send_invitation(
                    user=user, base_url=tenant_url(tenant, "/"), site_name=tenant.name, by=by
                )
        except Exception:
            # The tenant exists whatever the mail server says; the admin can be invited again.
            logger.exception("invitation of %s to tenant %s failed", email, tenant.schema_name)
            audit_record(
                actor=by,
                action="tenant.admin_invitation_failed",
                obj=tenant,
                changes={"email": email},
                context=context,
            )

    transaction.on_commit(_send)
    audit_record(
        actor=by, action="tenant.admin_invited", obj=tenant, changes={"email": email}, context=context
    )
    return user


def tenant_update_identity(
    *, tenant: Tenant, by: User, context: AuditContext | None = None, **values: Any
) -> Tenant:
    """Change a tenant's identity, contacts and SEPA creditor details (same checks as creation)."""
    cleaned = tenant_identity_clean(values)
    before = {key: getattr(tenant, key) for key in cleaned}
    for key, value in cleaned.items():
        setattr(tenant, key, value if value is not None or key == "share_capital" else "")
    changes = audit_changes(before, {key: getattr(tenant, key) for key in cleaned})
    if changes:
        tenant.save(update_fields=list(cleaned))
        audit_record(actor=by, action="tenant.identity_changed", obj=tenant, changes=changes, context=context)
    return tenant


# --- Onboarding checklist ------------------------------------------------------------------
def onboarding_checklist_ensure(*, tenant: Tenant, start: date) -> list[OnboardingStep]:
    """Give the tenant the steps of its kind (missing ones only), due dates following each other
    from `start`."""
    due = start
    existing = {step.code: step for step in tenant.onboarding_steps.all()}
    steps = []
    for position, definition in enumerate(steps_for_kind(tenant.kind), start=1):
        due = due + timedelta(days=definition.days)
        step = existing.get(definition.code)
        if step is None:
            step = OnboardingStep.objects.create(
                tenant=tenant, code=definition.code, position=position, actor=definition.actor, due_date=due
            )
        steps.append(step)
    return steps


def onboarding_step_update(
    *,
    step: OnboardingStep,
    by: User,
    today: date,
    status: str | None = None,
    done_on: date | None = None,
    due_date: date | None = None,
    note: str | None = None,
    context: AuditContext | None = None,
) -> OnboardingStep:
    """Update a step. Go-live cannot be done before every other step; the tenant becomes active
    when the whole checklist is done. A step marked done without a date is done `today`."""
    with transaction.atomic():
        step = OnboardingStep.objects.select_for_update().select_related("tenant").get(pk=step.pk)
        tenant = step.tenant
        before = {
            "status": step.status,
            "done_on": step.done_on,
            "due_date": step.due_date,
            "note": step.note,
        }
        if status is not None:
            if status not in StepStatus.values:
                raise ApplicationError(
                    _("Unknown step status %(status)s.") % {"status": status}, field="status"
                )
            if status == StepStatus.DONE and step.code == GO_LIVE:
                pending = onboarding_steps_pending(tenant=tenant, exclude=step)
                if pending:
                    raise ApplicationError(
                        _("Go-live is blocked: %(count)s step(s) are not done yet (%(steps)s).")
                        % {"count": len(pending), "steps": ", ".join(s.title for s in pending)},
                        field="status",
                    )
                red = [check for check in automatic_steps(tenant=tenant) if not check.ok]
                if red:
                    raise ApplicationError(
                        _("Go-live is blocked: %(checks)s. Complete them, or activate with a reason.")
                        % {
                            "checks": "; ".join(
                                f"{check.title} ({', '.join(check.missing)})" for check in red
                            )
                        },
                        field="status",
                    )
            step.status = status
            if status == StepStatus.DONE and done_on is None and step.done_on is None:
                step.done_on = today
            if status != StepStatus.DONE and done_on is None:
                step.done_on = None
        if done_on is not None:
            step.done_on = done_on
        if step.status != StepStatus.DONE:
            step.done_on = None  # a date is when the step was done
        if due_date is not None:
            step.due_date = due_date
        if note is not None:
            step.note = note.strip()
        after = {"status": step.status, "done_on": step.done_on, "due_date": step.due_date, "note": step.note}
        changes = audit_changes(before, after)
        if not changes:
            return step
        step.save()
        audit_record(
            actor=by,
            action="tenant.onboarding_step_updated",
            obj=tenant,
            changes={"step": step.code, **changes},
            context=context,
        )
        if tenant.status == TenantStatus.ONBOARDING and not onboarding_steps_pending(tenant=tenant):
            tenant_set_status(
                tenant=tenant,
                status=TenantStatus.ACTIVE,
                by=by,
                reason="onboarding complete",
                context=context,
            )
    return step


def onboarding_steps_pending(
    *, tenant: Tenant, exclude: OnboardingStep | None = None
) -> list[OnboardingStep]:
    steps = tenant.onboarding_steps.exclude(status=StepStatus.DONE)
    if exclude is not None:
        steps = steps.exclude(pk=exclude.pk)
    return list(steps)


def tenant_activate_override(
    *, tenant: Tenant, reason: str, by: User, today: date, context: AuditContext | None = None
) -> Tenant:
    """Activate a tenant whose checklist is not complete (steps not done, automatic steps red);
    only with a reason, which is audited with what was missing (go-live is marked done `today`)."""
    reason = reason.strip()
    if len(reason) < 5:
        raise ApplicationError(
            _("Say why the tenant goes live before its checklist is complete."), field="reason"
        )
    if tenant.status == TenantStatus.ACTIVE:
        raise ApplicationError(_("This tenant is already active."))
    with transaction.atomic():
        pending = onboarding_steps_pending(tenant=tenant)
        red = [check.code for check in automatic_steps(tenant=tenant) if not check.ok]
        audit_record(
            actor=by,
            action="tenant.onboarding_overridden",
            obj=tenant,
            changes={
                "reason": reason,
                "pending_steps": [step.code for step in pending],
                "failing_checks": red,
            },
            context=context,
        )
        tenant.onboarding_steps.filter(code=GO_LIVE).exclude(status=StepStatus.DONE).update(
            status=StepStatus.DONE,
            done_on=today,
            note=_("Activated before the checklist was complete: %(reason)s") % {"reason": reason},
        )
        tenant_set_status(tenant=tenant, status=TenantStatus.ACTIVE, by=by, reason=reason, context=context)
    return tenant


# --- Documents ---------------------------------------------------------------------------------
DOCUMENT_EXTENSIONS = {
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".doc",
    ".docx",
    ".odt",
    ".xls",
    ".xlsx",
    ".ods",
    ".csv",
    ".txt",
    ".zip",
}
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def tenant_document_add(
    *,
    tenant: Tenant,
    file: UploadedFile,
    by: User,
    title: str = "",
    kind: str = DocumentKind.OTHER,
    step: OnboardingStep | None = None,
    context: AuditContext | None = None,
) -> TenantDocument:
    """Store a document of a tenant (private media of the platform, one folder per tenant)."""
    original = os.path.basename(file.name or "document")
    extension = os.path.splitext(original)[1].lower()
    if extension not in DOCUMENT_EXTENSIONS:
        raise ApplicationError(
            _("Files of type %(ext)s are not accepted (accepted: %(allowed)s).")
            % {"ext": extension or "?", "allowed": ", ".join(sorted(DOCUMENT_EXTENSIONS))},
            field="file",
        )
    if file.size is None or file.size > DOCUMENT_MAX_BYTES:
        raise ApplicationError(
            _("The file is too large (%(size)s MB at most).") % {"size": DOCUMENT_MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    if file.size == 0:
        raise ApplicationError(_("The file is empty."), field="file")
    if kind not in DocumentKind.values:
        raise ApplicationError(_("Unknown document kind."), field="kind")
    if step is not None and step.tenant_id != tenant.pk:
        raise ApplicationError(_("This step belongs to another tenant."), field="step")
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", original)[-120:]
    with schema_context("public"):
        document = TenantDocument(
            tenant=tenant,
            step=step,
            kind=kind,
            title=title.strip() or original,
            original_name=original[:200],
            size=file.size,
            uploaded_by=by.username,
        )
        document.file.save(safe_name, file, save=False)
        document.save()
        audit_record(
            actor=by,
            action="tenant.document_added",
            obj=tenant,
            changes={"document": document.title, "kind": kind, "file": original},
            context=context,
        )
    return document


def tenant_document_delete(
    *, document: TenantDocument, by: User, context: AuditContext | None = None
) -> None:
    tenant = document.tenant
    with schema_context("public"):
        document.file.delete(save=False)
        document.delete()
    audit_record(
        actor=by,
        action="tenant.document_deleted",
        obj=tenant,
        changes={"document": document.title},
        context=context,
    )


# --- Feed access -------------------------------------------------------------------------------
def feed_access_set(
    *,
    tenant: Tenant,
    by: User,
    protocol: str,
    host: str = "",
    port: int | None = None,
    username: str = "",
    auth: str = FeedAuth.PASSWORD,
    secret: str = "",
    root_path: str = "",
    clear_host_key: bool = False,
    context: AuditContext | None = None,
) -> FeedAccess:
    """Set where and how to reach the tenant's feed. An empty `secret` keeps the current one."""
    if protocol not in FeedProtocol.values:
        raise ApplicationError(_("Choose FTP, FTPS, SFTP or a local folder."), field="protocol")
    host = host.strip()
    root_path = root_path.strip()
    if protocol == FeedProtocol.LOCAL:
        if not root_path:
            raise ApplicationError(_("Give the folder's path on this server."), field="root_path")
    else:
        if not host:
            raise ApplicationError(
                _("The host is required for %(protocol)s.") % {"protocol": protocol.upper()}, field="host"
            )
        if not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", host):
            raise ApplicationError(
                _("%(host)s is not a host name or address.") % {"host": host}, field="host"
            )
        if not username.strip():
            raise ApplicationError(_("The login is required."), field="username")
    if port is not None and not 1 <= port <= 65535:
        raise ApplicationError(_("The port is a number between 1 and 65535."), field="port")
    if auth not in FeedAuth.values or (auth == FeedAuth.KEY and protocol != FeedProtocol.SFTP):
        raise ApplicationError(_("A private key is only used with SFTP."), field="auth")
    access = FeedAccess.objects.filter(tenant=tenant).first() or FeedAccess(tenant=tenant)
    before = {
        "protocol": access.protocol,
        "host": access.host,
        "port": access.port,
        "username": access.username,
        "auth": access.auth,
        "root_path": access.root_path,
    }
    access.protocol = protocol
    access.host = host if protocol != FeedProtocol.LOCAL else ""
    access.port = port if protocol != FeedProtocol.LOCAL else None
    access.username = username.strip() if protocol != FeedProtocol.LOCAL else ""
    access.auth = auth
    access.root_path = root_path
    secret_changed = False
    if secret:
        if auth == FeedAuth.KEY and "PRIVATE KEY" not in secret:
            raise ApplicationError(
                _("Paste the whole private key, from -----BEGIN to -----END lines."), field="secret"
            )
        access.secret_encrypted = encrypt_secret(secret)
        secret_changed = True
    if clear_host_key or (before["host"] and before["host"] != access.host):
        access.host_key = ""
    access.save()
    changes: dict[str, Any] = audit_changes(
        before,
        {
            "protocol": access.protocol,
            "host": access.host,
            "port": access.port,
            "username": access.username,
            "auth": access.auth,
            "root_path": access.root_path,
        },
    )
    if secret_changed:
        changes["secret"] = "changed"
    audit_record(actor=by, action="tenant.feed_access_changed", obj=tenant, changes=changes, context=context)
    return access


def feed_settings_for(access: FeedAccess, *, timeout: float | None = None) -> FeedSettings:
    """The connection settings of a feed, with its secret decrypted (for connecting only)."""
    try:
        secret = decrypt_secret(access.secret_encrypted)
    except ValueError:
        raise FeedAccessError(_("The stored secret cannot be decrypted any more: enter it again.")) from None
    key = access.protocol == FeedProtocol.SFTP and access.auth == FeedAuth.KEY
    return FeedSettings(
        protocol=access.protocol,
        host=access.host,
        port=access.port,
        username=access.username,
        password="" if key else secret,
        private_key=secret if key else "",
        root_path=access.root_path,
        host_key=access.host_key,
        **({"timeout": timeout} if timeout else {}),
    )


def feed_access_test(
    *,
    tenant: Tenant,
    by: User | None,
    now: datetime,
    context: AuditContext | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Connect to the tenant's feed and report which of the expected folders are there (the test
    is dated `now`). `by` None: the platform itself (the demo seeder's check)."""
    access = FeedAccess.objects.filter(tenant=tenant).first()
    if access is None:
        raise ApplicationError(_("This tenant has no feed access yet."))
    report: dict[str, Any]
    try:
        with open_feed(feed_settings_for(access, timeout=timeout)) as client:
            check = feed_check_folders(client, kind=tenant.kind)
        report = {
            "ok": not check.missing,
            "connected": True,
            "present": check.present,
            "missing": check.missing,
        }
        if check.host_key and not access.host_key:
            access.host_key = check.host_key
    except FeedAccessError as exc:
        report = {"ok": False, "connected": False, "error": exc.message, "present": [], "missing": []}
    access.last_test_at = now
    access.last_test_ok = report["ok"]
    access.last_test_report = report
    access.save(update_fields=["last_test_at", "last_test_ok", "last_test_report", "host_key"])
    audit_record(
        actor=by,
        action="tenant.feed_access_tested",
        obj=tenant,
        changes={"ok": report["ok"], "missing": report["missing"], "error": report.get("error", "")},
        context=context,
    )
    return report


def tenant_set_status(
    *, tenant: Tenant, status: str, by: User, reason: str = "", context: AuditContext | None = None
) -> Tenant:
    if status not in TenantStatus.values:
        raise ApplicationError(_("Unknown status."), field="status")
    if tenant.status == status:
        return tenant
    old = tenant.status
    tenant.status = status
    tenant.save(update_fields=["status"])
    audit_record(
        actor=by,
        action="tenant.status_changed",
        obj=tenant,
        changes={"status": [old, status], "reason": reason},
        context=context,
    )
    return tenant


def tenant_suspend(*, tenant: Tenant, reason: str, by: User, context: AuditContext | None = None) -> Tenant:
    """Close a live tenant's site (staff, portal and API answer "suspended"); the reason is audited."""
    reason = reason.strip()
    if len(reason) < 5:
        raise ApplicationError(_("Say why the tenant's site is suspended."), field="reason")
    if tenant.status != TenantStatus.ACTIVE:
        raise ApplicationError(_("Only an active tenant can be suspended."))
    return tenant_set_status(
        tenant=tenant, status=TenantStatus.SUSPENDED, by=by, reason=reason, context=context
    )


def tenant_reactivate(
    *, tenant: Tenant, reason: str, by: User, context: AuditContext | None = None
) -> Tenant:
    """Open a suspended tenant's site again; the reason is audited."""
    reason = reason.strip()
    if len(reason) < 5:
        raise ApplicationError(_("Say why the tenant's site is reopened."), field="reason")
    if tenant.status != TenantStatus.SUSPENDED:
        raise ApplicationError(_("Only a suspended tenant can be reactivated."))
    return tenant_set_status(tenant=tenant, status=TenantStatus.ACTIVE, by=by, reason=reason, context=context)


# --- Custom domains a tenant asked for ------------------------------------------------------------
def _pending_domain_locked(domain_id: int) -> Domain:
    domain = (
        Domain.objects.select_for_update(of=("self",)).select_related("tenant").filter(pk=domain_id).first()
    )
    if domain is None:
        raise ApplicationError(_("No such domain."))
    if domain.status != DomainStatus.PENDING:
        raise ApplicationError(
            _("The domain %(domain)s is not awaiting approval.") % {"domain": domain.domain}
        )
    return domain


def _domain_decide(*, domain_id: int, status: str, by: User, now: datetime) -> Domain:
    """Take the decision on a pending domain (locked, so two admins cannot both decide)."""
    domain = _pending_domain_locked(domain_id)
    domain.status = status
    domain.decided_at = now
    domain.decided_by = by.get_username()
    domain.save(update_fields=["status", "decided_at", "decided_by"])
    return domain


def domain_approve(*, domain_id: int, by: User, now: datetime, context: AuditContext | None = None) -> Domain:
    """A platform admin approves a custom domain a tenant asked for: from now on it serves the
    tenant's site."""
    with transaction.atomic():
        domain = _domain_decide(domain_id=domain_id, status=DomainStatus.ACTIVE, by=by, now=now)
        audit_record(
            actor=by,
            action="tenant.domain_approved",
            obj=domain.tenant,
            changes={"domain": domain.domain},
            context=context,
        )
    return domain


def domain_refuse(
    *, domain_id: int, by: User, now: datetime, reason: str = "", context: AuditContext | None = None
) -> Domain:
    """A platform admin refuses a custom domain: it never serves anything, and the name stays
    reserved (no other tenant can take it) until the tenant removes it."""
    reason = reason.strip()
    with transaction.atomic():
        domain = _domain_decide(domain_id=domain_id, status=DomainStatus.REFUSED, by=by, now=now)
        changes: dict[str, Any] = {"domain": domain.domain}
        if reason:
            changes["reason"] = reason
        audit_record(
            actor=by, action="tenant.domain_refused", obj=domain.tenant, changes=changes, context=context
        )
    return domain
