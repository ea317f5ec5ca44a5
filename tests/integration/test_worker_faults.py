"""TikTok faults seen by a real worker: retried transient errors end in success, a dead token fails
the run TOKEN_INVALID and marks the binding invalid."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.helpers import bearer, load_run, wait_until
from webapp.extensions import db
from webapp.models import Advertiser, Binding, BusinessCenter, Store

BASE = "/api/v1/tenants/{wid}/providers/tiktok-business/accounts/{auth_id}/sync"


def sync(client, t, b, **body):
    return client.post(BASE.format(wid=t.wid, auth_id=b.id), json=body, headers=bearer(t.admin.token))




def mirror_counts(app, binding_id: int) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.execute(select(func.count()).select_from(m).where(m.binding_id == binding_id))
                     .scalar_one() for m in (BusinessCenter, Advertiser, Store))


def test_rate_limit_and_timeout_codes_are_retried_to_success(app, client, factory, sandbox_clean, make_binding,
                                                             rq_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    sandbox_clean.set_faults({"fail_next": [{"path": "/bc/get/", "count": 2, "code": 40100},
                                            {"path": "/advertiser/info/", "count": 2, "code": 51010},
                                            {"path": "/store/list/", "count": 1, "code": 50000}]})
    resp = sync(client, t, b, wait_timeout_seconds=120)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "success", load_run(app, body["run_id"]).stats
    assert body["summary"]["advertisers"]["added"] == 5 and body["summary"]["stores"]["added"] == 6
    stats = sandbox_clean.stats()
    assert stats["codes"]["/bc/get/"].get("40100") == 2, stats["codes"]
    assert stats["codes"]["/advertiser/info/"].get("51010") == 2, stats["codes"]
    assert mirror_counts(app, b.id) == (2, 5, 6)
    with app.app_context():
        assert db.session.get(Binding, b.id).status == "active"


def test_outage_longer_than_client_retries_is_retried_by_rq(app, client, factory, sandbox_clean, make_binding,
                                                            rq_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    sandbox_clean.set_faults({"error_rate": 1.0, "error_codes": [51010]})
    run_id = sync(client, t, b, wait=False).get_json()["run_id"]
    # First attempt: every call fails even after the client's own retries → back to enqueued for an RQ retry.
    run = wait_until(lambda: (r := load_run(app, run_id)).attempts == 1 and r.status == "enqueued" and r, 120)
    assert run.progress["phase"] == "retry_wait"
    assert any(e["stage"] == "attempt" and e["code"] == "TIKTOK_TRANSIENT" for e in run.stats["errors"])
    sandbox_clean.admin("DELETE", "faults")
    run = wait_until(lambda: (r := load_run(app, run_id)).status in ("success", "partial", "failed") and r, 120)
    assert run.status == "success", (run.error_code, run.error_message)
    assert run.attempts == 2 and run.error_code is None
    assert mirror_counts(app, b.id) == (2, 5, 6)


def test_revoked_token_fails_the_run_and_invalidates_the_binding(app, client, factory, sandbox_clean, make_binding,
                                                                 rq_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    sandbox_clean.admin("POST", "tokens/revoke", {"access_token": b.token})
    resp = sync(client, t, b)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "failed" and body["summary"] is None
    run = client.get(BASE.format(wid=t.wid, auth_id=b.id) + f"-runs/{body['run_id']}",
                     headers=bearer(t.member.token)).get_json()
    assert run["error_code"] == "TOKEN_INVALID"
    assert b.token not in str(run)  # the token never shows up in the run
    with app.app_context():
        binding = db.session.get(Binding, b.id)
        assert binding.status == "invalid" and binding.status_reason
        assert binding.last_synced_at is None
    # an invalid binding can be retried; with a working token again it recovers
    with app.app_context():
        binding = db.session.get(Binding, b.id)
        binding.access_token = sandbox_clean.issue_token()
        db.session.commit()
    again = sync(client, t, b)
    assert again.get_json()["status"] == "success"
    with app.app_context():
        assert db.session.get(Binding, b.id).status == "active"


def test_permanent_error_fails_with_a_mapped_code(app, client, factory, sandbox_clean, make_binding, rq_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    sandbox_clean.set_faults({"fail_next": [{"path": "/bc/get/", "count": 1, "code": 40002},
                                            {"path": "/oauth2/advertiser/get/", "count": 1, "code": 40002}]})
    body = sync(client, t, b).get_json()
    run = load_run(app, body["run_id"])
    assert run.status == "failed" and run.attempts == 1  # a bad request is not retried
    assert run.error_code == "TIKTOK_40002" and run.error_message
    assert {e["code"] for e in run.stats["errors"]} == {40002}
    assert mirror_counts(app, b.id) == (0, 0, 0)


def test_transient_failure_after_the_last_retry_fails_the_run(app, client, factory, sandbox_clean, make_binding,
                                                              start_worker):
    from webapp.models import TaskCatalog

    t = factory.tenant()
    b = make_binding(t.wid)
    run_id = sync(client, t, b, wait=False).get_json()["run_id"]  # no worker yet: the run waits in the queue
    with app.app_context():
        db.session.get(TaskCatalog, "ttb.sync.meta").max_retries = 0
        db.session.commit()
    sandbox_clean.set_faults({"error_rate": 1.0, "error_codes": [40100]})
    start_worker()
    run = wait_until(lambda: (r := load_run(app, run_id)).status in ("success", "partial", "failed") and r, 120)
    assert run.status == "failed" and run.error_code == "RATE_LIMITED" and run.attempts == 1
    assert run.finished_at is not None and run.duration_ms is not None
