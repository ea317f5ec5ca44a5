"""Exception hierarchy for TikTok API for Business responses, and secret redaction.

TikTok answers business errors with HTTP 200 and a non-zero ``code``; callers care about
*what to do next* (retry, re-authorize, give up), so codes are mapped to classes here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Keys whose values must never reach logs or exception text.
SENSITIVE_KEYS = frozenset({"secret", "access_token", "access-token", "auth_code", "code_verifier"})
REDACTED = "***"


def redact(value: Any, secrets: Iterable[str | None] = ()) -> Any:
    """Return a copy of ``value`` with sensitive keys masked and known secret strings replaced.

    Works on dicts/lists/strings (nested); other values pass through unchanged.
    """
    known = [s for s in secrets if s and len(s) >= 4]
    return _redact(value, known)


def _redact(value: Any, known: list[str]) -> Any:
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if str(k).lower() in SENSITIVE_KEYS else _redact(v, known))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_redact(v, known) for v in value]
    if isinstance(value, str):
        for s in known:
            value = value.replace(s, REDACTED)
        return value
    return value


class TikTokError(Exception):
    """Base error. ``str()`` is built only from code/message/path/request_id (already redacted)."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        request_id: str | None = None,
        path: str = "",
        http_status: int | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.path = path
        self.http_status = http_status
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [f"TikTok {self.path or 'API'}"]
        if self.code is not None:
            parts.append(f"code={self.code}")
        if self.http_status is not None and self.http_status != 200:
            parts.append(f"http={self.http_status}")
        parts.append(repr(self.message))
        if self.request_id:
            parts.append(f"request_id={self.request_id}")
        return " ".join(parts)


class RateLimitedError(TikTokError):
    retryable = True


class TransientError(TikTokError):
    retryable = True


class TokenInvalidError(TikTokError):
    """The token no longer works; the binding must be re-authorized."""


class PermissionDeniedError(TikTokError):
    pass


class BadRequestError(TikTokError):
    pass


class AuthCodeError(BadRequestError):
    """App credentials or auth_code rejected (40101/40110/40113): restart OAuth / fix config."""


class PaginationError(TikTokError):
    """Pages were inconsistent; the listing is incomplete and must not be used as a full set."""


RATE_LIMIT_CODES = frozenset({40100, 40016, 40133, 40132})
TRANSIENT_CODES = frozenset({50000, 50002, 51010, 52404, 51305, 60001, 40201, 40202})
TOKEN_INVALID_CODES = frozenset({40102, 40104, 40105, 40106})
AUTH_CODES = frozenset({40101, 40110, 40113})
_RATE_LIMIT_WORDS = ("too frequent", "too many", "rate limit")
_TRANSIENT_WORDS = ("timeout", "timed out", "internal error", "redis")


def error_for_code(
    code: int, message: str, *, path: str, request_id: str | None
) -> TikTokError:
    """Map an envelope ``code`` (non-zero) to the matching exception instance."""
    lowered = (message or "").lower()
    kwargs: dict[str, Any] = {"code": code, "request_id": request_id, "path": path}
    cls: type[TikTokError]
    if code in RATE_LIMIT_CODES or (code == 40000 and any(w in lowered for w in _RATE_LIMIT_WORDS)):
        cls = RateLimitedError
    elif code in TRANSIENT_CODES or (code == 40700 and any(w in lowered for w in _TRANSIENT_WORDS)):
        cls = TransientError
    elif code in TOKEN_INVALID_CODES:
        cls = TokenInvalidError
    elif code == 40001:
        cls = PermissionDeniedError
    elif code in AUTH_CODES:
        cls = AuthCodeError
    else:
        cls = BadRequestError
    return cls(message or "", **kwargs)
