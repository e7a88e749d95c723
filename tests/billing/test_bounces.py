"""Bounce reports (RFC 3464 delivery-status messages) read from an uploaded .eml, the API or a
Maildir folder: the invoice e-mail they name by its Message-ID becomes "bounced" with the reason;
a delayed report, a forged one or another tenant's changes nothing."""

import datetime as dt
import json
from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from billing.models import EmailStatus, InvoiceEmail
from billing.services_bounces import bounce_parse, bounces_record
from billing.services_mail import mailing_create
from tests.billing.test_mailing import TODAY, _execute, _run_with_invoices
from tests.conftest import in_schema


def dsn(message_id: str, recipient: str, *, action: str = "failed", headers_only: bool = False) -> bytes:
    """A delivery-status notification as Postfix sends one, quoting the original message."""
    original_headers = (
        f"Message-ID: {message_id}\r\nSubject: Votre facture\r\nTo: {recipient}\r\n"
        "From: Acme <factures@acme.example>\r\n"
    )
    quoted = (
        "Content-Type: text/rfc822-headers\r\n\r\n" + original_headers
        if headers_only
        else "Content-Type: message/rfc822\r\n\r\n"
        + original_headers
        + "\r\nBonjour, votre facture est jointe.\r\n"
    )
    return (
        "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
        "To: factures@acme.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"\r\n\r\n'
        "--B0UND\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        "--B0UND\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\nArrival-Date: Tue, 2 Feb 2027 10:00:00 +0100\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nOriginal-Recipient: rfc822;{recipient}\r\n"
        f"Action: {action}\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.client.example\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected:\r\n"
        "    User unknown in virtual mailbox table\r\n\r\n"
        "--B0UND\r\n" + quoted + "\r\n--B0UND--\r\n"
    ).encode()


def _sent(tenant, mailoutbox, n=2):
    run, invoices = _run_with_invoices(n)
    mailing = mailing_create(run=run, by=None, now=dt.datetime(2027, 2, 2, 9, tzinfo=dt.UTC))
    _execute(tenant, mailing)
    ids = {m.to[0]: m.extra_headers["Message-ID"] for m in mailoutbox}
    return mailing, ids


def test_a_sent_e_mail_carries_our_message_id_and_its_report_marks_it_bounced(acme, mailoutbox):
    with in_schema(acme):
        mailing, ids = _sent(acme, mailoutbox)
        message_id = ids["client0@example.com"]
        assert message_id.startswith("<invoice-email.acme.") and message_id.endswith(">")
        assert InvoiceEmail.objects.get(to="client0@example.com").message_id == message_id
        assert "Message-ID: " + message_id in mailoutbox[0].message().as_string()

        parsed = bounce_parse(dsn(message_id, "client0@example.com"))
        assert [(b.message_id, b.recipient, b.status) for b in parsed] == [
            (message_id, "client0@example.com", "5.1.1")
        ]
        assert "User unknown" in parsed[0].reason
        # headers only (text/rfc822-headers), as some servers send them
        assert bounce_parse(dsn(message_id, "x@example.com", headers_only=True))[0].message_id == message_id
        # a "delayed" report is no bounce
        result = bounces_record(files=[("delayed.eml", dsn(message_id, "c@x", action="delayed"))], by=None)
        assert result.counts()["bounced"] == 0
        assert InvoiceEmail.objects.get(to="client0@example.com").status == EmailStatus.SENT

        result = bounces_record(
            files=[
                ("a.eml", dsn(message_id, "client0@example.com")),
                ("forged.eml", dsn("<invoice-email.acme.1.0000@ism.localhost>", "client1@example.com")),
                ("note.txt", b"hello"),
            ],
            by=None,
        )
        assert result.counts() == {"bounced": 1, "already": 0, "unknown": 1, "not_reports": 1}
        bounced = InvoiceEmail.objects.get(to="client0@example.com")
        assert bounced.status == EmailStatus.BOUNCED and "5.1.1" in bounced.error
        assert InvoiceEmail.objects.get(to="client1@example.com").status == EmailStatus.SENT
        again = bounces_record(files=[("a.eml", dsn(message_id, "client0@example.com"))], by=None)
        assert again.counts()["already"] == 1


def test_the_mailing_page_reads_uploaded_reports_and_shows_the_bounce(
    acme, nova, make_user, client_for, api_for, mailoutbox
):
    with in_schema(acme):
        mailing, ids = _sent(acme, mailoutbox)
    client = client_for(acme, make_user(acme, "accountant"))
    page = client.get(f"/billing/mailings/{mailing.pk}/")
    assert 'name="files"' in page.content.decode()
    answer = client.post(
        f"/billing/mailings/{mailing.pk}/bounces/",
        {"files": [SimpleUploadedFile("bounce.eml", dsn(ids["client0@example.com"], "client0@example.com"))]},
        follow=True,
    )
    body = answer.content.decode()
    assert answer.status_code == 200 and "Revenu en erreur" in body
    assert "User unknown" in body
    with in_schema(acme):
        assert InvoiceEmail.objects.get(to="client0@example.com").status == EmailStatus.BOUNCED
        from audit.models import AuditEvent

        assert AuditEvent.objects.filter(action="invoice_email.bounced").count() == 1

    # the API; and nova's staff cannot mark acme's e-mail with acme's report
    api = api_for(acme, make_user(acme, "admin", username="admin-api"))
    reply = api.post(
        "/api/v1/email-bounces/",
        {"files": [SimpleUploadedFile("b.eml", dsn(ids["client1@example.com"], "client1@example.com"))]},
        format="multipart",
    )
    assert reply.status_code == 200, reply.content
    assert reply.json()["bounced"] == ["client1@example.com"]
    nova_api = api_for(nova, make_user(nova, "admin"))
    reply = nova_api.post(
        "/api/v1/email-bounces/",
        {"files": [SimpleUploadedFile("b.eml", dsn(ids["client0@example.com"], "client0@example.com"))]},
        format="multipart",
    )
    assert reply.status_code == 200 and reply.json()["bounced"] == [] and len(reply.json()["unknown"]) == 1
    assert (
        client_for(nova, make_user(nova, "accountant"))
        .post(f"/billing/mailings/{mailing.pk}/bounces/", {"files": [SimpleUploadedFile("b.eml", b"x")]})
        .status_code
        == 404
    )
    support = client_for(acme, make_user(acme, "support"))
    assert support.post(f"/billing/mailings/{mailing.pk}/bounces/", {}).status_code == 403


def test_the_command_reads_a_maildir_once(acme, mailoutbox, tmp_path):
    with in_schema(acme):
        _mailing, ids = _sent(acme, mailoutbox)
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "1700000000.1.mx").write_bytes(dsn(ids["client1@example.com"], "client1@example.com"))
    (tmp_path / "new" / "1700000001.2.mx").write_bytes(b"Subject: hello\n\nnot a report")
    out = StringIO()
    call_command("billing_bounces", "--tenant", "acme", "--maildir", str(tmp_path), stdout=out)
    assert json.loads(out.getvalue()) == {"bounced": 1, "already": 0, "unknown": 0, "not_reports": 1}
    assert not list((tmp_path / "new").iterdir()) and len(list((tmp_path / "cur").iterdir())) == 2
    out = StringIO()
    call_command("billing_bounces", "--tenant", "acme", "--maildir", str(tmp_path), stdout=out)
    assert json.loads(out.getvalue())["bounced"] == 0  # read once
    with in_schema(acme):
        assert InvoiceEmail.objects.get(to="client1@example.com").status == EmailStatus.BOUNCED
    assert TODAY
