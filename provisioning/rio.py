"""The French RIO (relevé d'identité opérateur), the identifier a number portability request carries.

A mobile RIO has 12 characters, ``OO Q RRRRRR CCC``: the losing operator's code (2), the contract
type (``P`` consumer, ``E`` business), the customer reference at that operator (6) and a control
key (3) computed from the first 9 characters AND the 10-digit national number, so that a RIO typed
for another line is refused.

The key is the published algorithm of the portability specification, as quoted from the French
Wikipedia article "Relevé d'identité opérateur" (section "Composition technique du RIO") in
https://excel-downloads.com/threads/cle-de-controle-du-rio-resolu.20006559 : over the 19
characters ``OO + Q + RRRRRR + EZABPQMCDU``, with ``pos`` the index of a character in the
37-character alphabet below, ``a = (a + pos) % 37``, ``b = (2b + pos) % 37``,
``c = (4c + pos) % 37``; the key is ``alphabet[a] + alphabet[b] + alphabet[c]``. Written here
from that description.

Because ``a`` is the plain sum of the positions modulo 37, and two different characters' positions
differ by 1 to 36 (never a multiple of 37), changing any one of the first 9 characters always changes
the key: every one-character change of a valid RIO is refused.
"""

import enum
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

RIO_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+"
RIO_LENGTH = 12
MOBILE_CONTRACT_TYPES = ("P", "E")

_SEPARATORS = re.compile(r"[\s.\-/()]")
_RIO_SHAPE = re.compile(r"^[0-9A-Z]{2}[PE][0-9A-Z+]{6}[0-9A-Z+]{3}$")


class RioError(enum.StrEnum):
    """Why a RIO check failed: the number, the RIO's shape, or its control key."""

    NUMBER = "number"
    FORMAT = "format"
    KEY = "key"


@dataclass(frozen=True)
class RioResult:
    valid: bool
    reason: str = ""
    error: RioError | None = None


def national_mobile_number(number: str) -> str | None:
    """The 10-digit national form (``06…``/``07…``) of a French mobile number, or None.

    Accepted: ``0612345678``, ``+33612345678``, ``0033612345678``, ``33612345678``, with spaces,
    dots or dashes between the digits.
    """
    digits = _SEPARATORS.sub("", number or "")
    if digits.startswith("+33"):
        digits = "0" + digits[3:]
    elif digits.startswith("0033"):
        digits = "0" + digits[4:]
    elif digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    if re.fullmatch(r"0[67]\d{8}", digits):
        return digits
    return None


def rio_normalise(rio: str) -> str:
    """The RIO as the operator writes it: no spaces, upper case."""
    return re.sub(r"\s", "", rio or "").upper()


def rio_key(number: str, rio_head: str) -> str:
    """The 3-character control key of a RIO whose first 9 characters are `rio_head`, for `number`.

    `number` must be the national 10-digit form; raises ValueError on a character outside the
    RIO alphabet.
    """
    text = rio_head + number
    if len(text) != 19:
        raise ValueError("the key covers 9 RIO characters and a 10-digit number")
    a = b = c = 0
    for char in text:
        position = RIO_ALPHABET.index(char)
        a = (a + position) % 37
        b = (2 * b + position) % 37
        c = (4 * c + position) % 37
    return RIO_ALPHABET[a] + RIO_ALPHABET[b] + RIO_ALPHABET[c]


def rio_check(number: str, rio: str) -> RioResult:
    """Whether `rio` is a well-formed mobile RIO whose control key matches `number`."""
    national = national_mobile_number(number)
    if national is None:
        return RioResult(
            False,
            _("The number %(number)s is not a French mobile number (06…, 07…, +33 6…, +33 7…).")
            % {"number": number},
            RioError.NUMBER,
        )
    value = rio_normalise(rio)
    if len(value) != RIO_LENGTH:
        return RioResult(
            False,
            _("Wrong RIO format: a RIO has 12 characters, this one has %(count)s.") % {"count": len(value)},
            RioError.FORMAT,
        )
    if value[2] not in MOBILE_CONTRACT_TYPES:
        return RioResult(
            False,
            _("Wrong RIO format: the 3rd character must be P (consumer) or E (business)."),
            RioError.FORMAT,
        )
    if not _RIO_SHAPE.match(value):
        return RioResult(
            False,
            _(
                "Wrong RIO format: expected an operator code (2 characters), P or E, a 6-character "
                "reference and a 3-character key (letters, digits or +)."
            ),
            RioError.FORMAT,
        )
    if rio_key(national, value[:9]) != value[9:]:
        return RioResult(
            False,
            _("Wrong RIO key: this RIO does not belong to the number %(number)s (a typing error?).")
            % {"number": national},
            RioError.KEY,
        )
    return RioResult(True)
