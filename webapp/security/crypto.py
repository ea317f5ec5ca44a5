"""Secrets at rest: MultiFernet over CRYPTO_KEYS (first key encrypts, all keys decrypt)."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

_fernet: MultiFernet | None = None


def configure(keys: Sequence[str]) -> None:
    global _fernet
    _fernet = MultiFernet([Fernet(k.encode()) for k in keys])


def _get() -> MultiFernet:
    if _fernet is None:
        raise RuntimeError("crypto is not configured; create the app first")
    return _fernet


def encrypt(plaintext: str) -> str:
    return _get().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _get().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise RuntimeError("a stored secret cannot be decrypted with CRYPTO_KEYS") from None


def rotate(ciphertext: str) -> str:
    """Re-encrypt under the first key (used by `flask keys rotate`)."""
    return _get().rotate(ciphertext.encode()).decode()


class EncryptedText(TypeDecorator):
    """A column whose value is a Fernet token in the database and plaintext in Python."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
