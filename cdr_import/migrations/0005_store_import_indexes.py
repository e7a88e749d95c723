"""Indexes of the CDR store on the import that stored or billed each CDR (issue 12).

The after-store hooks (prepaid debits, consumption alerts, the reports' daily usage) find the
CDRs of one import by `rated_import_id` / `billed_import_id`: without an index, a scan of the
whole store at each import. Partial (the rows where the id is set), created on the partitioned
parent, hence on every partition and on those attached later.
"""

from django.db import migrations

FORWARD = """
CREATE INDEX IF NOT EXISTS cdr_import_cdr_rated_import ON cdr_import_cdr (rated_import_id)
    WHERE rated_import_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS cdr_import_cdr_billed_import ON cdr_import_cdr (billed_import_id)
    WHERE billed_import_id IS NOT NULL;
"""

BACKWARD = """
DROP INDEX IF EXISTS cdr_import_cdr_rated_import;
DROP INDEX IF EXISTS cdr_import_cdr_billed_import;
"""


class Migration(migrations.Migration):
    dependencies = [("cdr_import", "0004_reading_profiles")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
