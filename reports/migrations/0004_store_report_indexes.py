"""Indexes of the CDR store for the reports (issue 14).

The store (`cdr_import_cdr`) is partitioned by month and created by raw SQL; an index created on
the parent is created on every partition, and on the partitions attached later (the import's fresh
months, `store.cdr_partition_attach`). What each serves:
- `(start_time, id)`: the CDR report's pages and exports in time order — the first rows come at
  once from an ordered scan of the partitions instead of a sort of the period;
- `(customer_id, start_time)`: the report of one customer;
- partial indexes for the watch lists: the unrated CDRs of known lines, the CDRs of unknown lines
  (a few rows among millions: tiny indexes, nothing to maintain for the others).
"""

from django.db import migrations

FORWARD = """
CREATE INDEX IF NOT EXISTS cdr_import_cdr_start_id ON cdr_import_cdr (start_time, id);
CREATE INDEX IF NOT EXISTS cdr_import_cdr_customer_start ON cdr_import_cdr (customer_id, start_time);
CREATE INDEX IF NOT EXISTS cdr_import_cdr_unrated_start ON cdr_import_cdr (start_time)
    WHERE unrated AND NOT unknown_line;
CREATE INDEX IF NOT EXISTS cdr_import_cdr_unknown_start ON cdr_import_cdr (start_time)
    INCLUDE (line_ref, wholesale_cost) WHERE unknown_line;
"""

BACKWARD = """
DROP INDEX IF EXISTS cdr_import_cdr_start_id;
DROP INDEX IF EXISTS cdr_import_cdr_customer_start;
DROP INDEX IF EXISTS cdr_import_cdr_unrated_start;
DROP INDEX IF EXISTS cdr_import_cdr_unknown_start;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cdr_import", "0003_merge_20261130_1913"),
        ("reports", "0003_monthly_usage"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
