"""The list search is backed by trigram indexes where PostgreSQL offers pg_trgm."""


def test_trigram_indexes_exist_where_postgresql_has_pg_trgm(acme):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        available = cursor.fetchone() is not None
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'acme' AND indexname LIKE '%%_trgm'"
        )
        indexes = {row[0] for row in cursor.fetchall()}
    expected = {
        "customer_number_trgm",
        "customer_company_trgm",
        "customer_lastname_trgm",
        "contact_email_trgm",
        "contact_name_trgm",
        "contact_phone_trgm",
    }
    assert indexes == (expected if available else set())
