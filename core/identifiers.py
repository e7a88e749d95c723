"""Checks of the identifiers people type: SIREN, SIRET, VAT numbers, IBAN, BIC, SEPA creditor
identifier (ICS). Check digits are verified, not only shapes.

Each `clean_*` returns the compact, normalised value or raises `ApplicationError` naming the
identifier and what is wrong with it, so pages, the API and imports give the same message.
"""

from collections.abc import Callable
from typing import Any

import schwifty
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.eu import at_02, vat
from stdnum.fr import siren, siret

from core.errors import ApplicationError


def _stdnum(kind: str, validate: Callable[[str], str], value: str, field: str | None) -> str:
    raw = (value or "").strip()
    if not raw:
        raise ApplicationError(_("The %(kind)s is empty.") % {"kind": kind}, field=field)
    try:
        return validate(raw)
    except stdnum_errors.InvalidChecksum:
        message = _("The %(kind)s %(value)s is wrong: its check digits do not match (a typing error?).")
    except stdnum_errors.InvalidLength:
        message = _("The %(kind)s %(value)s has the wrong number of characters.")
    except stdnum_errors.InvalidFormat:
        message = _("The %(kind)s %(value)s does not have the expected format.")
    except stdnum_errors.InvalidComponent:
        message = _("The %(kind)s %(value)s contains an invalid part (country or code).")
    except stdnum_errors.ValidationError:
        message = _("The %(kind)s %(value)s is not valid.")
    raise ApplicationError(message % {"kind": kind, "value": raw}, field=field)


def clean_siren(value: str, *, field: str | None = "siren") -> str:
    return _stdnum("SIREN", siren.validate, value, field)


def clean_siret(value: str, *, field: str | None = "siret") -> str:
    return _stdnum("SIRET", siret.validate, value, field)


def clean_vat_number(value: str, *, field: str | None = "vat_number") -> str:
    """An intra-EU VAT number (any member state), e.g. FR40303265045."""
    return _stdnum(_("VAT number"), vat.validate, value, field)


def clean_ics(value: str, *, field: str | None = "ics") -> str:
    """A SEPA creditor identifier (ICS in France), e.g. FR72ZZZ123456."""
    return _stdnum(_("creditor identifier (ICS)"), at_02.validate, value, field)


def clean_iban(value: str, *, field: str | None = "iban") -> str:
    raw = (value or "").strip()
    if not raw:
        raise ApplicationError(_("The IBAN is empty."), field=field)
    try:
        return str(schwifty.IBAN(raw).compact)
    except schwifty.exceptions.InvalidChecksumDigits:
        message = _("The IBAN %(value)s is wrong: its check digits do not match (a typing error?).")
    except schwifty.exceptions.InvalidLength:
        message = _("The IBAN %(value)s has the wrong length for its country.")
    except schwifty.exceptions.InvalidCountryCode:
        message = _("The IBAN %(value)s starts with an unknown country code.")
    except (schwifty.exceptions.SchwiftyException, ValueError):
        message = _("The IBAN %(value)s is not valid.")
    raise ApplicationError(message % {"value": raw}, field=field)


def clean_bic(value: str, *, field: str | None = "bic") -> str:
    raw = (value or "").strip()
    if not raw:
        raise ApplicationError(_("The BIC is empty."), field=field)
    try:
        bic = schwifty.BIC(raw)
    except (schwifty.exceptions.SchwiftyException, ValueError):
        raise ApplicationError(
            _("The BIC %(value)s is not valid (8 or 11 characters: bank, country, place, branch).")
            % {"value": raw},
            field=field,
        ) from None
    return str(bic.compact)


def bic_matches_iban(*, iban: str, bic: str) -> bool:
    """Whether the BIC's country is the IBAN's (a cheap sanity check on bank details)."""
    return bic[4:6].upper() == iban[:2].upper()


def format_iban(value: Any) -> str:
    """An IBAN in groups of four, as printed on invoices and mandates."""
    compact = str(value or "").replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def mask_iban(value: Any) -> str:
    """FR76 **** **** **** **** ***0 189: enough to recognise an account, not to use it."""
    compact = str(value or "").replace(" ", "")
    if len(compact) < 8:
        return "*" * len(compact)
    masked = compact[:4] + "*" * (len(compact) - 8) + compact[-4:]
    return format_iban(masked)
