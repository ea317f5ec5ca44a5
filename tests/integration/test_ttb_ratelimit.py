"""Shared Redis limiter: unit-ish behaviour against real Redis, and 4 processes vs the sandbox."""

from __future__ import annotations

import time

from bench.bench_ratelimit import run
from webapp.providers.tiktok_business import RedisRateLimiter, TikTokClient


def test_limiter_allows_qps_then_waits(ttb_redis) -> None:
    lim = RedisRateLimiter(ttb_redis, qps=5, key_prefix=ttb_redis.test_prefix)
    assert [lim.try_acquire("/user/info/") for _ in range(5)] == [0.0] * 5
    wait = lim.try_acquire("/user/info/")
    assert 0.5 < wait <= 1.06


def test_report_path_has_lower_limit_and_advertiser_bucket(ttb_redis) -> None:
    lim = RedisRateLimiter(ttb_redis, qps=20, report_qps=2, advertiser_qps=3, key_prefix=ttb_redis.test_prefix)
    assert [lim.try_acquire("/gmv_max/report/get/") for _ in range(3)][-1] > 0
    assert [lim.try_acquire("/store/list/", "A") for _ in range(4)][-1] > 0
    assert lim.try_acquire("/store/list/", "B") == 0.0


def test_penalize_blocks_everyone(ttb_redis) -> None:
    a = RedisRateLimiter(ttb_redis, qps=100, key_prefix=ttb_redis.test_prefix)
    b = RedisRateLimiter(ttb_redis, qps=100, key_prefix=ttb_redis.test_prefix)
    a.penalize(0.3)
    assert b.try_acquire("/user/info/") > 0.2
    t0 = time.monotonic()
    b.acquire("/user/info/")
    assert time.monotonic() - t0 >= 0.25


def test_client_penalizes_on_40100(ttb_redis, sandbox_clean) -> None:
    lim = RedisRateLimiter(ttb_redis, qps=100, key_prefix=ttb_redis.test_prefix, cooldown_seconds=0.2)
    sandbox_clean.set_faults({"fail_next": [{"path": "/user/info/", "count": 1, "code": 40100}]})
    c = TikTokClient(sandbox_clean.base_url, sandbox_clean.issue_token(), limiter=lim, sleep=lambda s: None)
    t0 = time.monotonic()
    c.get_user_info()
    assert time.monotonic() - t0 >= 0.15  # the retry waited for the cool-down


def test_four_processes_share_10_qps(sandbox_clean) -> None:
    token = sandbox_clean.issue_token()
    result = run(sandbox_clean.root_url, token, processes=4, qps=10, seconds=3)
    assert result["errors"] == 0
    assert result["max_window"] <= 10, result
    assert result["utilisation"] >= 0.8, result
