"""The customer record's rules: names, numbers, identifiers, mandates."""

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from core.text import name_check, name_normalise
from tests.conftest import in_schema
from tests.customers.conftest import OTHER_BIC, OTHER_IBAN, VALID_BIC, VALID_IBAN


def test_normaliser_turns_accents_hyphens_and_apostrophes_into_plain_upper_case():
    assert name_normalise("Société L'Étoile-Bleue") == "SOCIETE L ETOILE BLEUE"
    assert name_normalise("  Cœur   & Frères  ") == "COEUR FRERES"


def test_name_check_names_the_offending_characters():
    with pytest.raises(ApplicationError) as exc:
        name_check("L'Étoile-Bleue", field="company_name")
    assert "« ' »" in exc.value.message and "« É »" in exc.value.message and "« - »" in exc.value.message
    assert exc.value.field == "company_name"
    assert name_check(" SOCIETE L ETOILE BLEUE ") == "SOCIETE L ETOILE BLEUE"


def test_the_service_refuses_a_company_name_with_special_characters(acme, make_user, make_customer):
    user = make_user(acme, "sales")
    with pytest.raises(ApplicationError) as exc:
        make_customer(acme, by=user, company_name="Société L'Étoile-Bleue")
    assert exc.value.field == "company_name"
    assert "SOCIETE L ETOILE BLEUE" in exc.value.message


def test_numbers_are_generated_in_sequence_and_a_taken_over_number_is_kept(acme, make_customer):
    first = make_customer(acme)
    second = make_customer(acme)
    assert first.number.startswith("C") and len(first.number) == 7
    assert int(second.number[1:]) == int(first.number[1:]) + 1
    typed = make_customer(acme, number="old-4521")
    assert typed.number == "OLD-4521"
    with pytest.raises(ApplicationError, match="déjà pris"):
        make_customer(acme, number="OLD-4521")


def test_generated_number_skips_one_typed_in_by_a_take_over(acme, make_customer):
    from customers.services import customer_number_next

    with in_schema(acme):
        upcoming = customer_number_next()
    following = f"C{int(upcoming[1:]) + 1:06d}"
    make_customer(acme, number=following)
    assert make_customer(acme).number == f"C{int(following[1:]) + 1:06d}"


def test_siren_and_vat_number_are_checked(acme, make_customer):
    with pytest.raises(ApplicationError) as exc:
        make_customer(acme, siren="732829321")
    assert exc.value.field == "siren"
    customer = make_customer(acme, siren="732 829 320", vat_number="FR44732829320")
    assert customer.siren == "732829320"


def test_wrong_iban_is_refused_with_its_reason(acme, make_customer):
    from customers.services import mandate_create

    customer = make_customer(acme)
    with in_schema(acme), pytest.raises(ApplicationError) as exc:
        mandate_create(
            now=timezone.now(), customer=customer, by=None, iban="FR1420041010050500013M02607", bic=VALID_BIC
        )
    assert exc.value.field == "iban" and "clé de contrôle" in exc.value.message
    with in_schema(acme), pytest.raises(ApplicationError) as exc:
        mandate_create(now=timezone.now(), customer=customer, by=None, iban=VALID_IBAN, bic="DEUTDEFF")
    assert exc.value.field == "bic"


def test_each_mandate_gets_a_unique_rum_and_a_new_account_keeps_the_history(acme, make_customer):
    from customers.models import Mandate
    from customers.services import mandate_create

    a, b = make_customer(acme), make_customer(acme)
    with in_schema(acme):
        first = mandate_create(now=timezone.now(), customer=a, by=None, iban=VALID_IBAN, bic=VALID_BIC)
        second = mandate_create(now=timezone.now(), customer=a, by=None, iban=OTHER_IBAN, bic=OTHER_BIC)
        other = mandate_create(now=timezone.now(), customer=b, by=None, iban=VALID_IBAN, bic=VALID_BIC)
        first.refresh_from_db()
        assert len({first.rum, second.rum, other.rum}) == 3
        assert first.status == "replaced" and first.ended_at is not None
        assert second.status == "active" and second.sequence_type == "FRST"
        assert Mandate.objects.filter(customer=a).count() == 2


def test_the_audit_shows_a_masked_iban_only(acme, make_customer):
    from audit.models import AuditEvent
    from customers.services import mandate_create

    customer = make_customer(acme)
    with in_schema(acme):
        mandate_create(now=timezone.now(), customer=customer, by=None, iban=VALID_IBAN, bic=VALID_BIC)
        event = AuditEvent.objects.get(action="customer.mandate_created", object_id=str(customer.pk))
    assert VALID_IBAN not in str(event.changes) and "FR14" in event.changes["iban"]


def test_a_customer_with_a_login_contact_gets_a_portal_account_named_after_its_number(acme, make_customer):
    customer = make_customer(acme, login_email="lea@client.example")
    assert customer.portal_user.username == customer.number
    assert customer.portal_user.role == "customer"
    assert customer.portal_user.email == "lea@client.example"
    assert not customer.portal_user.has_usable_password()
