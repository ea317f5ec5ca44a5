"""Review findings on the JSON API: idempotency keys (exact match, per binding, concurrent requests), the
task catalog race on a fresh install, CORS with credentials, and request bodies (null, booleans, `shops`).

Each test asserts what an API client would notice (status, body, rows)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.helpers import assert_error, bearer
from webapp.extensions import db
from webapp.models import SyncRun


def sync_url(wid: int, auth_id: int) -> str:
    return f"/api/v1/tenants/{wid}/providers/tiktok-business/accounts/{auth_id}/sync"


def run_count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(SyncRun.id))).scalar_one()


def test_idempotency_keys_differing_in_case_accent_or_trailing_space_are_different_keys(app, client, factory,
                                                                                         make_binding):
    t = factory.tenant()
    b = make_binding(t.wid)
    headers = bearer(t.admin.token)
    first = client.post(sync_url(t.wid, b.id), json={"idempotency_key": "Key-A", "wait": False}, headers=headers)
    assert first.status_code == 202 and first.get_json()["idempotent"] is False
    run_ids = {first.get_json()["run_id"]}
    for key in ("key-a", "Key-A ", "Kéy-A"):
        other = client.post(sync_url(t.wid, b.id), json={"idempotency_key": key, "wait": False}, headers=headers)
        body = other.get_json()
        assert other.status_code == 202, body
        assert body["idempotent"] is False, (key, body)
        assert body["idempotency_key"] == key
        run_ids.add(body["run_id"])
    assert len(run_ids) == 4
    assert run_count(app) == 4
    # The exact key still finds its run.
    again = client.post(sync_url(t.wid, b.id), json={"idempotency_key": "Key-A", "wait": False}, headers=headers)
    assert again.get_json()["idempotent"] is True and again.get_json()["run_id"] == first.get_json()["run_id"]


def test_an_idempotency_key_used_on_another_binding_starts_a_run_of_this_binding(app, client, factory, make_binding):
    t = factory.tenant()
    first_binding, second_binding = make_binding(t.wid), make_binding(t.wid)
    headers = bearer(t.admin.token)
    first = client.post(sync_url(t.wid, first_binding.id), json={"idempotency_key": "nightly", "wait": False},
                        headers=headers)
    second = client.post(sync_url(t.wid, second_binding.id), json={"idempotency_key": "nightly", "wait": False},
                         headers=headers)
    assert second.status_code == 202
    body = second.get_json()
    assert body["idempotent"] is False
    assert body["run_id"] != first.get_json()["run_id"]
    # The run it answers with is a run of the binding in the URL: readable under that URL.
    detail = client.get(f"/api/v1/tenants/{t.wid}/providers/tiktok-business/accounts/{second_binding.id}"
                        f"/sync-runs/{body['run_id']}", headers=headers)
    assert detail.status_code == 200 and detail.get_json()["auth_id"] == second_binding.id
    assert run_count(app) == 2


def test_cors_wildcard_never_allows_credentials(make_app):
    client = make_app(CORS_ORIGINS="*").test_client()
    response = client.get("/api/v1/meta", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    # Credentialed reads from any site would expose tenant data with the victim's cookie.
    assert response.headers.get("Access-Control-Allow-Credentials") != "true"
    preflight = client.options("/api/v1/auth/tokens", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert preflight.headers.get("Access-Control-Allow-Credentials") != "true"


def test_a_json_null_body_is_a_422_not_a_claim_of_invalid_json(app, client, factory, make_binding):
    t = factory.tenant()
    b = make_binding(t.wid)
    headers = bearer(t.admin.token)
    for method, path in (("POST", sync_url(t.wid, b.id)),
                         ("PATCH", f"/api/v1/tenants/{t.wid}/oauth/tiktok-business/bindings/{b.id}/alias")):
        response = client.open(path, method=method, data="null", content_type="application/json", headers=headers)
        error = assert_error(response, 422, "VALIDATION_ERROR")
        assert error["data"] == [{"field": "body", "message": "must be an object"}]
    assert run_count(app) == 0


def test_the_old_shops_scope_names_store_id(client, factory, make_binding):
    t = factory.tenant()
    b = make_binding(t.wid)
    headers = bearer(t.admin.token)
    error = assert_error(client.post(sync_url(t.wid, b.id), json={"scope": "shops"}, headers=headers),
                         422, "VALIDATION_ERROR")
    assert "store_id" in error["message"]
    runs = f"/api/v1/tenants/{t.wid}/providers/tiktok-business/accounts/{b.id}/sync-runs?scope=shops"
    error = assert_error(client.get(runs, headers=headers), 422, "VALIDATION_ERROR")
    assert "store_id" in error["message"]


def test_booleans_are_not_accepted_as_integers(client, factory, make_binding):
    t = factory.tenant()
    b = make_binding(t.wid)  # also creates provider app 1, which `true` used to select
    headers = bearer(t.admin.token)
    error = assert_error(client.post(f"/api/v1/tenants/{t.wid}/oauth/tiktok-business/authz",
                                     json={"provider_app_id": True}, headers=headers), 422, "VALIDATION_ERROR")
    assert error["data"][0]["field"] == "provider_app_id"
    error = assert_error(client.post(sync_url(t.wid, b.id), json={"wait_timeout_seconds": True}, headers=headers),
                         422, "VALIDATION_ERROR")
    assert error["data"][0]["field"] == "wait_timeout_seconds"


def test_concurrent_first_syncs_on_a_fresh_install_never_answer_500(app, factory, make_binding):
    """The task catalog rows are created by the first sync; simultaneous first syncs (several web
    workers, a callback and an API client) must all get an answer, and one key gives one run."""
    t = factory.tenant()
    bindings = [make_binding(t.wid) for _ in range(2)]
    results: list[tuple[int, dict]] = []

    def post(auth_id: int, key: str) -> None:
        response = app.test_client().post(sync_url(t.wid, auth_id), json={"wait": False, "idempotency_key": key},
                                          headers=bearer(t.admin.token))
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=post, args=(bindings[i % 2].id, f"first-{i % 2}")) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [202] * 8, results
    assert len({body["run_id"] for _, body in results}) == 2
    assert run_count(app) == 2


def test_concurrent_requests_with_one_idempotency_key_make_one_run(app, client, factory, make_binding):
    t = factory.tenant()
    b = make_binding(t.wid)
    assert client.post(sync_url(t.wid, b.id), json={"wait": False}, headers=bearer(t.admin.token)).status_code == 202
    results: list[tuple[int, dict]] = []

    def post() -> None:
        response = app.test_client().post(sync_url(t.wid, b.id), json={"wait": False, "idempotency_key": "retry-1"},
                                          headers=bearer(t.admin.token))
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in results] == [202] * 6, results
    assert len({body["run_id"] for _, body in results}) == 1
    assert sorted(body["idempotent"] for _, body in results) == [False] + [True] * 5
    assert run_count(app) == 2
