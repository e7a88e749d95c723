"""The `unaccent` extension, for searches that ignore accents (see `core.search`).

In the public schema, so every tenant schema (search path: tenant, public) sees it. A PostgreSQL
built without contrib (the demo's embedded one) has no unaccent: the searches then compare the
normalised query without it, as they do without pg_trgm.
"""

from django.db import migrations


def create_unaccent_extension(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
        available = cursor.fetchone() is not None
    if available:
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [migrations.RunPython(create_unaccent_extension, migrations.RunPython.noop)]
