"""Indexes of the line list and the header search (prefix searches on MSISDN, ICCID, fixed
numbers; filters by status and offer in MSISDN order) — fast with 100,000 lines in a tenant."""

from django.db import migrations

INDEXES = [
    ("provisioning_mobileline", "mobile_line_msisdn_prefix", "msisdn varchar_pattern_ops, id"),
    ("provisioning_mobileline", "mobile_line_status_msisdn", "status, msisdn, id"),
    ("provisioning_mobileline", "mobile_line_offer_msisdn", "offer_id, msisdn, id"),
    ("provisioning_mobileline", "mobile_line_customer_msisdn", "customer_id, msisdn, id"),
    ("provisioning_sim", "sim_iccid_prefix", "iccid varchar_pattern_ops"),
    ("provisioning_fixednumber", "fixed_number_prefix", "number varchar_pattern_ops"),
    ("provisioning_lineaction", "line_action_batch_kind", "batch_reference, kind"),
]


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0001_initial")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns});",
            f"DROP INDEX IF EXISTS {name};",
        )
        for table, name, columns in INDEXES
    ]
