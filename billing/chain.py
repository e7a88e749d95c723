"""The chain of finalized invoices, credit notes and payments (inalterability of the records).

Each record, when it is issued (or recorded, for a payment), takes the next position of the
schema's chain and stores two digests: `previous_sha256`, the `content_sha256` of the record
before it, and `content_sha256`, the SHA-256 of the previous digest followed by the record's
content (the fields that never change after issuing, its lines and VAT, in canonical JSON).
Changing a record, removing one or reordering them breaks the digests after it:
`chain_verify` recomputes the whole chain and names every record that no longer matches.

A payment takes its link when it is recorded; its rejection (a cheque returned, a SEPA debit
rejected: the reversal) takes a link of its own when it happens (`PaymentRejection`, stored in the
payment's `reject_*` fields), so a payment or a rejection changed afterwards breaks the chain too.

`ChainHead` (one row, locked while a record is appended) holds the last position and digest, so
records appended by two transactions at once are ordered, and a record removed at the end is seen.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models

from billing.models import ChainHead, CreditNote, Invoice, Payment

GENESIS = "0" * 64

INVOICE_FIELDS = (
    "number", "number_period", "sequence", "period", "period_start", "period_end", "issue_date",
    "due_date", "payment_mode", "mandate_reference", "debit_date", "customer_id", "customer_number",
    "customer_name", "customer_kind", "customer_siren", "customer_vat_number", "billing_address",
    "billing_country", "delivery_address", "detailed", "full_numbers", "seller", "vat_on_debits",
    "total_excl_vat", "total_vat", "total_incl_vat",
)  # fmt: skip
INVOICE_LINE_FIELDS = (
    "position", "category", "label", "detail", "quantity", "unit", "unit_price", "amount", "vat_rate",
    "service_start", "service_end", "line_ref",
)  # fmt: skip
CREDIT_NOTE_FIELDS = (
    "number", "number_period", "sequence", "invoice_id", "customer_id", "reason", "full", "issue_date",
    "customer_number", "customer_name", "customer_siren", "customer_vat_number", "billing_address",
    "seller", "total_excl_vat", "total_vat", "total_incl_vat",
)  # fmt: skip
CREDIT_NOTE_LINE_FIELDS = ("position", "category", "label", "quantity", "unit_price", "amount", "vat_rate")
VAT_FIELDS = ("vat_rate", "base", "vat")
PAYMENT_FIELDS = (
    "customer_id", "channel", "amount_incl_vat", "received_on", "reference", "external_id", "created_at",
)  # fmt: skip
REJECTION_FIELDS = ("customer_id", "amount_incl_vat", "reject_code", "rejected_on")


@dataclass(frozen=True)
class PaymentRejection:
    """The rejection of `payment` as a link of the chain (its fields live on the payment)."""

    payment: Payment

    @property
    def pk(self) -> int:
        return self.payment.pk

    @property
    def chain_index(self) -> int | None:
        return self.payment.reject_chain_index

    @property
    def content_sha256(self) -> str:
        return self.payment.reject_sha256

    @property
    def previous_sha256(self) -> str:
        return self.payment.reject_previous_sha256


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _fields(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in names}


Chained = models.Model | PaymentRejection


def record_kind(record: Chained) -> str:
    return {
        Invoice: "invoice",
        CreditNote: "credit_note",
        Payment: "payment",
        PaymentRejection: "payment_rejection",
    }[type(record)]


def record_content(record: Chained) -> dict[str, Any]:
    """What the record's digest covers: what can never change once it is issued."""
    if isinstance(record, Invoice):
        return {
            "kind": "invoice",
            **_fields(record, INVOICE_FIELDS),
            "lines": [_fields(li, INVOICE_LINE_FIELDS) for li in record.lines.order_by("position", "id")],
            "vat": [_fields(v, VAT_FIELDS) for v in record.vat_lines.order_by("vat_rate")],
        }
    if isinstance(record, CreditNote):
        return {
            "kind": "credit_note",
            **_fields(record, CREDIT_NOTE_FIELDS),
            "lines": [_fields(li, CREDIT_NOTE_LINE_FIELDS) for li in record.lines.order_by("position", "id")],
            "vat": [_fields(v, VAT_FIELDS) for v in record.vat_lines.order_by("vat_rate")],
        }
    if isinstance(record, Payment):
        return {"kind": "payment", **_fields(record, PAYMENT_FIELDS)}
    if isinstance(record, PaymentRejection):
        return {
            "kind": "payment_rejection",
            "payment_id": record.pk,
            **_fields(record.payment, REJECTION_FIELDS),
        }
    raise TypeError(f"not a chained record: {type(record).__name__}")


