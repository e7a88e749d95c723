from django.db import migrations


def create_counter(apps, schema_editor):
    # The one row the customer-number generator locks (select_for_update), present from the start
    # so two first creations never race to insert it.
    apps.get_model("customers", "CustomerNumberCounter").objects.get_or_create(pk=1, defaults={"last": 0})


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(create_counter, migrations.RunPython.noop)]
