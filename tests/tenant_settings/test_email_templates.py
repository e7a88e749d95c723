"""E-mail templates: only whitelisted {{ placeholders }}, previewed and tested with sample data."""

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import ApplicationError
from tenants.models import EmailKind, TenantEmailTemplate
from tenants.settings.mail import email_render, email_send, template_text_validate
from tenants.settings.services import email_template_save
from tests.conftest import in_schema

ALLOWED = frozenset({"customer_name", "company_name"})


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{% load static %}Bonjour", "ni balises de gabarit"),
        ("Clé : {{ settings.SECRET_KEY }}", "un nom seul"),
        ("{{ customer.__class__ }}", "un nom seul"),
        ("{{ customer_name|upper }}", "un nom seul"),
        ("{{ customer_name.__init__.__globals__ }}", "un nom seul"),
        ("{# hidden #}Bonjour", "ni balises de gabarit"),
        ("Bonjour {{ password }}", "Variable inconnue"),
        ("Bonjour {{ customer_name }", "pas fermé"),
    ],
)
def test_template_syntax_beyond_placeholders_is_refused(text, reason):
    with pytest.raises(ApplicationError, match=reason):
        template_text_validate(text, allowed=ALLOWED)


def test_known_placeholders_are_accepted_and_replaced_without_evaluating_anything(acme):
    rendered = email_render(
        kind=EmailKind.INVOICE,
        context={"customer_name": "<Dupont & Fils>", "invoice_number": "F-1", "secret": "nope"},
        tenant=acme,
        subject="Facture {{ invoice_number }}",
        body="Bonjour {{customer_name}}, {{ company_name }} vous remercie. {{ secret }}",
    )
    assert rendered.subject == "Facture F-1"
    assert rendered.body == "Bonjour <Dupont & Fils>, Acme Télécom vous remercie. "


def test_saving_a_template_with_a_tag_is_refused_on_the_page(acme, acme_admin, client_for):
    response = client_for(acme, acme_admin).post(
        "/settings/emails/invoice/",
        {"subject": "Facture", "body": "{% load static %}{{ settings.SECRET_KEY }}", "action": "save"},
    )
    assert response.status_code == 200
    assert "est refusé" in response.content.decode()
    assert not TenantEmailTemplate.objects.filter(tenant=acme).exists()


