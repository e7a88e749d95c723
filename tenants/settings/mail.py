"""The one e-mail path of the platform: a tenant's template (or the default), rendered in a
sandbox, sent from the tenant's address.

Later features call `email_send(kind=EmailKind.INVOICE, to=[...], context={...})`. Templates only
know `{{ placeholder }}` for the names their kind declares: no tags, filters, attribute walks or
other variables, so a tenant admin cannot reach settings or objects through a template.
"""

import re
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from tenants.models import EmailKind, Tenant


@dataclass(frozen=True)
class Placeholder:
    name: str
    label: Any
    sample: str


@dataclass(frozen=True)
class EmailSpec:
    kind: str
    placeholders: tuple[Placeholder, ...]
    # Defaults are content for the tenant's (French) customers, not interface text.
    default_subject: str
    default_body: str

    @property
    def names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.placeholders)


_COMMON = (
    Placeholder("company_name", gettext_lazy("your company's name"), "Acme Télécom"),
    Placeholder("site_url", gettext_lazy("address of your site"), "https://acme.example"),
)
_CUSTOMER = Placeholder("customer_name", gettext_lazy("customer's name"), "Transports Dupont SARL")

EMAIL_SPECS: dict[str, EmailSpec] = {
    EmailKind.ACCOUNT_OPENING: EmailSpec(
        EmailKind.ACCOUNT_OPENING,
        (
            *_COMMON,
            _CUSTOMER,
            Placeholder("login", gettext_lazy("customer's login"), "dupont"),
            Placeholder(
                "set_password_link",
                gettext_lazy("link to choose a password"),
                "https://acme.example/reset/MQ/abc123/",
            ),
        ),
        "Votre espace client {{ company_name }}",
        "Bonjour {{ customer_name }},\n\n"
        "Votre espace client {{ company_name }} est ouvert.\n"
        "Votre identifiant : {{ login }}\n\n"
        "Choisissez votre mot de passe en suivant ce lien :\n{{ set_password_link }}\n\n"
        "Vous y retrouverez vos lignes, vos consommations et vos factures.\n\n"
        "Cordialement,\nL'équipe {{ company_name }}\n",
    ),
    EmailKind.INVOICE: EmailSpec(
        EmailKind.INVOICE,
        (
            *_COMMON,
            _CUSTOMER,
            Placeholder("invoice_number", gettext_lazy("invoice number"), "FA202611-00042"),
            Placeholder("invoice_date", gettext_lazy("invoice date"), "30/11/2026"),
            Placeholder("amount_ttc", gettext_lazy("amount including VAT"), "1 234,56 €"),
            Placeholder("due_date", gettext_lazy("due date"), "30/12/2026"),
            Placeholder(
                "portal_url", gettext_lazy("link to the customer area"), "https://acme.example/portal/"
            ),
        ),
        "Votre facture {{ invoice_number }} - {{ company_name }}",
        "Bonjour {{ customer_name }},\n\n"
        "Votre facture {{ invoice_number }} du {{ invoice_date }}, d'un montant de {{ amount_ttc }} TTC, "
        "est disponible (échéance le {{ due_date }}). Vous la trouverez en pièce jointe et dans votre "
        "espace client : {{ portal_url }}\n\n"
        "Cordialement,\nL'équipe {{ company_name }}\n",
    ),
    EmailKind.PASSWORD_RESET: EmailSpec(
        EmailKind.PASSWORD_RESET,
        (
            *_COMMON,
            Placeholder("user_name", gettext_lazy("person's name"), "Marie Dupont"),
            Placeholder("login", gettext_lazy("login"), "dupont"),
            Placeholder(
                "reset_link",
                gettext_lazy("link to choose a new password"),
                "https://acme.example/reset/MQ/abc123/",
            ),
        ),
        "Réinitialisation de votre mot de passe {{ company_name }}",
        "Bonjour {{ user_name }},\n\n"
        "Une réinitialisation du mot de passe de l'identifiant {{ login }} a été demandée.\n"
        "Pour choisir un nouveau mot de passe, suivez ce lien (valable 24 heures) :\n{{ reset_link }}\n\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n\n"
        "L'équipe {{ company_name }}\n",
    ),
    EmailKind.ORDER_CONFIRMATION: EmailSpec(
        EmailKind.ORDER_CONFIRMATION,
        (
            *_COMMON,
            _CUSTOMER,
            Placeholder("order_number", gettext_lazy("order number"), "CMD-2026-0117"),
            Placeholder("order_date", gettext_lazy("order date"), "21/11/2026"),
            Placeholder(
                "order_summary", gettext_lazy("what was ordered"), "2 lignes mobiles - Forfait Pro 100 Go"
            ),
        ),
        "Confirmation de votre commande {{ order_number }}",
        "Bonjour {{ customer_name }},\n\n"
        "Nous avons bien reçu votre commande {{ order_number }} du {{ order_date }} :\n"
        "{{ order_summary }}\n\n"
        "Nous vous tiendrons informé de son avancement.\n\n"
        "Cordialement,\nL'équipe {{ company_name }}\n",
    ),
}

