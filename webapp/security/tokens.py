"""Random credentials stored only as a keyed hash (API tokens, login session ids)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

API_TOKEN_PREFIX = "gmv_"


def new_api_token() -> tuple[str, str]:
    """Returns (token, visible_prefix). The prefix is shown in lists so users can tell tokens apart."""
    visible = secrets.token_hex(4)
    token = f"{API_TOKEN_PREFIX}{visible}_{secrets.token_urlsafe(32)}"
    return token, f"{API_TOKEN_PREFIX}{visible}"


def keyed_hash(value: str, key: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def fingerprint(value: str) -> str:
    """Unkeyed SHA-256, for identifying the same third-party token twice (not for authentication)."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_session_id() -> str:
    return secrets.token_urlsafe(32)
