import pytest

from core.errors import ApplicationError
from core.identifiers import (
    clean_bic,
    clean_iban,
    clean_ics,
    clean_siren,
    clean_siret,
    clean_vat_number,
    format_iban,
    mask_iban,
)

VALID = [
    (clean_siren, "732 829 320", "732829320"),
    (clean_siret, "732 829 320 00074", "73282932000074"),
    (clean_vat_number, "FR 40 303265045", "FR40303265045"),
    (clean_iban, "FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"),
    (clean_ics, "FR72ZZZ123456", "FR72ZZZ123456"),
    (clean_bic, "BNPAFRPP", "BNPAFRPP"),
]
ONE_DIGIT_WRONG = [
    (clean_siren, "732829321", "SIREN"),
    (clean_siret, "73282932000075", "SIRET"),
    (clean_vat_number, "FR40303265046", "303265046"),
    (clean_iban, "FR1420041010050500013M02607", "IBAN"),
    (clean_ics, "FR73ZZZ123456", "ICS"),
]


@pytest.mark.parametrize(("clean", "typed", "expected"), VALID)
def test_valid_identifiers_are_normalised(clean, typed, expected):
    assert clean(typed) == expected


@pytest.mark.parametrize(("clean", "typed", "named"), ONE_DIGIT_WRONG)
def test_one_digit_wrong_is_refused_with_a_message_naming_it(clean, typed, named):
    with pytest.raises(ApplicationError) as error:
        clean(typed)
    assert named in error.value.message


def test_bic_of_bad_shape_is_refused():
    with pytest.raises(ApplicationError):
        clean_bic("BNP")


def test_iban_formatting_and_masking():
    assert format_iban("FR1420041010050500013M02606") == "FR14 2004 1010 0505 0001 3M02 606"
    assert mask_iban("FR1420041010050500013M02606") == "FR14 **** **** **** **** ***2 606"
