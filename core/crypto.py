"""Protection of sensitive personal information (PIPL): ID numbers are stored encrypted, with a keyed
hash beside them so a record can be found by ID number without decrypting every row."""
from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


class PersonalDataCipher:
    def __init__(self, encryption_key: str | bytes, hash_key: str | bytes):
        if isinstance(encryption_key, str):
            encryption_key = encryption_key.encode()
        if isinstance(hash_key, str):
            hash_key = hash_key.encode()
        if not hash_key:
            raise ValueError("a lookup-hash key is required")
        self._fernet = Fernet(encryption_key)
        self._hash_key = hash_key

    @staticmethod
    def generate_keys() -> tuple[str, str]:
        return Fernet.generate_key().decode(), base64.urlsafe_b64encode(Fernet.generate_key()).decode()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:  # wrong key: never echo the token
            raise ValueError("personal data cannot be decrypted with the configured key") from exc

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()
