"""Encryption at rest of the secrets tenants give us (feed passwords and keys, PUK codes).

Secrets are stored as Fernet tokens in a plain text column and decrypted only where used, so a
model instance never carries the clear value into a template, a serializer or a log line.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = list(settings.ISM_ENCRYPTION_KEYS)
    if not keys:
        # Development only: a key derived from SECRET_KEY. Production sets ISM_ENCRYPTION_KEYS.
        digest = hashlib.sha256(("ism-secrets:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def encrypt_secret(value: str) -> str:
    """Encrypt a secret for storage; the empty string stays empty (no secret)."""
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def decrypt_secret(token: str) -> str:
    """Decrypt a stored secret. Raises ValueError when the key that encrypted it is gone."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("this secret cannot be decrypted with the configured keys") from exc