# Anything that looks like template syntax: `{{ … }}`, `{% … %}`, `{# … #}`.
_SYNTAX_RE = re.compile(r"\{\{(.*?)\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_NAME_RE = re.compile(r"\s*([a-z_][a-z0-9_]*)\s*")


def email_spec(kind: str) -> EmailSpec:
    try:
        return EMAIL_SPECS[kind]
    except KeyError:
        raise ApplicationError(_("Unknown e-mail %(kind)s.") % {"kind": kind}, field="kind") from None


def template_text_validate(text: str, *, allowed: frozenset[str], field: str = "body") -> str:
    """Only `{{ name }}` placeholders of the allowed names; any other template syntax is refused."""
    position = 0
    for match in _SYNTAX_RE.finditer(text):
        _check_plain(text[position : match.start()], field)
        position = match.end()
        if match.group(1) is None:
            raise ApplicationError(
                _(
                    "“%(code)s” is refused: only placeholders such as {{ customer_name }} are allowed, no template tags or comments."
                )
                % {"code": _short(match.group(0))},
                field=field,
            )
        name = _NAME_RE.fullmatch(match.group(1))
        if name is None:
            raise ApplicationError(
                _(
                    "“%(code)s” is refused: a placeholder is a single name such as {{ customer_name }}, without dots, filters or other expressions."
                )
                % {"code": _short(match.group(0))},
                field=field,
            )
        if name.group(1) not in allowed:
            raise ApplicationError(
                _("Unknown placeholder {{ %(name)s }}. Available: %(names)s.")
                % {"name": name.group(1), "names": ", ".join(sorted(allowed))},
                field=field,
            )
    _check_plain(text[position:], field)
    return text


def _check_plain(text: str, field: str) -> None:
    for marker in ("{{", "}}", "{%", "%}", "{#", "#}"):
        if marker in text:
            raise ApplicationError(
                _("“%(marker)s” is not closed or not part of a placeholder such as {{ customer_name }}.")
                % {"marker": marker},
                field=field,
            )


def _short(code: str) -> str:
    return code if len(code) <= 60 else code[:57] + "…"


def template_text_render(text: str, *, values: dict[str, Any]) -> str:
    """Replace each valid placeholder by its value (missing ones by nothing); nothing else is evaluated."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return ""
        name = _NAME_RE.fullmatch(match.group(1))
        if name is None:
            return ""
        value = values.get(name.group(1), "")
        return "" if value is None else str(value)

    return _SYNTAX_RE.sub(replace, text)


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
    domain = tenant.get_primary_domain()
    if domain is None:
        return ""
    scheme = "https" if settings.SESSION_COOKIE_SECURE else "http"
    return f"{scheme}://{domain.domain}/"


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
    from tenants.settings.selectors import email_template_get

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
    rendered_subject = " ".join(template_text_render(subject, values=values).split())
    return RenderedEmail(
        subject=rendered_subject,
        body=template_text_render(body, values=values),
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
) -> RenderedEmail:
    """Render the e-mail of `kind` for the tenant and send it (plain text) to `to`."""
    recipients = [address for address in to if address]
    if not recipients:
        raise ApplicationError(_("There is no e-mail address to send this to."))
    rendered = email_render(kind=kind, context=context, tenant=tenant)
    message = EmailMessage(
        subject=rendered.subject,
        body=rendered.body,
        from_email=rendered.from_email,
        to=recipients,
        reply_to=reply_to,
    )
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    message.send()
    return rendered


def password_reset_send(*, context: dict[str, Any], to_email: str) -> bool:
    """Send Django's password-reset mail with the tenant's "password recovery" template.

    Returns False on the platform's own site, where the default mail is used.
    """
    tenant = _current_tenant()
    if tenant is None:
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
            "reset_link": f"{context['protocol']}://{context['domain']}{path}",
        },
    )
    return True
