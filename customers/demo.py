"""Demo customers: a few hundred French businesses and consumers per tenant, every payment mode,
valid SIRENs and IBANs, some prepaid and strict customers, ledger entries, and one portal account
(login C000001). Deterministic (seeded by the schema name), idempotent, and bulk-created to stay fast."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import schwifty
from django.db import transaction

from accounts.models import Role, User
from core.money import vat_amount
from customers.models import (
    BalanceMode,
    BalancePolicy,
    Contact,
    ContactRole,
    Customer,
    CustomerKind,
    CustomerNumberCounter,
    EntryKind,
    LedgerEntry,
    Mandate,
    PaymentMethod,
    PaymentMode,
    SequenceType,
)
from customers.selectors import phone_digits

DEMO_CUSTOMERS = 300
PORTAL_LOGIN = "C000001"

FIRST_NAMES = [
    "Camille", "Lea", "Manon", "Chloe", "Emma", "Ines", "Julie", "Sarah", "Claire", "Sophie",
    "Lucas", "Hugo", "Louis", "Gabriel", "Arthur", "Jules", "Thomas", "Nicolas", "Antoine", "Pierre",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "Andre", "Mercier", "Dupont", "Lambert", "Bonnet", "Francois", "Martinez", "Legrand",
]  # fmt: skip
TRADES = [
    "BOULANGERIE", "GARAGE", "CABINET", "TRANSPORTS", "PHARMACIE", "AMBULANCES", "PLOMBERIE", "ELECTRICITE",
    "AGENCE", "IMMOBILIER", "RESTAURANT", "HOTEL", "CONSEIL", "BATIMENT", "NETTOYAGE", "FLEURS",
]  # fmt: skip
FORMS = ["SARL", "SAS", "SASU", "EURL", "SA", ""]
CITIES = [
    ("75011", "Paris"), ("69003", "Lyon"), ("13006", "Marseille"), ("31000", "Toulouse"), ("33000", "Bordeaux"),
    ("59000", "Lille"), ("44000", "Nantes"), ("67000", "Strasbourg"), ("34000", "Montpellier"), ("35000", "Rennes"),
    ("06000", "Nice"), ("38000", "Grenoble"), ("21000", "Dijon"), ("37000", "Tours"), ("87000", "Limoges"),
]  # fmt: skip
STREETS = [
    "rue de la Republique", "avenue Jean Jaures", "boulevard Victor Hugo", "rue Pasteur", "place de la Gare",
    "rue des Lilas", "chemin des Vignes", "avenue de la Liberation", "rue du Moulin", "allee des Tilleuls",
]  # fmt: skip
# French bank codes (with a branch) and their BIC.
BANKS = [
    ("3000400123", "BNPAFRPP"),
    ("3000300456", "SOGEFRPP"),
    ("3000200789", "CRLYFRPP"),
    ("1027800001", "CMCIFR2A"),
    ("2004101005", "PSSTFRPP"),
]
SUSPENDED_AT = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
PAYMENT_MODES = [
    PaymentMode.SEPA,
    PaymentMode.SEPA,
    PaymentMode.TRANSFER,
    PaymentMode.CHEQUE,
    PaymentMode.CARD,
]


def _siren(rng: random.Random) -> str:
    """Eight random digits and the Luhn check digit."""
    body = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
    for check in range(10):
        digits = [*body, check]
        total = 0
        for index, digit in enumerate(reversed(digits)):
            doubled = digit * 2 if index % 2 else digit
            total += doubled - 9 if doubled > 9 else doubled
        if total % 10 == 0:
            return "".join(map(str, digits))
    raise AssertionError("unreachable")


def _vat(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def _iban(rng: random.Random) -> tuple[str, str]:
    bank, bic = rng.choice(BANKS)
    account = f"{rng.randint(0, 10**11 - 1):011d}"
    return str(schwifty.IBAN.generate("FR", bank_code=bank, account_code=account).compact), bic


def _phone(rng: random.Random, mobile: bool) -> str:
    prefix = rng.choice(["06", "07"]) if mobile else rng.choice(["01", "02", "03", "04", "05"])
    return " ".join([prefix] + [f"{rng.randint(0, 99):02d}" for _ in range(4)])


def _balance(plan: dict[str, Any]) -> Decimal:
    charged = sum((Decimal(c) + vat_amount(Decimal(c), Decimal("20")) for c in plan["charges"]), Decimal(0))
    return Decimal(sum(plan["payments"])) - charged


def _slug(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())[:20]


@transaction.atomic
def seed_tenant(tenant: Any) -> None:
    rng = random.Random(f"customers-{tenant.schema_name}")
    domain = f"{tenant.schema_name}.example"
    numbers = [f"C{i:06d}" for i in range(1, DEMO_CUSTOMERS + 1)]
    existing = set(Customer.objects.filter(number__in=numbers).values_list("number", flat=True))
    today = date(2026, 1, 1)
    plans: list[dict[str, Any]] = []  # drawn for every number, so a partial earlier run gives the same data
    for number in numbers:
        business = rng.random() < 0.6
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        postal, city = rng.choice(CITIES)
        mode = rng.choice(PAYMENT_MODES)
        prepaid = rng.random() < 0.15
        strict = prepaid and rng.random() < 0.6 or rng.random() < 0.05
        siren = _siren(rng) if business else ""
        company = f"{rng.choice(TRADES)} {last.upper()} {rng.choice(FORMS)}".strip() if business else ""
        iban = _iban(rng) if mode == PaymentMode.SEPA else None
        payments = [rng.choice([20, 35, 50, 80, 120]) for _ in range(rng.randint(0, 3))]
        if number == PORTAL_LOGIN:  # the demo's portal account: a business paying by direct debit, in credit
            business, mode, company = True, PaymentMode.SEPA, f"BOULANGERIE {last.upper()} SARL"
            siren, iban, payments = siren or _siren(rng), iban or _iban(rng), [*payments, 120]
        charges = [rng.choice([15, 30, 45, 60]) for _ in range(rng.randint(0, 2))]
        plans.append(
            {
                "number": number,
                "business": business,
                "first": first,
                "last": last,
                "postal": postal,
                "city": city,
                "street": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                "mode": mode,
                "prepaid": prepaid,
                "strict": strict,
                "siren": siren,
                "company": company,
                "iban": iban,
                "payments": payments,
                "charges": charges,
                "phone": _phone(rng, mobile=not business),
                "days": rng.randint(1, 300),
            }
        )
    new = [p for p in plans if p["number"] not in existing]
    customers = Customer.objects.bulk_create(
        [
            Customer(
                number=p["number"],
                login=p["number"],
                kind=CustomerKind.BUSINESS if p["business"] else CustomerKind.CONSUMER,
                company_name=p["company"],
                siren=p["siren"],
                vat_number=_vat(p["siren"]) if p["siren"] else "",
                first_name="" if p["business"] else p["first"],
                last_name="" if p["business"] else p["last"],
                billing_line1=p["street"],
                billing_postal_code=p["postal"],
                billing_city=p["city"],
                payment_mode=p["mode"],
                no_detailed_invoice=p["business"] and p["days"] % 7 == 0,
                balance_mode=BalanceMode.PREPAID if p["prepaid"] else BalanceMode.POSTPAID,
                balance_policy=BalancePolicy.STRICT if p["strict"] else BalancePolicy.PERMISSIVE,
                suspended_for_balance=p["strict"] and _balance(p) <= 0,
                suspended_for_balance_at=SUSPENDED_AT if p["strict"] and _balance(p) <= 0 else None,
            )
            for p in new
        ]
    )
    by_number = {c.number: c for c in customers}
    contacts, mandates, entries = [], [], []
    for p in new:
        customer = by_number[p["number"]]
        name = f"{p['first']} {p['last']}"
        email = f"{_slug(p['first'])}.{_slug(p['last'])}.{p['number'].lower()}@{domain}"
        contacts.append(
            Contact(
                customer=customer,
                role=ContactRole.BILLING,
                name=name,
                email=email,
                phone=p["phone"],
                phone_digits=phone_digits(p["phone"]),
            )
        )
        contacts.append(Contact(customer=customer, role=ContactRole.LOGIN, name=name, email=email))
        if p["iban"]:
            iban, bic = p["iban"]
            mandates.append(
                Mandate(
                    customer=customer,
                    rum=f"{p['number']}-M001",
                    iban=iban,
                    bic=bic,
                    account_holder=p["company"] or name.upper(),
                    signed_on=today - timedelta(days=p["days"]),
                    sequence_type=SequenceType.RECURRING if p["days"] > 60 else SequenceType.FIRST,
                )
            )
        for index, amount in enumerate(p["charges"]):
            base = Decimal(amount)
            vat = vat_amount(base, Decimal("20"))
            entries.append(
                LedgerEntry(
                    customer=customer,
                    kind=EntryKind.CHARGE,
                    entry_date=today - timedelta(days=p["days"] - index),
                    description="Frais de mise en service" if index == 0 else "Frais de dossier",
                    amount_ht=base,
                    vat_rate=Decimal("20"),
                    amount_vat=vat,
                    amount_ttc=-(base + vat),
                )
            )
        for index, amount in enumerate(p["payments"]):
            entries.append(
                LedgerEntry(
                    customer=customer,
                    kind=EntryKind.PAYMENT,
                    entry_date=today - timedelta(days=max(p["days"] - 10 * (index + 1), 0)),
                    description="Rechargement" if p["prepaid"] else "Règlement",
                    method=PaymentMethod.SEPA if p["mode"] == PaymentMode.SEPA else PaymentMethod(p["mode"]),
                    amount_ttc=Decimal(amount),
                )
            )
    Contact.objects.bulk_create(contacts)
    Mandate.objects.bulk_create(mandates)
    LedgerEntry.objects.bulk_create(entries)
    counter, _ = CustomerNumberCounter.objects.get_or_create(pk=1)
    if counter.last < DEMO_CUSTOMERS:
        counter.last = DEMO_CUSTOMERS
        counter.save(update_fields=["last"])
    _seed_portal_account(domain)


def _seed_portal_account(domain: str) -> None:
    from tenants.platform.demo import DEMO_PASSWORD

    customer = Customer.objects.get(number=PORTAL_LOGIN)
    if customer.portal_user_id:
        return
    login = Contact.objects.get(customer=customer, role=ContactRole.LOGIN)
    user, created = User.objects.get_or_create(
        username=PORTAL_LOGIN,
        defaults={"role": Role.CUSTOMER, "email": login.email, "last_name": customer.display_name[:150]},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    customer.portal_user = user
    customer.save(update_fields=["portal_user"])
