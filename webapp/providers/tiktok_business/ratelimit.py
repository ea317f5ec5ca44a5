"""Request-rate limiting shared by every process that talks to TikTok.

TikTok's QPS limits are per developer app, so web workers, RQ workers and CLI runs must share
one budget. RedisRateLimiter keeps a sliding-window log per bucket in Redis and decides in a
Lua script that reads Redis TIME, so all processes agree on the clock and no two can take the
last slot.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from typing import Protocol

import redis

REPORT_PATHS = frozenset({"/gmv_max/report/get/"})

# KEYS[1] = cool-down key, KEYS[2..n] = window keys; ARGV = member, then (limit, window_us) pairs.
# Returns 0 when a slot was taken in every window, otherwise microseconds to wait.
_ACQUIRE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cooldown = tonumber(redis.call('GET', KEYS[1]) or '0')
if cooldown > now then
  return cooldown - now
end
local wait = 0
for i = 2, #KEYS do
  local limit = tonumber(ARGV[(i - 2) * 2 + 2])
  local window = tonumber(ARGV[(i - 2) * 2 + 3])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local w = tonumber(oldest[2]) + window - now + 1
    if w > wait then wait = w end
  end
end
if wait > 0 then
  return wait
end
for i = 2, #KEYS do
  local window = tonumber(ARGV[(i - 2) * 2 + 3])
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], math.ceil(window / 1000) + 1000)
end
return 0
"""

# KEYS[1] = cool-down key; ARGV[1] = seconds (float). Never shortens an existing cool-down.
_PENALIZE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untl = now + math.floor(tonumber(ARGV[1]) * 1000000)
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untl > cur then
  redis.call('SET', KEYS[1], untl, 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return untl
"""


class RateLimiter(Protocol):
    def acquire(self, path: str, advertiser_id: str | None = None) -> None: ...

    def penalize(self, seconds: float | None = None) -> None: ...


class NullRateLimiter:
    """No limiting (unit tests, one-off scripts)."""

    def acquire(self, path: str, advertiser_id: str | None = None) -> None:
        return None

    def penalize(self, seconds: float | None = None) -> None:
        return None


def _window(qps: float, margin: float) -> tuple[int, int]:
    """(limit, window_us) so that at most ``qps`` requests land in any one second.

    Rates below 1/s use a longer window holding one request. ``margin`` widens the window
    slightly: the grant happens a few ms before TikTok sees the request, and that jitter
    must not squeeze an extra request into TikTok's one-second window.
    """
    if qps <= 0:
        raise ValueError("qps must be > 0")
    seconds = max(1.0, 1.0 / qps)
    limit = max(1, math.floor(qps * seconds + 1e-9))
    return limit, int((seconds + margin) * 1_000_000)


class RedisRateLimiter:
    def __init__(
        self,
        redis: redis.Redis,
        *,
        qps: float,
        report_qps: float | None = None,
        advertiser_qps: float | None = None,
        key_prefix: str = "gmv:ttb:rl",
        cooldown_seconds: float = 1.0,
        window_margin: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float | None = None,
    ) -> None:
        self._redis = redis
        self._prefix = key_prefix
        self._global = _window(qps, window_margin)
        self._report = _window(report_qps, window_margin) if report_qps else None
        self._advertiser = _window(advertiser_qps, window_margin) if advertiser_qps else None
        self._cooldown = cooldown_seconds
        self._sleep = sleep
        self._max_wait = max_wait
        self._acquire = redis.register_script(_ACQUIRE_LUA)
        self._penalize = redis.register_script(_PENALIZE_LUA)

    @property
    def cooldown_key(self) -> str:
        return f"{self._prefix}:cooldown"

    def _buckets(self, path: str, advertiser_id: str | None) -> list[tuple[str, tuple[int, int]]]:
        buckets = [(f"{self._prefix}:global", self._global)]
        if self._report and path in REPORT_PATHS:
            buckets.append((f"{self._prefix}:path:{path}", self._report))
        if self._advertiser and advertiser_id:
            buckets.append((f"{self._prefix}:adv:{advertiser_id}:{path}", self._advertiser))
        return buckets

    def try_acquire(self, path: str, advertiser_id: str | None = None) -> float:
        """Take a slot if one is free; return 0.0, or the seconds to wait before trying again."""
        buckets = self._buckets(path, advertiser_id)
        keys = [self.cooldown_key] + [k for k, _ in buckets]
        args: list[str | int] = [uuid.uuid4().hex]
        for _, (limit, window_us) in buckets:
            args += [limit, window_us]
        wait_us = int(self._acquire(keys=keys, args=args))
        return wait_us / 1_000_000

    def acquire(self, path: str, advertiser_id: str | None = None) -> None:
        """Block until a request to ``path`` is allowed."""
        waited = 0.0
        while True:
            wait = self.try_acquire(path, advertiser_id)
            if wait <= 0:
                return
            if self._max_wait is not None and waited + wait > self._max_wait:
                raise TimeoutError(f"rate limiter: no slot for {path} within {self._max_wait}s")
            # Short naps: another process may free nothing earlier, but a cool-down may be
            # extended meanwhile, and we want to re-check promptly either way.
            nap = min(wait, 0.25)
            self._sleep(nap)
            waited += nap

    def penalize(self, seconds: float | None = None) -> None:
        """Make every process pause (TikTok still answered 40100, so our budget is off)."""
        self._penalize(keys=[self.cooldown_key], args=[seconds if seconds is not None else self._cooldown])

    def reset(self) -> None:
        """Drop all limiter state under this prefix (tests, admin)."""
        for key in self._redis.scan_iter(match=f"{self._prefix}:*"):
            self._redis.delete(key)
