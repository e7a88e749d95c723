"""Password-reset tokens bound to the schema they were issued in."""

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator

from core.tenancy import current_schema


class SchemaBoundTokenGenerator(PasswordResetTokenGenerator):
    """A reset link from one tenant's site never works on another's, even for the same user id."""

    key_salt = "ism.accounts.SchemaBoundTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{current_schema()}:{super()._make_hash_value(user, timestamp)}"


password_reset_token = SchemaBoundTokenGenerator()
