"""Each customer's ledger balance kept by PostgreSQL: statement-level triggers on the ledger add
what an INSERT brings and take away what a DELETE removes (an UPDATE does both), whatever writes the
entries (the ORM, a bulk insert, a COPY); the balances of the entries already there are summed once.
The function names the schema of the table that fired it (`TG_TABLE_SCHEMA`), so a tenant's
entries only ever move that tenant's balances; customers are locked in their id order."""

import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models


FUNCTION = """
CREATE OR REPLACE FUNCTION customers_ledger_balance_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE format(
            'UPDATE %I.customers_customerbalance b SET balance = b.balance - s.total '
            'FROM (SELECT customer_id, sum(amount_ttc) AS total FROM old_rows GROUP BY customer_id) s '
            'WHERE b.customer_id = s.customer_id',
            TG_TABLE_SCHEMA);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format(
            'INSERT INTO %I.customers_customerbalance AS b (customer_id, balance) '
            'SELECT customer_id, sum(amount_ttc) FROM new_rows GROUP BY customer_id ORDER BY customer_id '
            'ON CONFLICT (customer_id) DO UPDATE SET balance = b.balance + EXCLUDED.balance',
            TG_TABLE_SCHEMA);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER customers_ledger_balance_insert AFTER INSERT ON customers_ledgerentry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customers_ledger_balance_keep();
CREATE TRIGGER customers_ledger_balance_delete AFTER DELETE ON customers_ledgerentry
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION customers_ledger_balance_keep();
CREATE TRIGGER customers_ledger_balance_update AFTER UPDATE ON customers_ledgerentry
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION customers_ledger_balance_keep();
INSERT INTO customers_customerbalance (customer_id, balance)
SELECT customer_id, sum(amount_ttc) FROM customers_ledgerentry GROUP BY customer_id;
"""

REVERSE = """
DROP TRIGGER IF EXISTS customers_ledger_balance_insert ON customers_ledgerentry;
DROP TRIGGER IF EXISTS customers_ledger_balance_delete ON customers_ledgerentry;
DROP TRIGGER IF EXISTS customers_ledger_balance_update ON customers_ledgerentry;
DROP FUNCTION IF EXISTS customers_ledger_balance_keep();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0004_merge_20261130_1956'),
    ]

    operations = [
        migrations.CreateModel(
            name='CustomerBalance',
            fields=[
                ('customer', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='ledger_balance', serialize=False, to='customers.customer')),
                ('balance', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, verbose_name='balance')),
            ],
            options={
                'verbose_name': 'customer balance',
                'verbose_name_plural': 'customer balances',
                'indexes': [models.Index(fields=['balance'], name='customer_balance_amount')],
            },
        ),
        migrations.RunSQL(FUNCTION, REVERSE),
    ]
