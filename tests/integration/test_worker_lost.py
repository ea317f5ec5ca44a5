"""A worker killed mid-run: the run ends failed WORKER_LOST (never running forever), the next run on a new
worker completes with the right rows and no duplicates. Lost enqueues are re-enqueued."""

from __future__ import annotations

import subprocess
from datetime import timedelta

from sqlalchemy import func, select

from tests.fixtures.worker import PROJECT_ROOT, flask_bin
from tests.helpers import bearer, load_run, wait_until
from tests.integration.test_worker_faults import mirror_counts
from webapp.extensions import db
from webapp.models import Advertiser, BusinessCenter, Store, SyncRun, utcnow
from webapp.runs.lock import lock_key
from webapp.runs.queue import fetch_job, job_id_for
from webapp.runs.watchdog import recover_lost_runs

BASE = "/api/v1/tenants/{wid}/providers/tiktok-business/accounts/{auth_id}/sync"


def sync(client, t, b, **body):
    return client.post(BASE.format(wid=t.wid, auth_id=b.id), json=body, headers=bearer(t.admin.token))


def wait_mid_run(app, run_id: int) -> SyncRun:
    """Running, and past the first phase: some rows may already be written."""
    return wait_until(lambda: (r := load_run(app, run_id)).status == "running"
                      and (r.progress or {}).get("phase") not in (None, "starting", "enqueued") and r, 60, 0.05)


def distinct_rows(app, binding_id: int) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.execute(select(func.count(func.distinct(BusinessCenter.bc_id)))
                               .where(BusinessCenter.binding_id == binding_id)).scalar_one(),
            db.session.execute(select(func.count(func.distinct(Advertiser.advertiser_id)))
                               .where(Advertiser.binding_id == binding_id)).scalar_one(),
            db.session.execute(select(func.count(func.distinct(Store.store_id)))
                               .where(Store.binding_id == binding_id)).scalar_one(),
        )


def test_sigkilled_worker_gives_worker_lost_then_a_new_run_completes(app, client, factory, sandbox_clean,
                                                                     make_binding, start_worker, redis_client,
                                                                     base_config):
    t = factory.tenant()
    b = make_binding(t.wid)
    sandbox_clean.set_faults({"latency_ms": 400})  # ~13 calls: a run of several seconds
    worker = start_worker()
    run_id = sync(client, t, b, wait=False).get_json()["run_id"]
    wait_mid_run(app, run_id)
    worker.kill()  # SIGKILL: worker, scheduler child and work horse; nothing cleans up
    assert load_run(app, run_id).status == "running"
    assert redis_client.exists(lock_key(base_config["RQ_QUEUE"], b.id))

    with app.app_context():
        # Right away the heartbeat is fresh and the RQ job still says "started": nothing to do yet.
        assert recover_lost_runs(db.session, redis_client)["lost"] == []
        # One tick later than the stale threshold (30 s), the run is declared lost.
        result = recover_lost_runs(db.session, redis_client, now=utcnow() + timedelta(seconds=45))
    assert result["lost"] == [run_id]
    run = load_run(app, run_id)
    assert run.status == "failed" and run.error_code == "WORKER_LOST"
    assert run.finished_at is not None and run.stats["errors"][-1]["code"] == "WORKER_LOST"
    assert not redis_client.exists(lock_key(base_config["RQ_QUEUE"], b.id)), "the dead run's lock is freed"

    sandbox_clean.admin("DELETE", "faults")
    start_worker()
    resp = sync(client, t, b, wait_timeout_seconds=60)
    assert resp.status_code == 200 and resp.get_json()["status"] == "success", resp.get_json()
    assert mirror_counts(app, b.id) == (2, 5, 6)  # one row per entity: no duplicates
    assert distinct_rows(app, b.id) == (2, 5, 6)
    assert load_run(app, run_id).status == "failed"  # the lost run stays lost after the new worker started


