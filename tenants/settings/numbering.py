"""Invoice numbers from a tenant's pattern: `{YYYY}`, `{YY}`, `{MM}`, `{SEQ:n}` and fixed text.

Pure functions: the settings page validates and previews a pattern, billing numbers invoices with
`invoice_number_format`. French law wants one unbroken sequence, hence exactly one `{SEQ:n}`.
E-invoicing wants numbers of at most 35 characters of `A-Z a-z 0-9 + - _ /`: a pattern that could
give a longer number (its sequence counted at `SEQ_SIZED_DIGITS` digits at least) is refused.

Billing registers `format_checks` (`fn(pattern, field)` raising `ApplicationError`): the pattern
must also fit its numbering restart rule, which this app does not know.
"""

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

from core.errors import ApplicationError

_TOKEN_RE = re.compile(r"\{([^{}]*)\}")
_SEQ_RE = re.compile(r"SEQ:(\d{1,2})")
_FIXED_RE = re.compile(r"[A-Za-z0-9+_/-]*")
DATE_TOKENS = ("YYYY", "YY", "MM")
MAX_LENGTH = 35  # an e-invoice number (EN 16931 BT-1, French rules)
SEQ_SIZED_DIGITS = 9  # a sequence may outgrow its width: sized as if it reached a billion

FormatCheck = Callable[[str, str], None]
format_checks: list[FormatCheck] = []


def register_format_check(fn: FormatCheck) -> FormatCheck:
    if fn not in format_checks:
        format_checks.append(fn)
    return fn


def invoice_number_pattern_validate(
    pattern: str, *, field: str = "number_format", checks: bool = True
) -> str:
    """A pattern has exactly one `{SEQ:n}` (n from 1 to 12), known tokens and plain fixed text;
    `checks` runs the registered `format_checks` too (the invoice series' own rules)."""
    pattern = (pattern or "").strip()
    if not pattern:
        raise ApplicationError(_("The invoice number format is empty."), field=field)
    seq_count = 0
    position = 0
    for match in _TOKEN_RE.finditer(pattern):
        _check_fixed(pattern[position : match.start()], field)
        token = match.group(1)
        seq = _SEQ_RE.fullmatch(token)
        if seq:
            width = int(seq.group(1))
            if not 1 <= width <= 12:
                raise ApplicationError(
                    _("The sequence width must be between 1 and 12 digits ({SEQ:5} for 00001)."), field=field
                )
            seq_count += 1
        elif token not in DATE_TOKENS:
            raise ApplicationError(
                _("Unknown token {%(token)s}: use {YYYY}, {YY}, {MM} and {SEQ:n}.") % {"token": token},
                field=field,
            )
        position = match.end()
    _check_fixed(pattern[position:], field)
    if seq_count != 1:
        raise ApplicationError(
            _("The format needs exactly one sequence token {SEQ:n}, e.g. F{YYYY}-{SEQ:5}."), field=field
        )
    if invoice_number_longest(pattern) > MAX_LENGTH:
        raise ApplicationError(
            _("Invoice numbers could be longer than %(max)s characters: shorten the fixed text.")
            % {"max": MAX_LENGTH},
            field=field,
        )
    for check in format_checks if checks else []:
        check(pattern, field)
    return pattern


def invoice_number_longest(pattern: str) -> int:
    """The length of the longest number the pattern can give (its sequence at SEQ_SIZED_DIGITS or its width)."""
    widths = [int(m.group(1)) for m in (_SEQ_RE.fullmatch(t) for t in _TOKEN_RE.findall(pattern)) if m]
    digits = max([SEQ_SIZED_DIGITS, *widths])
    return len(invoice_number_format(pattern, year=2000, month=12, seq=10**digits - 1, validate=False))


def _check_fixed(text: str, field: str) -> None:
    if "{" in text or "}" in text:
        raise ApplicationError(_("A brace is not closed in the invoice number format."), field=field)
    if not _FIXED_RE.fullmatch(text):
        raise ApplicationError(
            _("Fixed text may only hold letters, digits and + - _ / (found “%(text)s”).") % {"text": text},
            field=field,
        )


def invoice_number_format(pattern: str, *, year: int, month: int, seq: int, validate: bool = True) -> str:
    """The invoice number for this pattern, period and sequence value (wider values keep all digits)."""
    if validate:
        invoice_number_pattern_validate(pattern, checks=False)
    if seq < 0:
        raise ValueError("the sequence is positive")

    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        if token == "YYYY":
            return f"{year:04d}"
        if token == "YY":
            return f"{year % 100:02d}"
        if token == "MM":
            return f"{month:02d}"
        seq_match = _SEQ_RE.fullmatch(token)
        if seq_match:
            return str(seq).zfill(int(seq_match.group(1)))
        return match.group(0)

    return _TOKEN_RE.sub(replace, pattern)


SMALL_SEQUENCE = 1000  # fewer numbers than this per period deserves a warning


def invoice_number_period(pattern: str, *, year: int, month: int) -> str:
    """The numbering period the pattern's sequence runs in: the month with {MM}, the year with
    {YYYY} or {YY} only, else one period for ever (the sequence never restarts)."""
    tokens = set(_TOKEN_RE.findall(pattern or ""))
    if "MM" in tokens:
        return f"{year:04d}-{month:02d}"
    if tokens & {"YYYY", "YY"}:
        return f"{year:04d}"
    return _("a single period (the sequence never restarts)")


def invoice_number_capacity_warning(pattern: str) -> str:
    """A warning when `{SEQ:n}` allows fewer than SMALL_SEQUENCE numbers per period, else ""."""
    match = next((m for m in (_SEQ_RE.fullmatch(t) for t in _TOKEN_RE.findall(pattern or "")) if m), None)
    if match is None:
        return ""
    width = int(match.group(1))
    capacity = 10**width - 1
    if capacity >= SMALL_SEQUENCE - 1:
        return ""
    return _("{SEQ:%(width)s}: %(count)s invoices at most per period; beyond that, numbers grow wider.") % {
        "width": width,
        "count": capacity,
    }
