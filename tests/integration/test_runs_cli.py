"""`flask ttb sync` (enqueue, wait, print the summary JSON, exit 1 on failure) and `flask worker --burst`."""

from __future__ import annotations

import json
import subprocess

from tests.fixtures.worker import PROJECT_ROOT, flask_bin
from tests.helpers import bearer, load_run
from tests.integration.test_worker_faults import mirror_counts


def _json_tail(output: str) -> dict:
    return json.loads(output[output.index("{"):])


def test_cli_sync_prints_the_summary(app, runner, factory, sandbox_clean, make_binding, rq_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    result = runner.invoke(args=["ttb", "sync", "--workspace", str(t.wid), "--auth-id", str(b.id), "--scope", "meta"])
    assert result.exit_code == 0, result.output
    body = _json_tail(result.stdout)
    assert body["status"] == "success" and body["summary"]["advertisers"]["added"] == 5
    assert body["task_name"] == "ttb.sync.meta"
    run = load_run(app, body["run_id"])
    assert run.stats["requested"]["actor"]["ip"] == "cli"


def test_cli_sync_exits_1_when_the_run_fails(app, runner, factory, sandbox_clean, make_binding, rq_worker):
    t = factory.tenant()
    b = make_binding(t.wid)
    sandbox_clean.admin("POST", "tokens/revoke", {"access_token": b.token})
    result = runner.invoke(args=["ttb", "sync", "--workspace", str(t.wid), "--auth-id", str(b.id)])
    assert result.exit_code == 1
    body = _json_tail(result.stdout)
    assert body["status"] == "failed" and body["error_code"] == "TOKEN_INVALID"


def test_cli_sync_errors_are_reported(runner, factory, make_binding):
    t = factory.tenant()
    other = factory.tenant("Other")
    b = make_binding(other.wid)
    result = runner.invoke(args=["ttb", "sync", "--workspace", str(t.wid), "--auth-id", str(b.id)])
    assert result.exit_code == 1 and "BINDING_NOT_FOUND" in result.output
    revoked = make_binding(t.wid, status="revoked")
    result = runner.invoke(args=["ttb", "sync", "--workspace", str(t.wid), "--auth-id", str(revoked.id)])
    assert result.exit_code == 1 and "BINDING_REVOKED" in result.output


def test_flask_worker_burst_runs_queued_runs_and_exits(app, client, factory, sandbox_clean, make_binding,
                                                       worker_env):
    t = factory.tenant()
    b = make_binding(t.wid)
    url = f"/api/v1/tenants/{t.wid}/providers/tiktok-business/accounts/{b.id}/sync"
    run_id = client.post(url, json={"wait": False}, headers=bearer(t.admin.token)).get_json()["run_id"]
    assert load_run(app, run_id).status == "enqueued"
    proc = subprocess.run([flask_bin(), "worker", "--burst"], cwd=PROJECT_ROOT, env=worker_env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"run={run_id}" in proc.stderr + proc.stdout  # the per-job logger carries the run id
    assert load_run(app, run_id).status == "success"
    assert mirror_counts(app, b.id) == (2, 5, 6)
