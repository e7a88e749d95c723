"""The one e-mail path of the project: `mail_send(...)` sends one message, given everything as
arguments, through the configured backend (`EMAIL_URL`: SMTP, console, or `filemail://` files).

A message is either written out (`subject`, `body`, optional `html_body`) or rendered from a
template whose text the caller passes in (`template=MailTemplate(subject, body)`, `values={...}`).
Templates are a sandbox: only `{{ name }}` placeholders are replaced; no tags, filters, attribute
walks or other variables, so whoever writes a template cannot reach settings or objects.

This is the only module that imports `django.core.mail`'s message classes. It knows nothing of
tenants: who sends, with which template, is the caller's business (`tenants.settings.mail`).
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.translation import gettext as _

from core.errors import ApplicationError


class Attachment(NamedTuple):
    """A file joined to a message (a plain `(name, content, mimetype)` tuple works too)."""

    name: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class MailTemplate:
    """A template's text (subject and body), e.g. a tenant's saved one or a default."""

    subject: str
    body: str


@dataclass(frozen=True)
class SentMail:
    subject: str
    body: str
    from_email: str
    to: tuple[str, ...]


# --- The template sandbox ----------------------------------------------------------------------
# Anything that looks like template syntax: `{{ … }}`, `{% … %}`, `{# … #}`.
_SYNTAX_RE = re.compile(r"\{\{(.*?)\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_NAME_RE = re.compile(r"\s*([a-z_][a-z0-9_]*)\s*")


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


def template_text_render(text: str, *, values: Mapping[str, Any]) -> str:
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


def mail_render(template: MailTemplate, *, values: Mapping[str, Any]) -> tuple[str, str]:
    """The subject (on one line: a header cannot hold a line break) and body of `template`."""
    subject = " ".join(template_text_render(template.subject, values=values).split())
    return subject, template_text_render(template.body, values=values)


# --- Sending -----------------------------------------------------------------------------------
def _addresses(addresses: Iterable[str] | None) -> list[str]:
    return [address for address in addresses or () if address]


def mail_send(
    *,
    to: Sequence[str],
    subject: str = "",
    body: str = "",
    html_body: str | None = None,
    from_email: str | None = None,
    cc: Sequence[str] | None = None,
    bcc: Sequence[str] | None = None,
    reply_to: Sequence[str] | None = None,
    attachments: Iterable[Attachment | tuple[str, bytes, str]] = (),
    template: MailTemplate | None = None,
    values: Mapping[str, Any] | None = None,
    connection: BaseEmailBackend | None = None,
    headers: Mapping[str, str] | None = None,
) -> SentMail:
    """Send one message through the configured backend (or `connection`).

    With `template`, the subject and body are rendered from it with `values` (the sandbox above);
    `from_email` defaults to `DEFAULT_FROM_EMAIL`. Empty addresses are dropped; a message left
    with no recipient is refused.
    """
    recipients = _addresses(to)
    if not recipients:
        raise ApplicationError(_("There is no e-mail address to send this to."))
    if template is not None:
        subject, body = mail_render(template, values=values or {})
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email,
        to=recipients,
        cc=_addresses(cc),
        bcc=_addresses(bcc),
        reply_to=_addresses(reply_to),
        connection=connection,
        headers=dict(headers or {}),
    )
    if html_body is not None:
        message.attach_alternative(html_body, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()
    return SentMail(subject=subject, body=body, from_email=message.from_email, to=tuple(recipients))
