"""Checks of the identifiers of the SIM stock: ICCID (Luhn, 19–20 digits), IMSI, PIN and PUK codes,
and the international form of a French mobile number. Each `*_error` returns the reason a value is
wrong, or "" when it is right, so imports can list every faulty cell."""

from django.utils.translation import gettext as _

from provisioning.rio import national_mobile_number


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of a digit string, its last digit being the check digit."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def iccid_error(value: str) -> str:
    if not value.isdigit():
        return _("an ICCID has digits only")
    if not 19 <= len(value) <= 20:
        return _("an ICCID has 19 or 20 digits, this one has %(count)s") % {"count": len(value)}
    if not luhn_ok(value):
        return _("wrong ICCID: its check digit does not match (Luhn)")
    return ""


def imsi_error(value: str) -> str:
    if not (value.isdigit() and len(value) == 15):
        return _("an IMSI has 15 digits")
    return ""


def code_error(value: str, *, length: int, name: str) -> str:
    if not (value.isdigit() and len(value) == length):
        return _("a %(name)s code has %(length)s digits") % {"name": name, "length": length}
    return ""


def msisdn_international(value: str) -> str:
    """A number in the feeds' international form without `+` (`33612345678`); a French national
    mobile number is converted, any other string of digits is kept as it is."""
    national = national_mobile_number(value)
    if national is not None:
        return "33" + national[1:]
    return "".join(c for c in value if c.isdigit())
