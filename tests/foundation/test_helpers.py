from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.crypto import decrypt_secret, encrypt_secret
from core.money import quantize_price, quantize_rated, vat_amount


def test_quantize_price_rounds_half_up_to_cents():
    assert quantize_price(Decimal("0.125")) == Decimal("0.13")
    assert quantize_price(Decimal("-0.125")) == Decimal("-0.13")
    assert quantize_price(Decimal("2.675")) == Decimal("2.68")


def test_quantize_rated_keeps_four_decimals():
    assert quantize_rated(Decimal("0.00005")) == Decimal("0.0001")


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        quantize_price(0.1)  # type: ignore[arg-type]


def test_vat_on_a_base():
    assert vat_amount(Decimal("10.05"), Decimal("20")) == Decimal("2.01")


@given(st.text(min_size=1, max_size=200))
def test_secrets_round_trip_and_never_appear_in_clear(secret):
    token = encrypt_secret(secret)
    assert decrypt_secret(token) == secret
    assert secret not in token or len(secret) < 4
