"""Money: the one place where amounts are rounded.

Every amount is a `Decimal` excluding VAT unless its name says otherwise. Rated usage keeps four
decimals; invoice lines and totals are in cents. Rounding is ROUND_HALF_UP, as French invoices do.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
RATED = Decimal("0.0001")
ZERO = Decimal("0")


def quantize_price(amount: Decimal, *, places: Decimal = CENT) -> Decimal:
    """Round an amount to cents (or to `places`), half up. The only rounding of money."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be a Decimal, not {type(amount).__name__}")
    return amount.quantize(places, rounding=ROUND_HALF_UP)


def quantize_rated(amount: Decimal) -> Decimal:
    """Round a rated usage amount to four decimals, half up."""
    return quantize_price(amount, places=RATED)


def vat_amount(base: Decimal, rate_percent: Decimal) -> Decimal:
    """VAT on a base (per VAT rate, on the invoice's base for that rate), rounded to cents."""
    return quantize_price(base * rate_percent / Decimal(100))
