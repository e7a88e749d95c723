"""Issue 10: every create/edit form shows all its errors after ONE submit, each on its field,
with what was typed kept. Each case below breaks a field's own validation (required, e-mail
format, an amount) AND business rules that only the service checks (`core.forms.ServiceChecks`):
both kinds must show together, and nothing is written."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import in_schema

TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()


@dataclass
class Case:
    url: str
    data: dict[str, str]
    fields: set[str]  # every field that must carry an error after the one submit
    kept: str  # a typed value the page shows again
    form: str = "form"  # the context name of the form
    rows: dict[int, set[str]] = field(default_factory=dict)  # formset rows and their fields
    status: int = 200


def _customer(tenant: Any) -> Any:
    from customers.services import customer_create

    with in_schema(tenant):
        return customer_create(
            by=None, now=timezone.now(), data={"kind": "business", "company_name": "CLIENT FORMULAIRE"}
        )


def _rate_table(tenant: Any) -> Any:
    from offers.services import rate_table_create

    with in_schema(tenant):
        return rate_table_create(data={"code": "FORMS", "label": "Formulaires", "kind": "retail"}, by=None)


CUSTOMER = {
    "kind": "business",
    "billing_country": "FR",
    "payment_mode": "transfer",
    "balance_mode": "postpaid",
    "balance_policy": "permissive",
}
ITEM = {"label": "Article", "price": "-5,00", "vat_rate": "20"}


def customer_create(tenant: Any) -> Case:
    data = {**CUSTOMER, "company_name": "", "siren": "123", "billing_email": "pas-une-adresse"}
    data.update(login_name="Léa", login_email="lea@", number="ABC DEF", iban="FR00 1234", bic="XX")
    data.update(signed_on=TOMORROW)
    return Case(
        "/customers/new/",
        data,
        {"billing_email", "login_email", "company_name", "siren", "iban", "bic", "signed_on"},
        "pas-une-adresse",
    )


def customer_edit(tenant: Any) -> Case:
    customer = _customer(tenant)
    data = {
        **CUSTOMER,
        "company_name": "CLIENT FORMULAIRE",
        "siren": "123",
        "billing_email": "pas-une-adresse",
    }
    data.update(login_email="sans-arobase", delivery_differs="on", delivery_country="FR")
    return Case(
        f"/customers/{customer.pk}/edit/",
        data,
        {"billing_email", "login_email", "siren", "delivery_line1", "delivery_city"},
        "pas-une-adresse",
    )


def mandate(tenant: Any) -> Case:
    customer = _customer(tenant)
    return Case(
        f"/customers/{customer.pk}/mandates/new/",
        {"iban": "", "bic": "XX", "signed_on": TOMORROW},
        {"iban", "bic", "signed_on"},
        'value="XX"',
    )


def charge(tenant: Any) -> Case:
    customer = _customer(tenant)
    data = {"amount_ht": "-12,50", "vat_rate": "120", "entry_date": "", "description": "", "step": "review"}
    return Case(
        f"/customers/{customer.pk}/charges/new/",
        {(k if k == "step" else f"charge-{k}"): v for k, v in data.items()},
        {"amount_ht", "vat_rate", "entry_date", "description"},
        'value="-12,50"',
        form="charge_form",
        status=400,
    )


def payment(tenant: Any) -> Case:
    customer = _customer(tenant)
    data = {
        "payment-amount": "-1 250,50",
        "payment-entry_date": "",
        "payment-method": "cheque",
        "step": "review",
    }
    return Case(
        f"/customers/{customer.pk}/payments/new/",
        data,
        {"amount", "entry_date"},
        'value="-1 250,50"',
        form="payment_form",
        status=400,
    )


def offer(tenant: Any) -> Case:
    data = {
        "code": "",
        "label": "Forfait",
        "price": "12,50",
        "vat_rate": "120",
        "billing_timing": "advance",
        "termination_rule": "fr_quarter",
        "valid_from": "2026-02-01",
        "valid_to": "2026-01-01",
        "allowances-TOTAL_FORMS": "2",
        "allowances-INITIAL_FORMS": "0",
        "allowances-0-event_type": "VOICE",
        "allowances-0-origin_zones": "HOME",
        "allowances-0-unit": "MIN",
        "allowances-0-quantity": "dix",
        "allowances-0-unlimited": "on",
        "allowances-1-event_type": "SMS",
        "allowances-1-origin_zones": "ATLANTIDE",
        "allowances-1-unit": "EVENT",
        "allowances-1-quantity": "100",
        "allowances-1-unlimited": "on",
    }
    return Case(
        "/catalogue/offers/new/",
        data,
        {"code", "vat_rate", "commitment_none", "valid_to"},
        'value="12,50"',
        rows={0: {"quantity"}, 1: {"quantity", "origin_zones"}},
    )


def option(tenant: Any) -> Case:
    return Case(
        "/catalogue/options/new/",
        {**ITEM, "code": "", "vat_rate": "120"},
        {"code", "price", "vat_rate"},
        "-5,00",
    )


def product(tenant: Any) -> Case:
    data = {**ITEM, "code": "", "kind": "", "vat_rate": "120"}
    return Case("/catalogue/products/new/", data, {"code", "kind", "price", "vat_rate"}, "-5,00")


def terminal(tenant: Any) -> Case:
    data = {**ITEM, "code": "", "brand": "Fairphone", "model": "5", "instalment_months": "12"}
    return Case("/catalogue/terminals/new/", data, {"code", "price", "instalment_months"}, "Fairphone")


def rate_table(tenant: Any) -> Case:
    data = {
        "code": "",
        "label": "Revente",
        "kind": "markup",
        "markup_fixed": "-1,00",
        "markup_percent": "-150",
    }
    return Case("/catalogue/rate-tables/new/", data, {"code", "markup_fixed", "markup_percent"}, "-150")


def rate(tenant: Any) -> Case:
    table = _rate_table(tenant)
    data = {
        "prefix": "+33 6",
        "destination": "",
        "zone": "FR_MOBILE",
        "event_type": "VOICE",
        "origin_zone": "HOME",
        "price": "-0,10",
        "unit": "MB",
        "first_increment": "60",
        "next_increment": "60",
        "connection_fee": "0",
        "valid_from": "",
    }
    return Case(
        f"/catalogue/rate-tables/{table.pk}/rates/new/",
        data,
        {"destination", "valid_from", "prefix", "price", "unit"},
        "+33 6",
    )


def bank_details(tenant: Any) -> Case:
    data = {"sepa_creditor_id": "FR00ZZZ1", "creditor_iban": "FR76 " + "1" * 50, "creditor_bic": "XX"}
    return Case("/settings/bank/", data, {"sepa_creditor_id", "creditor_iban", "creditor_bic"}, "FR00ZZZ1")


def branding(tenant: Any) -> Case:
    data = {"primary_color": "", "ink_color": "bleu", "welcome_message": "Bienvenue " * 101}
    return Case(
        "/settings/branding/", data, {"primary_color", "ink_color", "welcome_message"}, 'value="bleu"'
    )


def email_template(tenant: Any) -> Case:
    data = {"subject": "", "body": "Bonjour {{ inconnu }}", "action": "save"}
    return Case("/settings/emails/invoice/", data, {"subject", "body"}, "Bonjour {{ inconnu }}")


def invitation(tenant: Any, make_user: Callable[..., Any]) -> Case:
    make_user(tenant, "sales", username="deja-pris")
    data = {"username": "deja-pris", "email": "luc@", "role": "sales"}
    return Case("/settings/team/", data, {"username", "email"}, 'value="luc@"')


def order(tenant: Any) -> Case:
    from offers.models import Offer

    customer = _customer(tenant)
    with in_schema(tenant):
        offer = Offer.objects.create(code="FORMS-ORDER", label="Forfait commande", price="9.90")
    soon = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    line = {
        "line_type": "port",
        "user_name": "Jean @ Dupont",  # the operator's character rule (service)
        "sim": "999999999",  # not in the stock (the field)
        "port_msisdn": "0612345678",
        "rio": "01P123456ABC",  # a wrong key for that number (service)
        "porting_date": soon,  # before the porting window (service)
        "offer": str(offer.pk),
        "commitment_months": "0",
        "billing_timing": "advance",
        "discount_kind": "",
    }
    data = {"note": "", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1"}
    data.update({f"lines-0-{name}": value for name, value in line.items()})
    return Case(
        f"/lines/orders/new/{customer.pk}/",
        data,
        set(),
        "01P123456ABC",
        rows={0: {"sim", "user_name", "rio", "porting_date"}},
        status=400,
    )


def fixed_number(tenant: Any) -> Case:
    from provisioning.services.fixed import fixed_number_create

    with in_schema(tenant):
        fixed_number_create(number="0145000001", offer=None, rate_table=None, by=None)
    data = {"number": "01 45 00 00 01", "offer": "999999999", "rate_table": ""}
    return Case("/lines/fixed/new/", data, {"number", "offer"}, "01 45 00 00 01")


TENANT_CASES = [customer_create, customer_edit, mandate, charge, payment, offer, option, product, terminal]
TENANT_CASES += [rate_table, rate, bank_details, branding, email_template, invitation, order, fixed_number]


def _check(response: Any, case: Case) -> None:
    assert response.status_code == case.status, response.status_code
    form = response.context[case.form]
    missing = case.fields - set(form.errors)
    assert not missing, f"errors missing on {sorted(missing)}; shown: {dict(form.errors)}"
    for index, names in case.rows.items():
        row = response.context["formset"].forms[index]
        assert names <= set(row.errors), f"row {index}: {dict(row.errors)}"
    assert case.kept in response.content.decode()


@pytest.mark.parametrize("make_case", TENANT_CASES, ids=lambda f: f.__name__)
def test_a_tenant_form_shows_every_error_after_one_submit(
    acme, make_user, client_for, make_case: Callable[..., Case]
):
    from audit.models import AuditEvent

    case = make_case(acme, make_user) if make_case is invitation else make_case(acme)
    client = client_for(acme, make_user(acme, "admin"))
    with in_schema(acme):
        events = AuditEvent.objects.count()
    _check(client.post(case.url, case.data), case)
    with in_schema(acme):
        assert AuditEvent.objects.count() == events  # nothing was written


def test_the_new_tenant_form_shows_every_error_after_one_submit(platform, make_user, client_for):
    from tenants.models import Tenant

    client = client_for(platform, make_user(platform, "platform_admin", username="forms_operator"))
    data = {
        "name": "Zebra Télécom",
        "kind": "vno",
        "schema_name": "1bad",
        "operator_code": "a",
        "domain": "",
        "admin_email": "luc@",
        "legal_name": "Zebra Télécom SAS",
        "share_capital": "cinquante",
        "siret": "732 829 320 00074",
        "siren": "552 100 554",
        "creditor_iban": "FR14 2004 1010 0505 0001 3M02 606",
        "creditor_bic": "DEUTDEFF",
        "accounting_email": "compta@",
    }
    count = Tenant.objects.count()
    case = Case(
        "/tenants/new/",
        data,
        {
            "schema_name",
            "operator_code",
            "domain",
            "admin_email",
            "share_capital",
            "siret",
            "creditor_bic",
            "accounting_email",
        },
        "Zebra Télécom SAS",
    )
    _check(client.post(case.url, case.data), case)
    assert Tenant.objects.count() == count
