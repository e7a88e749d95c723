"""core.mail: the one e-mail path (locmem in tests, files where `filemail://` says), its template
sandbox, and no other module of the project sending mail or files on its own."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from core.errors import ApplicationError
from core.mail import Attachment, MailTemplate, mail_send, template_text_validate

ROOT = Path(__file__).resolve().parents[2]


def test_mail_send_sends_text_html_copies_and_attachments_through_the_backend():
    sent = mail_send(
        subject="Votre facture",
        body="Bonjour,\nVoici votre facture.",
        html_body="<p>Bonjour,</p>",
        from_email="Acme Télécom <factures@acme.example>",
        to=["client@example.com", ""],
        cc=["compta@example.com"],
        reply_to=["support@acme.example"],
        attachments=[
            Attachment("FA-0001.pdf", b"%PDF-1.7 fake", "application/pdf"),
            ("recap.csv", b"a;b\n", "text/csv"),
        ],
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Votre facture" and message.body.startswith("Bonjour,")
    assert message.from_email == "Acme Télécom <factures@acme.example>"
    assert message.to == ["client@example.com"] and message.cc == ["compta@example.com"]
    assert message.reply_to == ["support@acme.example"]
    assert message.alternatives[0][0] == "<p>Bonjour,</p>"
    assert [(a[0], a[1], a[2]) for a in message.attachments] == [
        ("FA-0001.pdf", b"%PDF-1.7 fake", "application/pdf"),
        ("recap.csv", "a;b\n", "text/csv"),  # Django hands text attachments back decoded
    ]
    assert sent.to == ("client@example.com",) and sent.subject == "Votre facture"


def test_the_default_sender_is_the_platform_address(settings):
    settings.DEFAULT_FROM_EMAIL = "ISM <no-reply@ism.example>"
    mail_send(subject="s", body="b", to=["a@example.com"])
    assert mail.outbox[0].from_email == "ISM <no-reply@ism.example>"


def test_a_message_without_any_address_is_refused():
    with pytest.raises(ApplicationError):
        mail_send(subject="s", body="b", to=["", ""])
    assert mail.outbox == []


def test_a_template_passed_in_is_rendered_in_the_sandbox():
    template = MailTemplate(
        subject="Facture {{ number }}\nBcc: intrus@example.com",
        body="Bonjour {{ name }}, {{ settings.SECRET_KEY }}{% if 1 %}x{% endif %}{{ missing }}.",
    )
    sent = mail_send(to=["a@example.com"], template=template, values={"number": "FA-1", "name": "Marie"})
    message = mail.outbox[0]
    assert message.subject == sent.subject == "Facture FA-1 Bcc: intrus@example.com"  # one line
    assert message.body == "Bonjour Marie, x."
    assert message.bcc == []


def test_template_text_is_checked_against_the_allowed_placeholders():
    assert template_text_validate("Bonjour {{ name }}", allowed=frozenset({"name"})) == "Bonjour {{ name }}"
    for text in ("{{ other }}", "{{ name.upper }}", "{% load x %}", "{{ name"):
        with pytest.raises(ApplicationError):
            template_text_validate(text, allowed=frozenset({"name"}))


def test_the_file_backend_writes_the_message_where_configured(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    mail_send(
        subject="Relevé",
        body="Corps du message",
        to=["a@example.com"],
        attachments=[("r.csv", b"x;y\n", "text/csv")],
    )
    [written] = list((tmp_path / "mail").iterdir())
    content = written.read_text()
    assert "To: a@example.com" in content and 'filename="r.csv"' in content


def test_a_filemail_url_keeps_its_absolute_path(tmp_path):
    """EMAIL_URL=filemail:///abs/path (as the demo sets it) writes under /abs/path, not ./abs/path."""
    target = tmp_path / "outbox"
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ism.settings", "EMAIL_URL": f"filemail://{target}"}
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert output == ["django.core.mail.backends.filebased.EmailBackend", str(target)]


def _project_modules() -> list[Path]:
    skip = {".venv", "tests", "migrations", "node_modules", ".git", ".ism", "scripts"}
    return [p for p in ROOT.rglob("*.py") if not skip.intersection(p.relative_to(ROOT).parts)]


@pytest.mark.parametrize(
    ("pattern", "owner"),
    [
        (r"^\s*(from django\.core\.mail import|import django\.core\.mail)", "core/mail.py"),
        (r"^\s*(import|from) (ftplib|paramiko)\b", "core/transfer.py"),
    ],
)
def test_one_module_sends_mail_and_one_transfers_files(pattern, owner):
    regex = re.compile(pattern, re.MULTILINE)
    users = sorted(str(p.relative_to(ROOT)) for p in _project_modules() if regex.search(p.read_text()))
    assert users == [owner]
