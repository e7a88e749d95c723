"""Which schema the current connection works in."""

from django.db import connection

PUBLIC = "public"


def current_schema() -> str:
    return str(getattr(connection, "schema_name", PUBLIC))


def in_public_schema() -> bool:
    return current_schema() == PUBLIC
