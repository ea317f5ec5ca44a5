"""``flask ttb sandbox`` as a person runs it: a real subprocess on a free port, used over HTTP,
and refused with a clear usage error when --faults or --dataset is wrong."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests.fixtures.sandbox import SandboxServer
from webapp.providers.tiktok_business import TikTokClient
from webapp.providers.tiktok_business.sandbox.cli import sandbox_command

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
BC1, BC2 = "7300000000000000001", "7300000000000000002"
STARTUP_LIMIT_SECONDS = 60  # a generous wait for the process to answer, not a performance check


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    return {**os.environ, "GMV_DEMO": "1"}


def _wait_until_up(proc: subprocess.Popen, root_url: str) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"flask ttb sandbox exited with {proc.returncode}:\n{out}\n{err}")
        try:
            if httpx.get(root_url + "/_sandbox/dataset", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"flask ttb sandbox did not answer at {root_url}")


@pytest.fixture
def running_sandbox() -> Iterator[tuple[SandboxServer, subprocess.Popen]]:
    port = _free_port()
    proc = subprocess.Popen([FLASK, "ttb", "sandbox", "--port", str(port), "--dataset", "small"], cwd=ROOT,
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    server = SandboxServer(f"http://127.0.0.1:{port}")
    try:
        _wait_until_up(proc, server.root_url)
        yield server, proc
    finally:
        server._http.close()
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_flask_ttb_sandbox_serves_the_api(running_sandbox) -> None:
    server, proc = running_sandbox
    token = server.issue_token(via_oauth=True)  # portal + /oauth2/access_token/
    body = httpx.get(server.base_url + "/bc/get/", headers={"Access-Token": token}).json()
    assert body["code"] == 0 and body["request_id"]
    assert [b["bc_info"]["bc_id"] for b in body["data"]["list"]] == [BC1, BC2]
    client = TikTokClient(server.base_url, token)
    assert len(client.get_authorized_advertisers(server.app_id, server.secret)) == 5  # secret in the query

    proc.terminate()
    out, err = proc.communicate(timeout=10)
    assert f"TikTok sandbox: API {server.root_url}/open_api/v1.3  portal {server.root_url}/portal" in out
    assert '"GET /open_api/v1.3/bc/get/" 200' in err  # access log, by path
    assert server.secret not in out + err and token not in out + err  # no query strings, no tokens


def _run(*args: str) -> subprocess.CompletedProcess:
    # A spec that were wrongly accepted would start a server: the timeout ends the test instead of hanging.
    return subprocess.run([FLASK, "ttb", "sandbox", "--port", str(_free_port()), *args], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--faults", "rate_limit_qps=5,advertizer_qps=2"),
         "Invalid value for '--faults': unknown fault key(s) advertizer_qps; known: rate_limit_qps,"),
        (("--dataset", "/nonexistent/shop.json"),
         "Invalid value for '--dataset': dataset file /nonexistent/shop.json does not exist"),
    ],
)
def test_bad_options_exit_with_a_clear_message(args: tuple[str, ...], message: str) -> None:
    result = _run(*args)
    assert result.returncode == 2, result
    assert message in result.stderr
    assert "Traceback" not in result.stderr and "Running on" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("error_rate=often", "error_rate: expected a number, got 'often'"),
        ("advertiser_qps", "'advertiser_qps': expected key=value"),
        ("fail_page=/store/product/get/:two", "fail_page: cannot read '/store/product/get/:two'"),
        ("fail_next=/user/info:1", "fail_next: path '/user/info' must start and end with '/'"),
    ],
)
def test_fault_spec_errors_are_usage_errors(spec: str, message: str) -> None:
    """The same command in-process (click's runner): more spellings, without a process each."""
    result = CliRunner().invoke(sandbox_command, ["--port", "0", "--faults", spec])
    assert result.exit_code == 2
    assert f"Invalid value for '--faults': {message}" in result.output