def test_killed_work_horse_is_found_by_flask_scheduler(app, client, factory, sandbox_clean, make_binding,
                                                       start_worker, worker_env):
    t = factory.tenant()
    b = make_binding(t.wid)
    sandbox_clean.set_faults({"latency_ms": 400})
    worker = start_worker()
    run_id = sync(client, t, b, wait=False).get_json()["run_id"]
    wait_mid_run(app, run_id)
    worker.kill_horse()  # the worker survives and records the job as failed
    with app.app_context():
        wait_until(lambda: (job := fetch_job(job_id_for(run_id))) is not None and job.get_status() == "failed", 30)
    proc = subprocess.run([flask_bin(), "scheduler", "--once"], cwd=PROJECT_ROOT, env=worker_env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    run = load_run(app, run_id)
    assert run.status == "failed" and run.error_code == "WORKER_LOST"

    sandbox_clean.admin("DELETE", "faults")
    resp = sync(client, t, b, wait_timeout_seconds=60)  # the same worker forks a new horse
    assert resp.get_json()["status"] == "success"
    assert distinct_rows(app, b.id) == mirror_counts(app, b.id) == (2, 5, 6)


def test_enqueued_run_whose_job_vanished_is_enqueued_again(app, client, factory, sandbox_clean, make_binding,
                                                           start_worker, redis_client):
    t = factory.tenant()
    b = make_binding(t.wid)
    run_id = sync(client, t, b, wait=False).get_json()["run_id"]
    with app.app_context():
        fetch_job(job_id_for(run_id)).delete()  # Redis lost the job (flush, failover, ...)
        assert recover_lost_runs(db.session, redis_client)["reenqueued"] == []  # still within the grace period
        result = recover_lost_runs(db.session, redis_client, now=utcnow() + timedelta(seconds=120))
    assert result["reenqueued"] == [run_id]
    assert load_run(app, run_id).stats["recovery"]["reenqueued"] == 1
    start_worker()
    run = wait_until(lambda: (r := load_run(app, run_id)).status in ("success", "failed") and r, 60)
    assert run.status == "success"


def test_enqueued_run_lost_too_often_fails(app, client, factory, make_binding, redis_client):
    t = factory.tenant()
    b = make_binding(t.wid)
    run_id = sync(client, t, b, wait=False).get_json()["run_id"]
    later = utcnow() + timedelta(seconds=120)
    with app.app_context():
        for attempt in range(4):
            fetch_job(job_id_for(run_id)).delete()
            later += timedelta(seconds=120)
            result = recover_lost_runs(db.session, redis_client, now=later, max_reenqueue=3)
            assert result["reenqueued"] == ([run_id] if attempt < 3 else [])
    run = load_run(app, run_id)
    assert run.status == "failed" and run.error_code == "ENQUEUE_LOST"


def test_run_row_exists_even_when_redis_is_unreachable(app, client, factory, make_binding, make_app,
                                                      redis_client):
    t = factory.tenant()
    b = make_binding(t.wid)
    broken = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    try:
        with broken.test_client() as c:
            resp = c.post(BASE.format(wid=t.wid, auth_id=b.id), json={"wait": False},
                          headers=bearer(t.admin.token))
            keyed = c.post(BASE.format(wid=t.wid, auth_id=b.id), json={"wait": False, "idempotency_key": "x"},
                           headers=bearer(t.admin.token))
    finally:
        # The login limiter is a module singleton that follows the last app built: point it back
        # at the reachable Redis so later tests are not affected by this one's broken URL.
        make_app()
    assert resp.status_code == 202 and keyed.status_code == 202
    run_ids = sorted([resp.get_json()["run_id"], keyed.get_json()["run_id"]])
    assert [load_run(app, i).status for i in run_ids] == ["enqueued", "enqueued"]
    with app.app_context():  # Redis is back: the scheduler tick enqueues them
        result = recover_lost_runs(db.session, redis_client, now=utcnow() + timedelta(seconds=120))
        assert sorted(result["reenqueued"]) == run_ids
        assert all(fetch_job(job_id_for(i)) is not None for i in run_ids)
