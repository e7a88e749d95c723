"""The kinds of e-mail a tenant sends to its customers: the placeholders each kind's template may
use (with a label and a sample value) and the default French text.

Both the mail path (`tenants.settings.mail`) and the reads (`tenants.settings.selectors`) need
them; they live here so those two modules import this one and never each other.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from tenants.models import EmailKind


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
    # To the tenant's technical contact (not a customer): what the operator refused or disagrees with.
    EmailKind.OPERATOR_ALERT: EmailSpec(
        EmailKind.OPERATOR_ALERT,
        (
            *_COMMON,
            Placeholder("rejected_count", gettext_lazy("number of actions refused"), "1"),
            Placeholder("disagreement_count", gettext_lazy("number of new disagreements"), "2"),
            Placeholder(
                "summary",
                gettext_lazy("list of the refusals and disagreements"),
                "- 33612345678 : restriction sortante refusée (ICCID inconnu)\n"
                "- 8933012026100000004 : ISM actif, opérateur SUSPENDED",
            ),
            Placeholder(
                "link", gettext_lazy("link to the disagreements page"), "https://acme.example/lines/"
            ),
        ),
        "{{ company_name }} : {{ rejected_count }} refus et {{ disagreement_count }} écart(s) avec l'opérateur",
        "Bonjour,\n\n"
        "L'opérateur a refusé {{ rejected_count }} action(s) et {{ disagreement_count }} nouvel(s) écart(s) "
        "ont été relevés entre l'ISM et l'opérateur :\n\n"
        "{{ summary }}\n\n"
        "Le détail est sur la page des écarts : {{ link }}\n\n"
        "L'équipe {{ company_name }}\n",
    ),
    EmailKind.CONSUMPTION_ALERT: EmailSpec(
        EmailKind.CONSUMPTION_ALERT,
        (
            *_COMMON,
            _CUSTOMER,
            Placeholder("line_number", gettext_lazy("line number"), "33612345678"),
            Placeholder("allowance", gettext_lazy("allowance"), "Données 10 Go (FR_MOBILE)"),
            Placeholder("percent", gettext_lazy("share of the allowance used"), "80"),
            Placeholder("month", gettext_lazy("month"), "11/2026"),
        ),
        "{{ company_name }} : {{ percent }} % de votre forfait utilisés sur la ligne {{ line_number }}",
        "Bonjour {{ customer_name }},\n\n"
        "La ligne {{ line_number }} a utilisé {{ percent }} % de son forfait « {{ allowance }} » "
        "pour le mois {{ month }}.\n"
        "Au-delà du forfait, les consommations sont facturées selon votre grille tarifaire.\n\n"
        "Cordialement,\nL'équipe {{ company_name }}\n",
    ),
    EmailKind.ROAMING_CAP_ALERT: EmailSpec(
        EmailKind.ROAMING_CAP_ALERT,
        (
            *_COMMON,
            _CUSTOMER,
            Placeholder("line_number", gettext_lazy("line number"), "33612345678"),
            Placeholder("spent", gettext_lazy("data roaming spent (excl. VAT)"), "40,00 €"),
            Placeholder("cap", gettext_lazy("spending cap (excl. VAT)"), "50,00 €"),
            Placeholder("percent", gettext_lazy("share of the cap reached"), "80"),
            Placeholder(
                "consequence",
                gettext_lazy("what happens now"),
                "Les données à l'étranger seront coupées à 100 % du plafond.",
            ),
        ),
        "{{ company_name }} : plafond de données en itinérance atteint à {{ percent }} % ({{ line_number }})",
        "Bonjour {{ customer_name }},\n\n"
        "Les données consommées à l'étranger par la ligne {{ line_number }} ce mois-ci atteignent "
        "{{ spent }} HT, soit {{ percent }} % du plafond de {{ cap }} HT.\n"
        "{{ consequence }}\n\n"
        "Pour lever ce plafond, contactez-nous.\n\n"
        "Cordialement,\nL'équipe {{ company_name }}\n",
    ),
    EmailKind.PAYMENT_REMINDER: EmailSpec(
        EmailKind.PAYMENT_REMINDER,
        (
            *_COMMON,
            _CUSTOMER,
            Placeholder("invoice_number", gettext_lazy("invoice number"), "FA202611-00042"),
            Placeholder("invoice_date", gettext_lazy("invoice date"), "30/11/2026"),
            Placeholder("amount_due", gettext_lazy("amount left to pay"), "1 234,56 €"),
            Placeholder("due_date", gettext_lazy("due date"), "30/12/2026"),
            Placeholder("days_late", gettext_lazy("days late"), "15"),
            Placeholder(
                "portal_url", gettext_lazy("link to the customer area"), "https://acme.example/portal/"
            ),
        ),
        "Rappel : facture {{ invoice_number }} en attente de règlement - {{ company_name }}",
        "Bonjour {{ customer_name }},\n\n"
        "Sauf erreur de notre part, votre facture {{ invoice_number }} du {{ invoice_date }}, "
        "échue le {{ due_date }} ({{ days_late }} jours de retard), reste à régler pour "
        "{{ amount_due }} TTC.\n\n"
        "Vous pouvez la consulter et la régler depuis votre espace client : {{ portal_url }}\n"
        "Si vous avez réglé cette facture entre-temps, merci de ne pas tenir compte de ce message.\n\n"
        "Cordialement,\nL'équipe {{ company_name }}\n",
    ),
}


def email_spec(kind: str) -> EmailSpec:
    try:
        return EMAIL_SPECS[kind]
    except KeyError:
        raise ApplicationError(_("Unknown e-mail %(kind)s.") % {"kind": kind}, field="kind") from None
