"""TikTok API for Business: HTTP client, errors, models, pagination and shared rate limiter."""

from .client import TikTokClient
from .errors import (
    AuthCodeError,
    BadRequestError,
    PaginationError,
    PermissionDeniedError,
    RateLimitedError,
    TikTokError,
    TokenInvalidError,
    TransientError,
    redact,
)
from .paging import Page
from .ratelimit import NullRateLimiter, RateLimiter, RedisRateLimiter

__all__ = [
    "AuthCodeError",
    "BadRequestError",
    "NullRateLimiter",
    "Page",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RateLimiter",
    "RedisRateLimiter",
    "TikTokClient",
    "TikTokError",
    "TokenInvalidError",
    "TransientError",
    "redact",
]
