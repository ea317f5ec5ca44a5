"""Builds TikTok clients from the app's configuration (the one Flask-aware piece of the provider).

Every client shares one Redis rate limiter, so all web and worker processes together stay under
TTB_QPS. The client itself imports nothing from Flask."""

from __future__ import annotations

from flask import current_app

from webapp.extensions import get_redis
from webapp.providers.tiktok_business.client import TikTokClient
from webapp.providers.tiktok_business.ratelimit import RedisRateLimiter

# TikTok's report endpoint has a lower app quota than the global one (TIKTOK_API.md §3).
REPORT_QPS_SHARE = 0.8


def shared_limiter() -> RedisRateLimiter:
    limiter = current_app.extensions.get("gmv_ttb_limiter")
    if limiter is None:
        qps = current_app.config["SETTINGS"].TTB_QPS
        limiter = RedisRateLimiter(get_redis(), qps=qps, report_qps=max(1.0, qps * REPORT_QPS_SHARE),
                                   key_prefix=f"{current_app.config['RQ_QUEUE']}:ttb:rl")
        current_app.extensions["gmv_ttb_limiter"] = limiter
    return limiter


def make_client(access_token: str | None = None) -> TikTokClient:
    """A client for the configured TikTok base URL (the sandbox in demo and tests)."""
    settings = current_app.config["SETTINGS"]
    return TikTokClient(settings.TTB_API_BASE_URL, access_token, timeout=settings.TTB_HTTP_TIMEOUT,
                        limiter=shared_limiter())
