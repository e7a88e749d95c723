"""Money: the one place where amounts are rounded.

Every amount is a `Decimal` excluding VAT unless its name says otherwise. Rated usage keeps four
decimals; invoice lines and totals are in cents. Rounding is ROUND_HALF_UP, as French invoices do.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

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


# --- Amounts typed by people and shown back to them ----------------------------------------------
# French users type `12,50`; scripts and other habits type `12.50`; large amounts are grouped with
# spaces (`1 250,50`, the space possibly a no-break one). Decision: a comma or a dot is always the
# decimal mark, and thousands are grouped with spaces only. `1.250,50` or `1,250.50` mixes both
# marks and is refused as ambiguous rather than guessed; so is `1,250,50`.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " "})
_AMOUNT_RE = re.compile(
    r"^(?P<sign>[-+\u2212]?)\s*(?P<int>\d+|\d{1,3}(?: \d{3})+)?(?:[.,](?P<frac>\d+))?\s*(?:€|EUR)?$"
)


def parse_amount(text: str) -> Decimal:
    """An amount typed by a person (`12,50`, `12.50`, `1 250,50`, `-3`, `12,50 €`) as a Decimal.

    Raises `ApplicationError` (in French for French users) on anything else: letters, two decimal
    marks, badly grouped thousands.
    """
    from core.errors import ApplicationError  # core.errors imports Django and DRF: keep money light

    raw = "" if text is None else str(text)
    cleaned = " ".join(raw.translate(_SPACES).split())
    if "," in cleaned and "." in cleaned:
        raise ApplicationError(
            _("%(value)s mixes a comma and a dot: type the decimals after a comma, e.g. 1 250,50.")
            % {"value": raw}
        )
    match = _AMOUNT_RE.match(cleaned)
    if not cleaned or not match or (match["int"] is None and match["frac"] is None):
        raise ApplicationError(
            _("%(value)s is not an amount: type it like 12,50 or 1 250,50.") % {"value": raw}
        )
    digits = (match["int"] or "0").replace(" ", "")
    amount = Decimal(f"{digits}.{match['frac']}" if match["frac"] else digits)
    return -amount if match["sign"] in ("-", "\u2212") else amount


def format_amount(
    value: Decimal | int | str | None,
    *,
    places: int | None = None,
    currency: str = "€",
    decimal_separator: str = ",",
) -> str:
    """An amount the French way: `1 250,50 €` (thousands grouped with no-break spaces). `places` None keeps the decimals
    the value has; `currency` "" leaves the symbol out (an input's value)."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    if amount.as_tuple().exponent > 0:  # type: ignore[operator]  # 1E+1 from normalize()
        amount = amount.quantize(Decimal(1))
    if places is not None:
        amount = quantize_price(amount, places=Decimal(1).scaleb(-places))
    if not amount:
        amount = abs(amount)  # -0,00 (a small negative rounded) is written 0,00
    decimals = max(0, -int(amount.as_tuple().exponent))
    grouped = f"{amount:,.{decimals}f}"  # Decimal's own formatting: exact, no float
    thousands = "\u00a0" if decimal_separator == "," else ","
    text = grouped.replace(",", "\0").replace(".", decimal_separator).replace("\0", thousands)
    return f"{text} {currency}" if currency else text
