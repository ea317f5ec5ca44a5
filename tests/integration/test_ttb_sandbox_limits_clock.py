"""Sandbox over HTTP: the per-advertiser bucket (40133) and the client's retry, the movable clock
(auth_code 1-hour expiry), and the revoke_token header contract."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.fixtures.sandbox import Recorder
from webapp.providers.tiktok_business import (
    AuthCodeError,
    RateLimitedError,
    RedisRateLimiter,
    TikTokClient,
    TokenInvalidError,
)

ADV1, ADV2, ADV4 = "7400000000000000001", "7400000000000000002", "7400000000000000004"
STORES_OF_ADV1 = ["7494000000000000001", "7494000000000000002"]


def test_advertiser_qps_answers_40133_per_advertiser_and_path(sandbox_clean) -> None:
    sandbox_clean.set_faults("advertiser_qps=1")
    token = sandbox_clean.issue_token()
    headers = {"Access-Token": token}

    def store_list(advertiser_id: str) -> dict:
        return httpx.get(sandbox_clean.base_url + "/store/list/", params={"advertiser_id": advertiser_id},
                         headers=headers).json()

    assert store_list(ADV1)["code"] == 0
    refused = store_list(ADV1)
    assert refused["code"] == 40133 and refused["data"] == {}
    assert refused["message"] == (f"Advertiser ({ADV1})'s QPS (2) reaches QPS limit 1 for current path "
                                  "/store/list/. Please retry later.")
    assert store_list(ADV2)["code"] == 0  # another advertiser has its own bucket
    other_path = httpx.get(sandbox_clean.base_url + "/gmv_max/store/list/", params={"advertiser_id": ADV1},
                           headers=headers).json()
    assert other_path["code"] == 0  # and so has another path
    assert sandbox_clean.admin("GET", "faults")["advertiser_qps"] == 1


def test_client_retries_40133_and_succeeds(sandbox_clean) -> None:
    sandbox_clean.set_faults("advertiser_qps=1")
    # Real sleeps: the backoff (>= 0.3 s, doubling) gets past the sandbox's one-second window.
    client = TikTokClient(sandbox_clean.base_url, sandbox_clean.issue_token(), backoff_base=0.6)
    assert [s.store_id for s in client.list_stores(ADV1)] == STORES_OF_ADV1
    assert [s.store_id for s in client.list_stores(ADV1)] == STORES_OF_ADV1
    codes = sandbox_clean.stats()["codes"]["/store/list/"]
    assert codes["0"] == 2 and codes["40133"] >= 1


def test_client_backoff_on_40133_uses_the_sandbox_clock(sandbox_clean) -> None:
    """Sleeping = moving the sandbox clock: exactly one refusal, no real waiting."""
    sandbox_clean.set_faults("advertiser_qps=1")
    client = TikTokClient(sandbox_clean.base_url, sandbox_clean.issue_token(), backoff_base=2.0,
                          sleep=sandbox_clean.advance_clock)  # first backoff is 1-2 s
    client.list_stores(ADV1)
    assert [s.store_id for s in client.list_stores(ADV1)] == STORES_OF_ADV1
    assert sandbox_clean.stats()["codes"]["/store/list/"] == {"0": 2, "40133": 1}


def test_40133_surfaces_as_rate_limited_when_retries_run_out(sandbox_clean) -> None:
    sandbox_clean.set_faults("advertiser_qps=1")
    client = TikTokClient(sandbox_clean.base_url, sandbox_clean.issue_token(), max_retries=0)
    client.list_stores(ADV1)
    with pytest.raises(RateLimitedError) as info:
        client.list_stores(ADV1)
    assert info.value.code == 40133 and info.value.retryable and info.value.request_id


def test_redis_limiter_advertiser_bucket_avoids_40133(sandbox_clean, ttb_redis) -> None:
    sandbox_clean.set_faults("advertiser_qps=1")
    # A wide margin: under a loaded machine the first request (new connection) may reach the sandbox late.
    limiter = RedisRateLimiter(ttb_redis, qps=50, advertiser_qps=1, key_prefix=ttb_redis.test_prefix,
                               window_margin=0.3)
    client = TikTokClient(sandbox_clean.base_url, sandbox_clean.issue_token(), limiter=limiter, max_retries=0)
    for _ in range(2):
        client.list_stores(ADV1)
    assert sandbox_clean.stats()["codes"]["/store/list/"] == {"0": 2}


# ---------------------------------------------------------------------------- clock / auth_code


def test_clock_admin_endpoint(sandbox_clean) -> None:
    before = sandbox_clean.admin("GET", "clock")
    assert before["offset_seconds"] == 0 and abs(before["now"] - time.time()) < 60
    assert sandbox_clean.set_clock(3601)["offset_seconds"] == 3601
    assert sandbox_clean.advance_clock(9)["offset_seconds"] == 3610
    for bad in ({"offset_seconds": 10}, {"advance_seconds": -1}, {"offset_seconds": "1h"}, {}):
        resp = httpx.post(sandbox_clean.root_url + "/_sandbox/clock", json=bad)
        assert resp.status_code == 400 and resp.json()["error"].startswith("invalid clock change")
    sandbox_clean.reset()
    assert sandbox_clean.admin("GET", "clock")["offset_seconds"] == 0


def test_auth_code_expires_after_one_hour(sandbox_clean) -> None:
    app_id, secret = sandbox_clean.app_id, sandbox_clean.secret
    client = TikTokClient(sandbox_clean.base_url)
    old, edge = sandbox_clean.authorize(state="a"), sandbox_clean.authorize(state="b")
    sandbox_clean.set_clock(3590)
    assert client.exchange_auth_code(app_id, secret, edge).access_token  # 59 min 50 s: still valid
    sandbox_clean.set_clock(3601)
    with pytest.raises(AuthCodeError) as info:
        client.exchange_auth_code(app_id, secret, old)
    assert info.value.code == 40110
    fresh = client.exchange_auth_code(app_id, secret, sandbox_clean.authorize(state="c"))
    assert len(fresh.advertiser_ids) == 5
    # Long-term tokens do not expire with time (TIKTOK_API.md §4.3), only by revoke.
    sandbox_clean.advance_clock(400 * 86400)
    assert TikTokClient(sandbox_clean.base_url, fresh.access_token).get_user_info().core_user_id


# ---------------------------------------------------------------------------- revoke_token




def test_revoke_token_sends_the_revoked_token_as_access_token(sandbox_clean) -> None:
    """Reference page: Access-Token header required; its example sends the same token in header and body."""
    app_id, secret = sandbox_clean.app_id, sandbox_clean.secret
    own, target, third = (sandbox_clean.issue_token() for _ in range(3))
    recorder = Recorder()
    http = httpx.Client(timeout=10, event_hooks={"request": [recorder]})
    # A client with no token of its own, and one holding a different binding's token.
    TikTokClient(sandbox_clean.base_url, http=http).revoke_token(app_id, secret, target)
    TikTokClient(sandbox_clean.base_url, own, http=http).revoke_token(app_id, secret, third)
    http.close()
    sent = [(r.headers.get("Access-Token"), json.loads(r.content)["access_token"]) for r in recorder.requests]
    assert sent == [(target, target), (third, third)]
    assert all(r.headers["Content-Type"] == "application/json" for r in recorder.requests)
    for token in (target, third):
        with pytest.raises(TokenInvalidError):
            TikTokClient(sandbox_clean.base_url, token).get_user_info()
    assert TikTokClient(sandbox_clean.base_url, own).get_user_info().core_user_id  # untouched


def test_revoke_without_access_token_header_is_40104(sandbox_clean) -> None:
    token = sandbox_clean.issue_token()
    body = {"app_id": sandbox_clean.app_id, "secret": sandbox_clean.secret, "access_token": token}
    resp = httpx.post(sandbox_clean.base_url + "/oauth2/revoke_token/", json=body).json()
    assert resp["code"] == 40104
    assert TikTokClient(sandbox_clean.base_url, token).get_user_info().core_user_id  # not revoked
