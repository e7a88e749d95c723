"""Numbers of invoices and credit notes: gapless series, taken in order only at finalization.

A series is a kind (invoice, credit note) and its numbering period, which the restart rule of the
billing settings gives (`"2027"` yearly, `"2027-03"` monthly, `""` never). Its `NumberCounter`
row is locked (`SELECT … FOR UPDATE`) only while numbers are taken, in a transaction of its own
that also writes them on the documents: two finalizations racing wait for each other for that
step only, and a rolled back step gives back its numbers (no hole).

A pattern must fit its restart rule, or two periods would give the same number: a monthly restart
needs `{MM}` and a year token, a yearly one a year token.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from billing.models import BillingSettings, NumberCounter, NumberKind, NumberRestart
from billing.selectors import billing_settings_get, number_period_key
from core.errors import ApplicationError, Problems
from tenants.models import Tenant
from tenants.settings.numbering import (
    MAX_LENGTH,
    invoice_number_format,
    invoice_number_pattern_validate,
    register_format_check,
)
from tenants.settings.selectors import invoice_settings_get


def pattern_fits_restart(pattern: str, restart: str) -> str:
    """ "" when the pattern's numbers cannot repeat under the restart rule, else why they would."""
    has_year = "{YYYY}" in pattern or "{YY}" in pattern
    if restart == NumberRestart.MONTHLY and not (has_year and "{MM}" in pattern):
        return _("Numbers restart every month: the format needs the year and the month ({YYYY} and {MM}).")
    if restart == NumberRestart.YEARLY and not has_year:
        return _("Numbers restart every year: the format needs the year ({YYYY} or {YY}).")
    return ""


def _invoice_format_check(pattern: str, field: str) -> None:
    """Registered with the tenant's invoice settings: the invoice format fits the restart rule."""
    problem = pattern_fits_restart(pattern, billing_settings_get().number_restart)
    if problem:
        raise ApplicationError(problem, field=field)


def register() -> None:
    register_format_check(_invoice_format_check)


def series_pattern(*, kind: str, tenant: Tenant, settings: BillingSettings | None = None) -> str:
    settings = settings or billing_settings_get()
    if kind == NumberKind.CREDIT_NOTE:
        return settings.credit_note_number_format
    return invoice_settings_get(tenant=tenant).number_format


def numbers_take(
    *,
    kind: str,
    tenant: Tenant,
    issue_date: dt.date,
    count: int,
    write: Callable[[list[tuple[str, str, int]]], Any],
) -> list[str]:
    """Take `count` numbers of the `kind` series in order and hand them to `write` (which stores
    them on the documents) in the same short transaction, under the counter's row lock.

    `write` receives `(number, period_key, sequence)` triples. Raises before taking anything when
    the pattern could give an invalid or repeated number.
    """
    if count <= 0:
        return []
    settings = billing_settings_get()
    pattern = series_pattern(kind=kind, tenant=tenant, settings=settings)
    problem = pattern_fits_restart(pattern, settings.number_restart)
    if problem:
        raise ApplicationError(problem)
    key = number_period_key(restart=settings.number_restart, day=issue_date)
    with transaction.atomic():
        NumberCounter.objects.get_or_create(kind=kind, period_key=key)
        counter = NumberCounter.objects.select_for_update().get(kind=kind, period_key=key)
        taken: list[tuple[str, str, int]] = []
        for seq in range(counter.last + 1, counter.last + count + 1):
            number = invoice_number_format(pattern, year=issue_date.year, month=issue_date.month, seq=seq)
            if len(number) > MAX_LENGTH:
                raise ApplicationError(
                    _("The number %(number)s would be longer than %(max)s characters.")
                    % {"number": number, "max": MAX_LENGTH}
                )
            taken.append((number, key, seq))
        write(taken)
        counter.last += count
        counter.save(update_fields=["last", "updated_at"])
    return [number for number, _key, _seq in taken]


def next_number(*, kind: str, tenant: Tenant, today: dt.date) -> str:
    """The number the next document of the series would take today (nothing is taken)."""
    settings = billing_settings_get()
    key = number_period_key(restart=settings.number_restart, day=today)
    counter = NumberCounter.objects.filter(kind=kind, period_key=key).first()
    pattern = series_pattern(kind=kind, tenant=tenant, settings=settings)
    return invoice_number_format(
        pattern, year=today.year, month=today.month, seq=(counter.last if counter else 0) + 1
    )


NUMBERING_FIELDS: Sequence[str] = ("number_restart", "credit_note_number_format")


def billing_numbering_update(
    *,
    tenant: Tenant,
    number_restart: str,
    credit_note_number_format: str,
    by: User | None,
    context: AuditContext | None = None,
) -> BillingSettings:
    """Save the restart rule of the number series and the credit notes' format: both formats must
    give valid e-invoice numbers that the rule never repeats."""
    problems = Problems()
    if number_restart not in NumberRestart.values:
        problems.add(
            _("Choose when numbers restart: every year, every month or never."), field="number_restart"
        )
    else:
        invoice_problem = pattern_fits_restart(
            invoice_settings_get(tenant=tenant).number_format, number_restart
        )
        if invoice_problem:
            problems.add(
                invoice_problem + " " + _("Change the invoice number format first (Invoices settings)."),
                field="number_restart",
            )
    try:
        credit_note_number_format = invoice_number_pattern_validate(
            credit_note_number_format, field="credit_note_number_format", checks=False
        )
    except ApplicationError as exc:
        problems.add(exc.message, field="credit_note_number_format")
    else:
        if number_restart in NumberRestart.values:
            credit_problem = pattern_fits_restart(credit_note_number_format, number_restart)
            if credit_problem:
                problems.add(credit_problem, field="credit_note_number_format")
    problems.raise_if_any()
    with transaction.atomic():
        settings = billing_settings_get()
        before = {name: getattr(settings, name) for name in NUMBERING_FIELDS}
        settings.number_restart = number_restart
        settings.credit_note_number_format = credit_note_number_format
        changes = {
            name: [before[name], getattr(settings, name)]
            for name in NUMBERING_FIELDS
            if before[name] != getattr(settings, name)
        }
        if settings.pk is None or changes:
            settings.save()
        if changes:
            audit_record(
                actor=by,
                action="billing_settings.numbering_changed",
                obj=settings,
                changes=changes,
                context=context,
            )
    return settings
