"""Custom domains wait for a platform admin's approval: a status on Domain.

The domains that exist already were serving their sites: they become active. New rows are pending
unless created active on purpose (a tenant's main domain, the platform's)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_onboarding"),
    ]

    operations = [
        migrations.AddField(
            model_name="domain",
            name="status",
            field=models.CharField(
                choices=[("pending", "Awaiting approval"), ("active", "Active"), ("refused", "Refused")],
                default="active",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="domain",
            name="status",
            field=models.CharField(
                choices=[("pending", "Awaiting approval"), ("active", "Active"), ("refused", "Refused")],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="domain",
            name="requested_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="requested at"),
        ),
        migrations.AddField(
            model_name="domain",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
        ),
        migrations.AddField(
            model_name="domain",
            name="decided_by",
            field=models.CharField(blank=True, max_length=150, verbose_name="decided by"),
        ),
    ]
