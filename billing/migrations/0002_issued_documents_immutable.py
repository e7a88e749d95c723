"""A finalized invoice or credit note cannot change, down to the database.

Triggers (created in every tenant schema, like the tables) refuse:
- an UPDATE of an invoice or credit note that is no longer a draft, unless only the columns of
  its life after issuing change (payment and sending state, its PDF once, its ledger entry once)
  and it does not go back to draft;
- a DELETE of an invoice or credit note that holds a number (a numbered draft too: its number
  would leave a hole in the series);
- any INSERT, UPDATE or DELETE of the lines and VAT rows of a finalized one.

The chain columns are written once, in the transaction that issues the document (status from
draft), which these rules allow. Tests that must alter a record behind the application's back
disable the trigger by its name.
"""

from django.db import migrations

# Columns that may change once a document is issued, and those that may be filled once (from empty).
INVOICE_MUTABLE = ["status", "amount_paid", "sent_at", "paid_at"]
INVOICE_ONCE = ["pdf", "pdf_sha256", "ledger_entry_id"]
CREDIT_NOTE_MUTABLE = ["status"]
CREDIT_NOTE_ONCE = ["pdf", "pdf_sha256", "ledger_entry_id"]


def _array(names: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{n}'" for n in names) + "]::text[]"


def _document_function(table: str, mutable: list[str], once: list[str]) -> str:
    once_checks = "\n".join(
        f"""        IF OLD.{col} IS NOT NULL AND OLD.{col}::text <> '' AND NEW.{col} IS DISTINCT FROM OLD.{col} THEN
            RAISE EXCEPTION 'issued document %: {col} is already set', OLD.number USING ERRCODE = 'integrity_constraint_violation';
        END IF;"""
        for col in once
    )
    return f"""
CREATE OR REPLACE FUNCTION {table}_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.number IS NOT NULL THEN
            RAISE EXCEPTION 'numbered document % cannot be deleted', OLD.number USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'draft' THEN
        RETURN NEW;
    END IF;
    IF NEW.status = 'draft' THEN
        RAISE EXCEPTION 'issued document % cannot go back to draft', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
{once_checks}
    IF (to_jsonb(NEW) - {_array(mutable + once)}) IS DISTINCT FROM (to_jsonb(OLD) - {_array(mutable + once)}) THEN
        RAISE EXCEPTION 'issued document % cannot be changed', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_immutable();
"""


def _child_function(table: str, parent: str, fk: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {table}_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent_status text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO parent_status FROM {parent} WHERE id = OLD.{fk};
        IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
            RAISE EXCEPTION 'a line of an issued document cannot be changed' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO parent_status FROM {parent} WHERE id = NEW.{fk};
        IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
            RAISE EXCEPTION 'a line cannot be added to an issued document' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER {table}_immutable BEFORE INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_immutable();
"""


CHILDREN = [
    ("billing_invoiceline", "billing_invoice", "invoice_id"),
    ("billing_invoicevat", "billing_invoice", "invoice_id"),
    ("billing_creditnoteline", "billing_creditnote", "credit_note_id"),
    ("billing_creditnotevat", "billing_creditnote", "credit_note_id"),
]

FORWARD = (
    _document_function("billing_invoice", INVOICE_MUTABLE, INVOICE_ONCE)
    + _document_function("billing_creditnote", CREDIT_NOTE_MUTABLE, CREDIT_NOTE_ONCE)
    + "".join(_child_function(*child) for child in CHILDREN)
)
BACKWARD = "".join(
    f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}; DROP FUNCTION IF EXISTS {table}_immutable();\n"
    for table in ["billing_invoice", "billing_creditnote", *(c[0] for c in CHILDREN)]
)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
