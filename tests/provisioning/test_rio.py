"""The RIO check: the published control key, the number's accepted forms, format vs key errors."""

import pytest

from provisioning.rio import RIO_ALPHABET, RioError, national_mobile_number, rio_check, rio_key

# Vectors worked out from the published algorithm (positions in "A…Z0…9+", a/b/c modulo 37).
VECTORS = [
    ("0612345678", "01P12345636Q"),
    ("0712345678", "02EABC123E3H"),
    ("0600000000", "03P000000LHN"),
    ("0698765432", "04E+A1B2CU4U"),
]


def _reference_key(head: str, number: str) -> str:
    """The algorithm once more, spelled out, to cross-check the implementation."""
    positions = [RIO_ALPHABET.index(c) for c in head + number]
    a = sum(positions) % 37
    b = c = 0
    for p in positions:
        b = (2 * b + p) % 37
        c = (4 * c + p) % 37
    return RIO_ALPHABET[a] + RIO_ALPHABET[b] + RIO_ALPHABET[c]


def test_worked_example_first_key_character_is_the_sum_of_positions():
    # "03P000000" + "0600000000": sixteen "0" (26 each), "3" (29), "P" (15), "6" (32) = 492 ≡ 11 → "L"
    assert rio_key("0600000000", "03P000000")[0] == "L"


@pytest.mark.parametrize(("number", "rio"), VECTORS)
def test_vectors_are_valid(number, rio):
    assert rio_key(number, rio[:9]) == rio[9:] == _reference_key(rio[:9], number)
    result = rio_check(number, rio)
    assert result.valid and result.error is None and result.reason == ""


@pytest.mark.parametrize(
    "number", ["0612345678", "+33612345678", "0033612345678", "33612345678", "06 12 34 56 78"]
)
def test_number_accepted_in_every_written_form(number):
    assert national_mobile_number(number) == "0612345678"
    assert rio_check(number, "01P12345636Q").valid


def test_rio_in_lower_case_with_spaces_is_the_same_rio():
    assert rio_check("0612345678", "01 p 123456 36q").valid


@pytest.mark.parametrize(("number", "rio"), VECTORS)
def test_every_one_character_change_is_refused(number, rio):
    others = RIO_ALPHABET + "-*é_"
    changed = 0
    for index in range(len(rio)):
        for char in others:
            if char == rio[index]:
                continue
            mutated = rio[:index] + char + rio[index + 1 :]
            result = rio_check(number, mutated)
            assert not result.valid, mutated
            assert result.error in (RioError.FORMAT, RioError.KEY)
            changed += 1
    assert changed == 12 * (len(others) - 1)


def test_a_rio_of_another_number_is_a_key_error():
    result = rio_check("0612345679", "01P12345636Q")
    assert not result.valid and result.error == RioError.KEY
    assert "clé" in result.reason.lower()


@pytest.mark.parametrize(
    "rio",
    ["01P12345636", "01P12345636QQ", "01X12345636Q", "01P1234-636Q", "", "0_P12345636Q"],
)
def test_shape_errors_are_format_errors(rio):
    result = rio_check("0612345678", rio)
    assert not result.valid and result.error == RioError.FORMAT
    assert "format" in result.reason.lower()


@pytest.mark.parametrize("number", ["0145678901", "061234567", "+44612345678", "", "06123456789"])
def test_a_number_that_is_not_a_french_mobile_is_refused(number):
    result = rio_check(number, "01P12345636Q")
    assert not result.valid and result.error == RioError.NUMBER