def test_an_attribute_walk_is_refused_through_the_api(acme, acme_admin, api_for):
    response = api_for(acme, acme_admin).put(
        "/api/v1/settings/email-templates/account_opening/",
        {"subject": "Bienvenue", "body": "{{ customer.__class__ }}"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "body"


def test_saved_template_is_used_and_audited(acme, acme_admin, client_for):
    response = client_for(acme, acme_admin).post(
        "/settings/emails/account_opening/",
        {
            "subject": "Bienvenue chez {{ company_name }}",
            "body": "Votre identifiant : {{ login }}",
            "action": "save",
        },
    )
    assert response.status_code == 302
    rendered = email_render(kind=EmailKind.ACCOUNT_OPENING, context={"login": "dupont"}, tenant=acme)
    assert rendered.subject == "Bienvenue chez Acme Télécom"
    assert rendered.body.strip() == "Votre identifiant : dupont"
    with in_schema(acme):
        event = AuditEvent.objects.get(action="tenant.email_template_changed")
    assert event.changes["kind"] == "account_opening"


def test_send_me_a_test_mails_the_admin_the_draft_with_sample_data(acme, acme_admin, client_for):
    acme.invoice_from_email = "factures@acme.example"
    acme.save(update_fields=["invoice_from_email"])
    response = client_for(acme, acme_admin).post(
        "/settings/emails/invoice/",
        {
            "subject": "Facture {{ invoice_number }}",
            "body": "Montant : {{ amount_ttc }} pour {{ customer_name }}",
            "action": "test",
        },
    )
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["claire@acme.example"]
    assert sent.subject == "[TEST] Facture FA202611-00042"
    assert "1 234,56 €" in sent.body and "Transports Dupont SARL" in sent.body
    assert sent.from_email == "Acme Télécom <factures@acme.example>"
    assert not TenantEmailTemplate.objects.filter(tenant=acme).exists()  # a test does not save


def test_preview_shows_the_draft_rendered_with_sample_data(acme, acme_admin, client_for):
    body = (
        client_for(acme, acme_admin)
        .post(
            "/settings/emails/order_confirmation/",
            {
                "subject": "Commande {{ order_number }}",
                "body": "Merci {{ customer_name }}",
                "action": "preview",
            },
        )
        .content.decode()
    )
    assert "Commande CMD-2026-0117" in body and "Merci Transports Dupont SARL" in body


def test_email_send_uses_the_default_french_template_when_the_tenant_has_none(nova):
    email_send(
        kind=EmailKind.PASSWORD_RESET,
        to=["marie@client.example"],
        context={"user_name": "Marie", "login": "marie", "reset_link": "https://x/reset/"},
        tenant=nova,
    )
    sent = mail.outbox[0]
    assert sent.subject == "Réinitialisation de votre mot de passe Nova Mobile"
    assert "Bonjour Marie" in sent.body and "https://x/reset/" in sent.body
    assert sent.from_email.startswith("Nova Mobile <")


def test_email_send_hands_attachments_and_reply_to_to_core_mail(nova, monkeypatch):
    import core.mail

    calls = []
    send = core.mail.mail_send
    monkeypatch.setattr("tenants.settings.mail.mail_send", lambda **kw: calls.append(kw) or send(**kw))
    email_send(
        kind=EmailKind.INVOICE,
        to=["compta@client.example", ""],
        context={"invoice_number": "FA-7"},
        tenant=nova,
        attachments=[("FA-7.pdf", b"%PDF-1.7", "application/pdf")],
        reply_to=["support@nova.example"],
    )
    assert len(calls) == 1 and calls[0]["to"] == ["compta@client.example"]
    sent = mail.outbox[0]
    assert sent.subject.startswith("Votre facture FA-7") and sent.reply_to == ["support@nova.example"]
    assert sent.attachments == [("FA-7.pdf", b"%PDF-1.7", "application/pdf")]


def test_a_template_of_one_tenant_is_not_used_for_another(acme, nova, acme_admin):
    with in_schema(acme):
        email_template_save(
            tenant=acme,
            kind=EmailKind.INVOICE,
            subject="ACME {{ invoice_number }}",
            body="acme",
            by=acme_admin,
        )
    assert email_render(
        kind=EmailKind.INVOICE, context={"invoice_number": "1"}, tenant=nova
    ).subject.startswith("Votre facture 1")


def test_the_site_address_is_filled_from_the_tenants_main_domain(nova):
    rendered = email_render(
        kind=EmailKind.INVOICE,
        context={},
        tenant=nova,
        subject="Facture",
        body="Votre espace : {{ site_url }}",
    )
    assert rendered.body == "Votre espace : http://nova.localhost/"


def test_password_recovery_on_a_tenant_site_uses_the_tenants_template(acme, nova, make_user, client_for):
    admin = make_user(acme, "admin")
    with in_schema(acme):
        email_template_save(
            tenant=acme,
            kind=EmailKind.PASSWORD_RESET,
            subject="Acme : votre nouveau mot de passe",
            body="Bonjour {{ user_name }}, suivez ce lien : {{ reset_link }}",
            by=admin,
        )
    user = make_user(acme, "support", email="sophie@acme.example", first_name="Sophie", last_name="Petit")
    client_for(acme).post("/password-reset/", {"email": user.username})
    assert [m.subject for m in mail.outbox] == ["Acme : votre nouveau mot de passe"]
    assert "Bonjour Sophie Petit, suivez ce lien : http://acme.localhost/reset/" in mail.outbox[0].body
    assert mail.outbox[0].from_email.startswith("Acme Télécom")
    # Nova keeps its own (default) wording.
    other = make_user(nova, "support", email="paul@nova.example")
    client_for(nova).post("/password-reset/", {"email": other.username})
    assert mail.outbox[1].subject.startswith("Réinitialisation de votre mot de passe Nova Mobile")


def test_customer_logins_are_sent_with_the_tenants_account_opening_template(acme, make_user, client_for):
    from customers.services import customer_create, customer_send_logins

    admin = make_user(acme, "admin")
    with in_schema(acme):
        email_template_save(
            tenant=acme,
            kind=EmailKind.ACCOUNT_OPENING,
            subject="Bienvenue chez {{ company_name }}",
            body="{{ customer_name }}, identifiant {{ login }}, lien {{ set_password_link }}",
            by=admin,
        )
        customer = customer_create(
            now=timezone.now(),
            by=admin,
            data={"kind": "business", "company_name": "ETOILE BLEUE"},
            login_contact={"name": "Lea Martin", "email": "lea@client.example"},
        )
        customer_send_logins(customer=customer, by=admin)
    message = mail.outbox[-1]
    assert message.subject == "Bienvenue chez Acme Télécom" and message.to == ["lea@client.example"]
    assert customer.number in message.body and "http://acme.localhost/reset/" in message.body
