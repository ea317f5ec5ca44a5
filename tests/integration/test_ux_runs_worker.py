"""With a real `flask worker`: a run waiting for an RQ retry says so honestly (attempt, next try, last
error) on the panel and the run page and keeps polling; the retried run keeps its first start; and a waited
API sync that fails answers with the run's error code and message."""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime

from tests.conftest import PASSWORD
from tests.helpers import bearer, load_run, wait_until

BASE = "/api/v1/tenants/{wid}/providers/tiktok-business/accounts/{auth_id}"




def visible_text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_run_waiting_for_a_retry_says_so_and_keeps_its_first_start(app, factory, sandbox_clean, make_binding,
                                                                  rq_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    api = app.test_client()
    sandbox_clean.set_faults({"error_rate": 1.0, "error_codes": [51010]})
    run_id = api.post(BASE.format(wid=t.wid, auth_id=b.id) + "/sync", json={"wait": False},
                      headers=bearer(t.admin.token)).get_json()["run_id"]
    # The first attempt fails even after the client's own retries → the run waits for RQ's retry.
    run = wait_until(lambda: (r := load_run(app, run_id)).status == "enqueued" and r.attempts == 1 and r, 120)
    first_start = run.started_at
    assert first_start is not None
    progress = run.progress
    assert progress["phase"] == "retry_wait" and progress["next_attempt"] == 2 and progress["max_attempts"] == 4
    retry_at = datetime.fromisoformat(progress["retry_at"].replace("Z", "+00:00")).replace(tzinfo=None)
    assert retry_at > run.heartbeat_at

    browser = app.test_client()
    assert browser.post("/api/v1/auth/login", json={"email": t.member.email, "password": PASSWORD}).status_code == 200
    expected = f"Retrying after a TikTok error (attempt 2 of 4) — next try at {retry_at:%H:%M:%S} UTC"
    panel = browser.get(f"/w/{t.wid}/runs/{run_id}/panel", headers={"HX-Request": "true"})
    text = visible_text(panel.get_data(as_text=True))
    assert panel.status_code == 200 and expected in text
    assert "Waiting for a worker" not in text and "retry_wait" not in text and "0 / 0" not in text
    assert "Internal timeout, please retry (51010)" in text  # the last error, as TikTok said it
    assert 'hx-trigger="every 1s"' in panel.get_data(as_text=True)  # still polling
    page = browser.get(f"/w/{t.wid}/runs/{run_id}").get_data(as_text=True)
    assert expected in visible_text(page) and "retry_wait (0 / 0)" not in page
    account = browser.get(f"/w/{t.wid}/accounts/{b.id}").get_data(as_text=True)
    assert expected in visible_text(account)

    # TikTok recovers: the retry succeeds and the run keeps the first attempt's start.
    sandbox_clean.admin("DELETE", "faults")
    run = wait_until(lambda: (r := load_run(app, run_id)).status in ("success", "partial", "failed") and r, 120)
    assert run.status == "success" and run.attempts == 2
    assert run.started_at == first_start
    assert run.duration_ms >= int((run.finished_at - first_start).total_seconds() * 1000) - 1000
    assert run.duration_ms >= 9_000  # includes the 10 s wait before the retry
    final = visible_text(browser.get(f"/w/{t.wid}/runs/{run_id}").get_data(as_text=True))
    assert "(first attempt)" in final and "Attempts 2" in final


def test_waited_api_sync_that_fails_carries_the_error(app, factory, sandbox_clean, make_binding, rq_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    sandbox_clean.admin("POST", "tokens/revoke", {"access_token": b.token})
    resp = app.test_client().post(BASE.format(wid=t.wid, auth_id=b.id) + "/sync", json={},
                                  headers=bearer(t.admin.token))
    body = resp.get_json()
    assert resp.status_code == 200 and body["status"] == "failed"
    assert body["error_code"] == "TOKEN_INVALID"
    assert "reconnect" in body["error_message"].lower()
    assert b.token not in str(body)