def link_digest(content: dict[str, Any], previous: str) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def chain_head_lock() -> ChainHead:
    """The head row, locked until the end of the caller's transaction."""
    ChainHead.objects.get_or_create(pk=1)
    return ChainHead.objects.select_for_update().get(pk=1)


def chain_append(record: Chained, *, head: ChainHead) -> None:
    """Give `record` the next position and its digests (call inside the transaction that issues
    it, while it is still a draft for an invoice or credit note, with the locked `head`)."""
    previous = head.last_sha256 or GENESIS
    index = head.last_index + 1
    digest = link_digest(record_content(record), previous)
    if isinstance(record, PaymentRejection):
        Payment.objects.filter(pk=record.pk).update(
            reject_chain_index=index, reject_sha256=digest, reject_previous_sha256=previous
        )
        payment = record.payment
        payment.reject_chain_index, payment.reject_sha256, payment.reject_previous_sha256 = (
            index,
            digest,
            previous,
        )
    else:
        type(record)._default_manager.filter(pk=record.pk).update(
            chain_index=index, content_sha256=digest, previous_sha256=previous
        )
        record.chain_index, record.content_sha256, record.previous_sha256 = index, digest, previous  # type: ignore[attr-defined]
    head.last_index, head.last_sha256 = index, digest
    head.save(update_fields=["last_index", "last_sha256", "updated_at"])


@dataclass(frozen=True)
class ChainBreak:
    position: int | None
    kind: str
    record_id: int | None
    name: str
    problem: str

    def __str__(self) -> str:
        where = f"#{self.position}" if self.position is not None else "head"
        return f"{where} {self.kind} {self.name} (id {self.record_id}): {self.problem}"


def _chained() -> Iterator[Any]:
    """Every chained record in chain order (four sorted lists merged)."""
    import heapq

    lists: list[Iterator[Any]] = [
        Invoice.objects.filter(chain_index__isnull=False).order_by("chain_index").iterator(chunk_size=500),
        CreditNote.objects.filter(chain_index__isnull=False).order_by("chain_index").iterator(chunk_size=500),
        Payment.objects.filter(chain_index__isnull=False).order_by("chain_index").iterator(chunk_size=500),
        (
            PaymentRejection(p)
            for p in Payment.objects.filter(reject_chain_index__isnull=False)
            .order_by("reject_chain_index")
            .iterator(chunk_size=500)
        ),
    ]
    yield from heapq.merge(*lists, key=lambda r: r.chain_index)


def record_name(record: Chained) -> str:
    if isinstance(record, PaymentRejection):
        payment = record.payment
        return f"{payment.get_channel_display()} {payment.amount_incl_vat} {payment.received_on:%Y-%m-%d} rejected"
    if isinstance(record, Payment):
        return f"{record.get_channel_display()} {record.amount_incl_vat} {record.received_on:%Y-%m-%d}"
    return getattr(record, "number", None) or f"#{record.pk}"


def chain_verify() -> tuple[int, list[ChainBreak]]:
    """(records checked, breaks): every record whose content, link or position does not match."""
    breaks: list[ChainBreak] = []
    expected_previous = GENESIS
    expected_index = 1
    count = 0
    for record in _chained():
        count += 1
        index: int = record.chain_index  # type: ignore[attr-defined]
        kind, name = record_kind(record), record_name(record)

        problems = []
        if index != expected_index:
            problems.append(f"position {index} where {expected_index} was expected (a record is missing)")
        if record.previous_sha256 != expected_previous:  # type: ignore[attr-defined]
            problems.append(
                "does not follow the record before it (a record before it was changed or removed)"
            )
        if link_digest(record_content(record), record.previous_sha256) != record.content_sha256:  # type: ignore[attr-defined]
            problems.append("its content was changed after it was issued")
        breaks.extend(ChainBreak(index, kind, record.pk, name, problem) for problem in problems)
        expected_previous = record.content_sha256  # type: ignore[attr-defined]
        expected_index = index + 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (
        head.last_index != expected_index - 1 or (count and head.last_sha256 != expected_previous)
    ):
        breaks.append(
            ChainBreak(None, "head", None, str(head.last_index), "the last records of the chain were removed")
        )
    return count, breaks
