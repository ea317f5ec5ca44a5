"""The per-binding lock: two runs of one binding on two workers never overlap, and both succeed."""

from __future__ import annotations

import redis as redis_lib

from tests.helpers import bearer, load_run, wait_until
from tests.integration.test_worker_faults import mirror_counts
from webapp.runs.lock import BindingLock, lock_key, release_lock_of_run

BASE = "/api/v1/tenants/{wid}/providers/tiktok-business/accounts/{auth_id}/sync"


def test_two_concurrent_syncs_of_one_binding_do_not_overlap(app, client, factory, sandbox_clean, make_binding,
                                                            start_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    other = make_binding(t.wid)
    sandbox_clean.set_faults({"latency_ms": 150})
    start_worker()
    start_worker()
    url = BASE.format(wid=t.wid, auth_id=b.id)
    ids = [client.post(url, json={"wait": False}, headers=bearer(t.admin.token)).get_json()["run_id"]
           for _ in range(2)]
    # the second run waits for the lock instead of failing (PRODUCT.md §9: no more lock_not_acquired)
    waiting = wait_until(lambda: any((load_run(app, i).progress or {}).get("phase") == "waiting_for_lock"
                                     for i in ids), 60, 0.05)
    assert waiting
    runs = [wait_until(lambda i=i: (r := load_run(app, i)).status in ("success", "partial", "failed") and r, 120)
            for i in ids]
    assert [r.status for r in runs] == ["success", "success"], [(r.error_code, r.error_message) for r in runs]
    first, second = sorted(runs, key=lambda r: r.started_at)
    assert first.finished_at <= second.started_at, (first.started_at, first.finished_at, second.started_at)
    assert mirror_counts(app, b.id) == (2, 5, 6)
    assert mirror_counts(app, other.id) == (0, 0, 0)


def test_lock_owner_token_and_compare_and_delete(redis_client):
    first = BindingLock(redis_client, "locktest", 7, run_id=1, ttl_seconds=5)
    second = BindingLock(redis_client, "locktest", 7, run_id=2, ttl_seconds=5)
    assert first.try_acquire()
    assert not second.acquire(0.3)  # bounded wait
    assert not second.release()  # not the owner: nothing deleted
    assert redis_client.get(lock_key("locktest", 7)).decode() == first.token
    assert first.extend() and 0 < redis_client.pttl(lock_key("locktest", 7)) <= 5000
    assert first.release()
    assert second.acquire(1)
    assert not release_lock_of_run(redis_client, "locktest", 7, run_id=1)  # run 1 no longer owns it
    assert release_lock_of_run(redis_client, "locktest", 7, run_id=2)
    assert redis_client.get(lock_key("locktest", 7)) is None


def test_lock_expires_when_the_owner_stops_beating(redis_client):
    lock = BindingLock(redis_client, "locktest", 8, run_id=3, ttl_seconds=1)
    assert lock.try_acquire()
    redis_client.pexpire(lock_key("locktest", 8), 1)  # the TTL runs out (owner died)
    other = BindingLock(redis_client, "locktest", 8, run_id=4, ttl_seconds=1)
    assert other.acquire(2)
    assert isinstance(redis_client, redis_lib.Redis)
