"""POST .../sync, GET .../sync-runs[/{id}] against MariaDB, Redis, the sandbox and a real RQ worker."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.helpers import assert_error, bearer
from webapp.extensions import db
from webapp.models import Advertiser, Binding, Store, SyncRun, utcnow

BASE = "/api/v1/tenants/{wid}/providers/{provider}/accounts/{auth_id}"


def url(wid: int, auth_id: int, tail: str = "/sync", provider: str = "tiktok-business") -> str:
    return BASE.format(wid=wid, provider=provider, auth_id=auth_id) + tail


def run_count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(SyncRun)).scalar_one()


def test_meta_sync_waits_and_returns_the_summary(app, client, factory, sandbox_clean, make_binding, rq_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    resp = client.post(url(t.wid, b.id), json={"scope": "meta"}, headers=bearer(t.admin.token))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "success" and body["idempotent"] is False
    assert body["task_name"] == "ttb.sync.meta"
    assert body["task_id"] == f"{app.config['RQ_QUEUE']}-run-{body['run_id']}"
    assert body["summary"]["bc"]["added"] == 2
    assert body["summary"]["advertisers"]["added"] == 5
    assert body["summary"]["stores"]["added"] == 6
    assert body["summary"]["partial"] is False

    detail = client.get(url(t.wid, b.id, f"/sync-runs/{body['run_id']}"), headers=bearer(t.member.token))
    assert detail.status_code == 200
    run = detail.get_json()
    assert run["status"] == "success" and run["error_code"] is None
    assert run["started_at"] and run["finished_at"] and run["duration_ms"] >= 0
    assert run["progress"]["phase"] == "done"
    assert run["stats"]["processed"]["counts"]["advertisers"] == 5
    requested = run["stats"]["requested"]
    assert requested["auth_id"] == b.id and requested["scope"] == "meta" and requested["workspace_id"] == t.wid
    assert requested["actor"]["user_id"] == t.admin.id
    with app.app_context():
        assert db.session.get(Binding, b.id).last_synced_at is not None
        assert db.session.execute(select(func.count()).select_from(Advertiser)).scalar_one() == 5


def test_wait_false_answers_202_with_the_run(app, client, factory, sandbox_clean, make_binding, rq_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    resp = client.post(url(t.wid, b.id), json={"wait": False}, headers=bearer(t.owner.token))
    assert resp.status_code == 202
    body = resp.get_json()
    assert body["status"] in ("enqueued", "running", "success") and body["run_id"]
    assert set(body) == {"run_id", "schedule_id", "task_name", "task_id", "status", "idempotent",
                         "idempotency_key", "summary", "error_code", "error_message"}
    with app.app_context():
        from webapp.runs.service import wait_for_run

        assert wait_for_run(db.session, body["run_id"], 60).status == "success"


def test_same_idempotency_key_gives_the_same_run(app, client, factory, sandbox_clean, make_binding, rq_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    first = client.post(url(t.wid, b.id), json={"idempotency_key": "k-1", "wait": False},
                        headers=bearer(t.admin.token))
    second = client.post(url(t.wid, b.id), json={"idempotency_key": "k-1"}, headers=bearer(t.admin.token))
    assert first.status_code == 202
    assert second.status_code == 200, second.get_json()
    assert first.get_json()["run_id"] == second.get_json()["run_id"]
    assert first.get_json()["idempotent"] is False and second.get_json()["idempotent"] is True
    assert second.get_json()["idempotency_key"] == "k-1"
    assert run_count(app) == 1
    other = client.post(url(t.wid, b.id), json={"idempotency_key": "k-2"}, headers=bearer(t.admin.token))
    assert other.get_json()["run_id"] != first.get_json()["run_id"]
    assert run_count(app) == 2


def test_idempotency_window_is_24_hours(app, client, factory, make_binding):
    t = factory.tenant()
    b = make_binding(t.wid)
    resp = client.post(url(t.wid, b.id), json={"idempotency_key": "old", "wait": False},
                       headers=bearer(t.admin.token))
    with app.app_context():
        run = db.session.get(SyncRun, resp.get_json()["run_id"])
        run.created_at = utcnow() - timedelta(hours=25)
        db.session.commit()
    again = client.post(url(t.wid, b.id), json={"idempotency_key": "old", "wait": False},
                        headers=bearer(t.admin.token))
    assert again.get_json()["idempotent"] is False and again.get_json()["run_id"] != resp.get_json()["run_id"]


def test_without_a_worker_wait_times_out_with_202(app, client, factory, make_binding):
    t = factory.tenant()
    b = make_binding(t.wid)
    resp = client.post(url(t.wid, b.id), json={"wait_timeout_seconds": 1}, headers=bearer(t.admin.token))
    assert resp.status_code == 202
    assert resp.get_json()["status"] == "enqueued" and resp.get_json()["summary"] is None


def test_run_history_is_paged_newest_first_and_filtered(app, client, factory, make_binding):
    t = factory.tenant()
    b = make_binding(t.wid)
    ids = [client.post(url(t.wid, b.id), json={"wait": False}, headers=bearer(t.admin.token)).get_json()["run_id"]
           for _ in range(3)]
    page = client.get(url(t.wid, b.id, "/sync-runs?page_size=2"), headers=bearer(t.member.token)).get_json()
    assert page["total"] == 3 and page["page_size"] == 2 and page["page"] == 1
    assert [r["id"] for r in page["items"]] == ids[::-1][:2]
    assert client.get(url(t.wid, b.id, "/sync-runs?page=2&page_size=2"),
                      headers=bearer(t.member.token)).get_json()["items"][0]["id"] == ids[0]
    assert client.get(url(t.wid, b.id, "/sync-runs?status=success"),
                      headers=bearer(t.member.token)).get_json()["total"] == 0
    assert client.get(url(t.wid, b.id, "/sync-runs?status=enqueued&scope=meta"),
                      headers=bearer(t.member.token)).get_json()["total"] == 3
    assert_error(client.get(url(t.wid, b.id, "/sync-runs?status=done"), headers=bearer(t.member.token)),
                 422, "VALIDATION_ERROR")
    assert_error(client.get(url(t.wid, b.id, "/sync-runs?scope=shops"), headers=bearer(t.member.token)),
                 422, "VALIDATION_ERROR")
    assert_error(client.get(url(t.wid, b.id, "/sync-runs?page_size=101"), headers=bearer(t.member.token)),
                 422, "VALIDATION_ERROR")


def test_isolation_on_every_sync_route(app, client, factory, make_binding):
    t = factory.tenant("A")
    other = factory.tenant("B")
    b = make_binding(t.wid)
    foreign = make_binding(other.wid)
    b2 = make_binding(t.wid)
    run_id = client.post(url(t.wid, b.id), json={"wait": False}, headers=bearer(t.admin.token)).get_json()["run_id"]
    run_other_binding = client.post(url(t.wid, b2.id), json={"wait": False},
                                    headers=bearer(t.admin.token)).get_json()["run_id"]
    routes = [("post", url(t.wid, b.id)), ("get", url(t.wid, b.id, "/sync-runs")),
              ("get", url(t.wid, b.id, f"/sync-runs/{run_id}"))]
    for method, path in routes:
        assert_error(getattr(client, method)(path, json={} if method == "post" else None,
                                             headers=bearer(other.admin.token)), 403, "FORBIDDEN")
        assert_error(getattr(client, method)(path, json={} if method == "post" else None), 401, "AUTH_REQUIRED")
    assert_error(client.post(url(t.wid, b.id), json={}, headers=bearer(t.member.token)), 403, "FORBIDDEN")
    # another workspace's binding through my workspace: 404 as if it did not exist
    assert_error(client.post(url(t.wid, foreign.id), json={}, headers=bearer(t.admin.token)), 404, "BINDING_NOT_FOUND")
    assert_error(client.get(url(t.wid, foreign.id, "/sync-runs"), headers=bearer(t.member.token)),
                 404, "BINDING_NOT_FOUND")
    assert_error(client.get(url(t.wid, foreign.id, f"/sync-runs/{run_id}"), headers=bearer(t.member.token)),
                 404, "BINDING_NOT_FOUND")
    assert_error(client.get(url(t.wid, 999999, "/sync-runs"), headers=bearer(t.member.token)),
                 404, "BINDING_NOT_FOUND")
    # a run of another binding of the same workspace, a run of another workspace, a missing run
    assert_error(client.get(url(t.wid, b.id, f"/sync-runs/{run_other_binding}"), headers=bearer(t.member.token)),
                 404, "SYNC_RUN_NOT_FOUND")
    other_run = client.post(url(other.wid, foreign.id), json={"wait": False},
                            headers=bearer(other.admin.token)).get_json()["run_id"]
    assert_error(client.get(url(t.wid, b.id, f"/sync-runs/{other_run}"), headers=bearer(t.member.token)),
                 404, "SYNC_RUN_NOT_FOUND")
    assert_error(client.get(url(t.wid, b.id, "/sync-runs/abc"), headers=bearer(t.member.token)),
                 404, "SYNC_RUN_NOT_FOUND")
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(SyncRun)
                                  .where(SyncRun.binding_id == foreign.id)).scalar_one() == 1


def test_unknown_provider_is_404(client, factory, make_binding):
    t = factory.tenant()
    b = make_binding(t.wid)
    assert_error(client.post(url(t.wid, b.id, provider="facebook"), json={}, headers=bearer(t.admin.token)),
                 404, "PROVIDER_NOT_SUPPORTED")
    assert_error(client.get(url(t.wid, b.id, "/sync-runs", provider="facebook"), headers=bearer(t.admin.token)),
                 404, "PROVIDER_NOT_SUPPORTED")
    resp = client.post(url(t.wid, b.id, provider="tiktok_business"), json={"wait": False},
                       headers=bearer(t.admin.token))
    assert resp.status_code == 202


def test_bad_bodies_are_rejected(app, client, factory, make_binding):
    t = factory.tenant()
    b = make_binding(t.wid)
    h = bearer(t.admin.token)
    err = assert_error(client.post(url(t.wid, b.id), json={"shop_id": "1"}, headers=h), 422, "VALIDATION_ERROR")
    assert "store_id" in err["message"]
    err = assert_error(client.post(url(t.wid, b.id), json={"options": {"shop_id": "1"}}, headers=h),
                       422, "VALIDATION_ERROR")
    assert "store_id" in err["message"]
    for bad in (0, 121, "x", 2.5):
        err = assert_error(client.post(url(t.wid, b.id), json={"wait_timeout_seconds": bad}, headers=h),
                           422, "VALIDATION_ERROR")
        assert err["data"][0]["field"] == "wait_timeout_seconds"
    assert_error(client.post(url(t.wid, b.id), json={"scope": "shops"}, headers=h), 422, "VALIDATION_ERROR")
    assert_error(client.post(url(t.wid, b.id), json={"scope": "everything"}, headers=h), 422, "VALIDATION_ERROR")
    assert_error(client.post(url(t.wid, b.id), json={"mode": "fast"}, headers=h), 422, "VALIDATION_ERROR")
    assert_error(client.post(url(t.wid, b.id), json={"idempotency_key": "k" * 129}, headers=h),
                 422, "VALIDATION_ERROR")
    assert_error(client.post(url(t.wid, b.id), data="{", content_type="application/json", headers=h),
                 400, "INVALID_JSON")
    assert run_count(app) == 0


def test_revoked_binding_cannot_be_synced_but_invalid_can(app, client, factory, make_binding):
    t = factory.tenant()
    revoked = make_binding(t.wid, status="revoked")
    invalid = make_binding(t.wid, status="invalid")
    assert_error(client.post(url(t.wid, revoked.id), json={}, headers=bearer(t.admin.token)), 400, "BINDING_REVOKED")
    assert run_count(app) == 0
    resp = client.post(url(t.wid, invalid.id), json={"wait": False}, headers=bearer(t.admin.token))
    assert resp.status_code == 202


def test_task_catalog_rows_are_seeded(app, client, factory, make_binding):
    from webapp.models import TaskCatalog

    t = factory.tenant()
    b = make_binding(t.wid)
    client.post(url(t.wid, b.id), json={"wait": False}, headers=bearer(t.admin.token))
    client.post(url(t.wid, b.id), json={"wait": False}, headers=bearer(t.admin.token))
    with app.app_context():
        rows = {r.name: r for r in db.session.execute(select(TaskCatalog)).scalars()}
    assert set(rows) == {"ttb.sync.meta", "ttb.sync.products"}
    meta = rows["ttb.sync.meta"]
    assert meta.enabled and meta.tenant_visible and meta.timeout_seconds > 0 and meta.max_retries >= 1
    assert meta.params_schema["type"] == "object" and meta.default_queue == "default"


def _post_products(client, t, b, **body):
    return client.post(url(t.wid, b.id), json={"scope": "products", **body}, headers=bearer(t.admin.token))


def test_products_checks_in_order_then_not_available(app, client, factory, sandbox_clean, make_binding, rq_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    assert client.post(url(t.wid, b.id), json={}, headers=bearer(t.admin.token)).status_code == 200
    adv1, adv4 = "7400000000000000001", "7400000000000000004"
    store1, store3, store5 = "7494000000000000001", "7494000000000000003", "7494000000000000005"
    assert_error(_post_products(client, t, b), 400, "ADVERTISER_REQUIRED_FOR_GMV_MAX")
    assert_error(_post_products(client, t, b, advertiser_id=adv1), 400, "STORE_ID_REQUIRED_FOR_GMV_MAX")
    assert_error(_post_products(client, t, b, advertiser_id="7400000000000000999", store_id=store1),
                 404, "ADVERTISER_NOT_FOUND")
    assert_error(_post_products(client, t, b, advertiser_id=adv1, store_id="7494000000000000999"),
                 404, "STORE_NOT_FOUND")
    assert_error(_post_products(client, t, b, advertiser_id=adv1, store_id=store3), 400,
                 "ADVERTISER_NOT_LINKED_TO_STORE")
    # options win over top-level values
    assert_error(_post_products(client, t, b, advertiser_id=adv1, store_id=store1,
                                options={"store_id": store3}), 400, "ADVERTISER_NOT_LINKED_TO_STORE")
    assert_error(_post_products(client, t, b, advertiser_id=adv4, store_id=store5, bc_id="7300000000000000001"),
                 422, "BC_MISMATCH_BETWEEN_ADVERTISER_AND_STORE")
    # all checks pass: the products sync is not available yet (it lands with the GMV Max issue)
    err = assert_error(_post_products(client, t, b, advertiser_id=adv1, store_id=store1), 400,
                       "SCOPE_NOT_AVAILABLE")
    assert "not available" in err["message"]
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(SyncRun)
                                  .where(SyncRun.scope == "products")).scalar_one() == 0
        assert db.session.execute(select(func.count()).select_from(Store)).scalar_one() == 6


def test_products_in_progress_and_cooldown(app, client, factory, sandbox_clean, make_binding, rq_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    assert client.post(url(t.wid, b.id), json={}, headers=bearer(t.admin.token)).status_code == 200
    adv1, store1 = "7400000000000000001", "7494000000000000001"
    with app.app_context():
        run = SyncRun(workspace_id=t.wid, binding_id=b.id, task_name="ttb.sync.products", scope="products",
                      advertiser_id=adv1, store_id=store1, status="running", created_at=utcnow(),
                      started_at=utcnow(), stats={})
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    err = assert_error(_post_products(client, t, b, advertiser_id=adv1, store_id=store1), 409, "SYNC_IN_PROGRESS")
    assert err["data"]["run_id"] == run_id
    with app.app_context():
        run = db.session.get(SyncRun, run_id)
        run.status, run.started_at = "success", utcnow() - timedelta(seconds=60)
        db.session.commit()
    resp = _post_products(client, t, b, advertiser_id=adv1, store_id=store1)
    assert_error(resp, 429, "SYNC_RATE_LIMITED")
    assert 800 <= int(resp.headers["Retry-After"]) <= 840
