"""Early termination of a committed subscription: what the customer still owes."""

from decimal import Decimal

from core.money import ZERO, quantize_price

REMAINING_MONTHS = "remaining"
FRENCH_QUARTER = "fr_quarter"


def early_termination_fee(
    *, monthly_price: Decimal, commitment_months: int, months_elapsed: int, rule: str
) -> Decimal:
    """The fee (excl. VAT) for ending a commitment after `months_elapsed` full months.

    `remaining`: every remaining month is due. `fr_quarter` (French consumer rule for 24-month
    commitments): the months left until the 12th are due in full, plus 25 % of the months after
    the 12th that remain; for a commitment of 12 months or less it is the remaining months.
    """
    if commitment_months <= 0:
        return ZERO
    elapsed = max(0, months_elapsed)
    remaining = max(0, commitment_months - elapsed)
    if rule == REMAINING_MONTHS or commitment_months <= 12:
        return quantize_price(monthly_price * remaining)
    if rule != FRENCH_QUARTER:
        raise ValueError(f"unknown early termination rule {rule!r}")
    first_year_left = max(0, 12 - elapsed)
    after_twelfth_left = remaining - first_year_left
    return quantize_price(monthly_price * first_year_left + monthly_price * after_twelfth_left / Decimal(4))
