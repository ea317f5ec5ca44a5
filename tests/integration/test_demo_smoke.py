"""`flask demo` end to end, as a new user runs it (and the project's SQLite smoke test): start the
process tree on a fresh SQLite database, wait for the printed URL, log in with the printed
credentials over HTTP, see the synced advertisers, use the printed API token, then stop it with
SIGTERM and check that no process of the tree is left."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import psutil
import pytest

from webapp.config import PROJECT_ROOT

REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "13"))
START_TIMEOUT = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DemoProcess:
    def __init__(self, tmp_path: Path) -> None:
        self.port, self.sandbox_port = free_port(), free_port()
        env = {**os.environ, "GMV_DEMO": "1", "FLASK_APP": "wsgi", "PYTHONUNBUFFERED": "1",
               "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
               "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}", "RQ_QUEUE": f"demosmoke{uuid.uuid4().hex[:6]}"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "demo", "--port", str(self.port), "--sandbox-port",
             str(self.sandbox_port), "--log-dir", str(tmp_path / "logs")],
            cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        # Drain the pipe all the time so the demo never blocks on a full pipe.
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, marker: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, "demo exited early:\n" + "\n".join(self.output)
                continue
            self.output.append(line)
            if marker in line:
                return
        raise AssertionError(f"no {marker!r} within {timeout} s:\n" + "\n".join(self.output))

    def printed(self, label: str) -> str:
        for line in self.output:
            if line.strip().startswith(label):
                return line.split(label, 1)[1].strip()
        raise AssertionError(f"{label} not printed:\n" + "\n".join(self.output))

    def kill_group(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture
def start_demo(tmp_path):
    """start_demo() -> DemoProcess on this test's SQLite database (a second call reuses it)."""
    started: list[DemoProcess] = []

    def _start() -> DemoProcess:
        proc = DemoProcess(tmp_path)
        started.append(proc)
        return proc

    yield _start
    for proc in started:
        if proc.process.poll() is None:
            for child in psutil.Process(proc.process.pid).children(recursive=True):
                child.kill()
            proc.kill_group()
            proc.process.wait(timeout=10)


def stop_and_check_nothing_is_left(demo: DemoProcess) -> None:
    tree = psutil.Process(demo.process.pid).children(recursive=True)
    names = " ".join(" ".join(p.cmdline()) for p in tree)
    assert "worker" in names and "scheduler" in names and "gunicorn" in names

    demo.process.send_signal(signal.SIGTERM)
    assert demo.process.wait(timeout=60) == 0
    demo.wait_for("Demo stopped.", 10)
    _, alive = psutil.wait_procs(tree, timeout=10)
    assert alive == [], [p.cmdline() for p in alive]
    for port in (demo.port, demo.sandbox_port):
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still answers"


def test_flask_demo_serves_a_synced_account_and_stops_cleanly(start_demo):
    demo = start_demo()
    demo.wait_for("Stop:", START_TIMEOUT)
    web_url = f"http://127.0.0.1:{demo.port}"
    assert demo.printed("Open:") == f"{web_url}/login"
    email, password = (part.strip() for part in demo.printed("Login:").split("/"))
    account_url = demo.printed("Account:")
    assert re.fullmatch(rf"{web_url}/w/\d+/accounts/\d+", account_url)
    assert re.search(r"run #\d+ success", demo.printed("Metadata sync:"))
    token = demo.printed("API token (shown once):")
    assert f"Bearer {token}" in demo.printed("Try:")

    with httpx.Client(base_url=web_url, timeout=10, follow_redirects=False) as http:
        assert http.get("/login").status_code == 200
        login = http.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.text
        page = http.get(account_url, params={"tab": "advertisers"})
        assert page.status_code == 200
        # The demo dataset's advertisers, mirrored by the first sync the demo ran.
        assert "Acme US Shop Ads" in page.text and "Nimbus UK Brand Ads" in page.text
        assert 'class="badge badge-success"' in page.text
        wid = account_url.split("/w/")[1].split("/")[0]
        api = httpx.get(f"{web_url}/api/v1/tenants/{wid}/providers/tiktok-business/accounts",
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert api.status_code == 200 and api.json()["items"][0]["advertiser_count"] == 8

    stop_and_check_nothing_is_left(demo)

    # A second start on the same database reuses the seeded user, workspace and binding (new token,
    # since the sandbox keeps tokens in memory) and its sync finds nothing new.
    again = start_demo()
    again.wait_for("Stop:", START_TIMEOUT)
    assert again.printed("Account:").split("/w/", 1)[1] == account_url.split("/w/", 1)[1]
    assert '"advertisers": {"added": 0, "removed": 0, "unchanged": 8' in again.printed("Metadata sync:")
    accounts = httpx.get(f"http://127.0.0.1:{again.port}/api/v1/tenants/{wid}/providers/tiktok-business/accounts",
                         headers={"Authorization": f"Bearer {again.printed('API token (shown once):')}"}, timeout=10)
    assert [item["status"] for item in accounts.json()["items"]] == ["active"]  # still one binding
    stop_and_check_nothing_is_left(again)
