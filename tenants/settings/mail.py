"""The tenant-aware e-mail path: a tenant's template (or the default) rendered in the sandbox of
`core.mail`, sent through `core.mail` from the tenant's address.

Later features call `email_send(kind=EmailKind.INVOICE, to=[...], context={...})`. Templates only
know `{{ placeholder }}` for the names their kind declares: no tags, filters, attribute walks or
other variables, so a tenant admin cannot reach settings or objects through a template.
"""

from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.mail import MailTemplate, mail_render, mail_send, template_text_render, template_text_validate
from tenants.links import tenant_url
from tenants.models import EmailKind, Tenant
from tenants.settings.email_specs import EMAIL_SPECS, EmailSpec, Placeholder, email_spec
from tenants.settings.selectors import email_template_get

__all__ = [
    "EMAIL_SPECS",
    "EmailKind",
    "EmailSpec",
    "Placeholder",
    "RenderedEmail",
    "email_from_address",
    "email_render",
    "email_sample_context",
    "email_send",
    "email_spec",
    "password_reset_send",
    "template_text_render",
    "template_text_validate",
]


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str
    from_email: str


def _current_tenant() -> Tenant | None:
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant) and not tenant.is_platform:
        return tenant
    return None


def _site_url(tenant: Tenant) -> str:
    try:
        return tenant_url(tenant, "/")
    except ApplicationError:  # no main domain yet: the mail goes without the link
        return ""


def email_sample_context(*, kind: str, tenant: Tenant | None = None) -> dict[str, str]:
    """Sample values of every placeholder of `kind`, with the tenant's own name."""
    values = {p.name: p.sample for p in email_spec(kind).placeholders}
    if tenant is not None:
        values["company_name"] = tenant.name
    return values


def email_from_address(*, tenant: Tenant | None) -> str:
    """The tenant's invoice address under its name, else the platform's default sender."""
    if tenant is None:
        return settings.DEFAULT_FROM_EMAIL
    address = tenant.invoice_from_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    # Django encodes non-ASCII names itself; quote names holding address punctuation.
    name = tenant.name.replace("\\", "").replace('"', "").replace("\n", " ").strip()
    if any(char in name for char in ",;:<>@()[]"):
        name = f'"{name}"'
    return f"{name} <{address}>"


def email_render(
    *,
    kind: str,
    context: dict[str, Any],
    tenant: Tenant | None = None,
    subject: str | None = None,
    body: str | None = None,
) -> RenderedEmail:
    """Render the tenant's template of `kind` (or the default, or the given draft) with `context`."""

    spec = email_spec(kind)
    tenant = tenant or _current_tenant()
    if subject is None or body is None:
        saved = email_template_get(tenant=tenant, kind=kind) if tenant is not None else None
        if subject is None:
            subject = saved.subject if saved else spec.default_subject
        if body is None:
            body = saved.body if saved else spec.default_body
    values = {name: value for name, value in context.items() if name in spec.names}
    if tenant is not None:
        values.setdefault("company_name", tenant.name)
        if "site_url" in spec.names and not values.get("site_url"):
            values["site_url"] = _site_url(tenant)
    rendered_subject, rendered_body = mail_render(MailTemplate(subject=subject, body=body), values=values)
    return RenderedEmail(
        subject=rendered_subject,
        body=rendered_body,
        from_email=email_from_address(tenant=tenant),
    )


def email_send(
    *,
    kind: str,
    to: list[str],
    context: dict[str, Any],
    tenant: Tenant | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> RenderedEmail:
    """Render the e-mail of `kind` for the tenant and send it (plain text) to `to` (`headers`: a
    Message-ID of the caller's, say, to match the bounce reports)."""
    recipients = [address for address in to if address]
    if not recipients:
        raise ApplicationError(_("There is no e-mail address to send this to."))
    rendered = email_render(kind=kind, context=context, tenant=tenant)
    mail_send(
        subject=rendered.subject,
        body=rendered.body,
        from_email=rendered.from_email,
        to=recipients,
        reply_to=reply_to,
        attachments=attachments or (),
        headers=headers,
    )
    return rendered


def password_reset_send(*, context: dict[str, Any], to_email: str) -> bool:
    """Send Django's password-reset mail with the tenant's "password recovery" template.

    The link is on the site's main domain (`tenant_url`), whatever host the request came in on:
    the request's Host header is the sender's choice. On the platform's own site, the default
    mail is used (returns False) with its link's scheme and host set the same way in `context`.
    """
    tenant = _current_tenant()
    if tenant is None:
        platform = getattr(connection, "tenant", None)
        if isinstance(platform, Tenant):
            site = urlsplit(tenant_url(platform, "/"))
            context.update({"protocol": site.scheme, "domain": site.netloc})
        return False
    user = context["user"]
    path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
    email_send(
        kind=EmailKind.PASSWORD_RESET,
        to=[to_email],
        tenant=tenant,
        context={
            "user_name": user.get_full_name() or user.get_username(),
            "login": user.get_username(),
            "reset_link": tenant_url(tenant, path),
        },
    )
    return True
