"""`flask demo`: one process tree for a first look at GMV Backend.

It starts the TikTok API sandbox (`demo` dataset) on a thread, points the app at it, migrates the
database (SQLite `instance/gmv.db` unless DATABASE_URL says otherwise), seeds a demo owner, workspace,
provider app and a binding whose token comes from the sandbox's real portal + code-exchange flow, then
runs the RQ worker, the scheduler tick and the web server as child processes, runs the first metadata
sync and prints the URL, the login and an API token. Ctrl-C (or SIGTERM) stops the whole tree.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import httpx
from flask import Flask, current_app
from sqlalchemy import select

from webapp.config import PROJECT_ROOT

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"
DEMO_WORKSPACE = "Demo Store Team"
DEMO_ALIAS = "Demo TikTok Business"
SANDBOX_APP_ID = "7000000000000000001"
SANDBOX_SECRET = "sandbox-secret"
CHILD_STOP_SECONDS = 10


class StopSignalError(Exception):
    """SIGINT/SIGTERM arrived: unwind and stop every child."""


@dataclass
class Seeded:
    user_id: int
    workspace_id: int
    binding_id: int


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log_path: Path


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Same option the servers use: sockets of a demo that just stopped (TIME_WAIT) don't count as busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        raise click.ClickException(
            f"Redis is not reachable at {url} ({exc}). Start it (`make services`, or `redis-server`) "
            "or set REDIS_URL.") from None


def _sandbox_token(root_url: str, redirect_uri: str) -> dict[str, Any]:
    """A token the way a person gets one: the portal's Authorize redirect, then the code exchange."""
    with httpx.Client(timeout=10) as http:
        resp = http.get(f"{root_url}/portal/auth", params={
            "app_id": SANDBOX_APP_ID, "state": "demo", "redirect_uri": redirect_uri, "auto_approve": "1"})
        if resp.status_code != 302:
            raise click.ClickException(f"sandbox portal did not redirect (HTTP {resp.status_code})")
        code = httpx.URL(resp.headers["location"]).params["auth_code"]
        resp = http.post(f"{root_url}/open_api/v1.3/oauth2/access_token/",
                         json={"app_id": SANDBOX_APP_ID, "secret": SANDBOX_SECRET, "auth_code": code})
    body = resp.json()
    if body.get("code") != 0:
        raise click.ClickException(f"sandbox token exchange failed: {body.get('message')}")
    return body["data"]


def seed(app: Flask, *, web_url: str, sandbox_url: str) -> Seeded:
    """Idempotent: a second start reuses the user, workspace, app and binding (with a fresh sandbox token,
    since the sandbox keeps tokens in memory)."""
    from webapp.extensions import db
    from webapp.models import Binding, Membership, ProviderApp, User, Workspace
    from webapp.providers.provider_apps import create_provider_app
    from webapp.providers.tiktok_business.oauth import upsert_binding
    from webapp.security.passwords import hash_password, verify_password
    from webapp.tenancy import create_user, create_workspace

    session = db.session
    with app.app_context():
        user = session.execute(select(User).where(User.email == DEMO_EMAIL)).scalar_one_or_none()
        if user is None:
            user = create_user(session, email=DEMO_EMAIL, password=DEMO_PASSWORD, name="Demo Owner",
                               platform_admin=True)
        elif not verify_password(user.password_hash, DEMO_PASSWORD) or user.is_disabled:
            user.password_hash, user.is_disabled = hash_password(DEMO_PASSWORD), False  # printed login must work
        workspace = session.execute(
            select(Workspace).join(Membership, Membership.workspace_id == Workspace.id)
            .where(Workspace.name == DEMO_WORKSPACE, Membership.user_id == user.id).order_by(Workspace.id)
        ).scalars().first()
        if workspace is None:
            workspace = create_workspace(session, name=DEMO_WORKSPACE, owner=user)
        redirect_uri = f"{web_url}/oauth/tiktok-business/callback"
        provider_app = session.execute(
            select(ProviderApp).where(ProviderApp.app_id == SANDBOX_APP_ID)).scalar_one_or_none()
        if provider_app is None:
            provider_app = create_provider_app(session, app_id=SANDBOX_APP_ID, secret=SANDBOX_SECRET,
                                               redirect_uri=redirect_uri, name="TikTok sandbox (demo)")
        provider_app.secret, provider_app.redirect_uri, provider_app.enabled = SANDBOX_SECRET, redirect_uri, True
        session.flush()
        existing = session.execute(
            select(Binding).where(Binding.workspace_id == workspace.id, Binding.alias == DEMO_ALIAS)
        ).scalars().first()
        grant = _sandbox_token(sandbox_url, redirect_uri)
        binding, _ = upsert_binding(
            session, workspace_id=workspace.id, provider_app_id=provider_app.id, access_token=grant["access_token"],
            scope=list(grant.get("scope") or []), advertiser_ids=[str(a) for a in grant.get("advertiser_ids") or []],
            alias=DEMO_ALIAS, user_id=user.id, binding_id=existing.id if existing else None)
        session.commit()
        return Seeded(user_id=user.id, workspace_id=workspace.id, binding_id=binding.id)


def create_token(app: Flask, user_id: int) -> str:
    from webapp.auth.sessions import create_api_token
    from webapp.extensions import db
    from webapp.models import User

    with app.app_context():
        name = f"demo {time.strftime('%Y-%m-%d %H:%M')}"
        _, token = create_api_token(db.session, db.session.get(User, user_id), name, key=app.config["SECRET_KEY"])
        db.session.commit()
    return token


def first_sync(app: Flask, seeded: Seeded, *, timeout: float, alive: Callable[[], None]) -> dict[str, Any]:
    """Start the metadata sync and wait for the worker to finish it; returns the run as the API shows it."""
    from webapp.extensions import db
    from webapp.models import SyncRun
    from webapp.models.runs import RUN_FINAL_STATUSES
    from webapp.runs.serialization import run_to_dict
    from webapp.runs.service import start_sync

    with app.app_context():
        run, _ = start_sync(db.session, workspace_id=seeded.workspace_id, binding_id=seeded.binding_id, scope="meta",
                            actor={"user_id": seeded.user_id, "workspace_id": seeded.workspace_id, "ip": "127.0.0.1"})
        db.session.commit()
        run_id = run.id
        deadline = time.monotonic() + timeout
        while True:
            db.session.remove()  # a new transaction each poll, so the worker's writes are visible
            run = db.session.get(SyncRun, run_id)
            if run.status in RUN_FINAL_STATUSES or time.monotonic() > deadline:
                return run_to_dict(run)
            alive()
            time.sleep(0.5)


class Supervisor:
    """Child processes, each in its own process group so stopping one stops what it forked."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env, self.log_dir, self.children = env, log_dir, []
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, args: list[str]) -> Child:
        log_path = self.log_dir / f"demo-{name}.log"
        with open(log_path, "ab") as log:
            process = subprocess.Popen([sys.executable, *args], cwd=PROJECT_ROOT, env=self.env, stdout=log,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        child = Child(name, process, log_path)
        self.children.append(child)
        return child

    def check(self) -> None:
        for child in self.children:
            code = child.process.poll()
            if code is not None:
                tail = child.log_path.read_text(errors="replace").splitlines()[-15:]
                raise click.ClickException(f"the {child.name} process exited with code {code}; last lines of "
                                           f"{child.log_path}:\n" + "\n".join(tail))

    def stop(self) -> None:
        for child in self.children:
            _signal_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + CHILD_STOP_SECONDS
        for child in self.children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # Whatever is left in the group (an RQ work-horse, a gunicorn worker) goes too.
            _signal_group(child.process, signal.SIGKILL)
            try:
                child.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_http(url: str, supervisor: Supervisor, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisor.check()
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise click.ClickException(f"the web server did not answer {url} within {timeout:.0f} s")


def _raise_stop(signum: int, _frame: Any) -> None:
    raise StopSignalError(signal.Signals(signum).name)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface for the web server and sandbox.")
@click.option("--port", default=5000, show_default=True, type=int, help="Web server port.")
@click.option("--sandbox-port", default=8600, show_default=True, type=int,
              help="TikTok sandbox port (a free one is used when it is taken).")
@click.option("--sync-timeout", default=120, show_default=True, type=int, help="Seconds to wait for the first sync.")
@click.option("--log-dir", default=str(PROJECT_ROOT / "instance" / "logs"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Where the children's logs go.")
def demo_command(host: str, port: int, sandbox_port: int, sync_timeout: int, log_dir: Path) -> None:
    """Run sandbox + web + worker + scheduler with a seeded demo workspace; prints the URL and login."""
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.providers.tiktok_business.sandbox import create_sandbox_app, serve_in_thread

    settings = current_app.config["SETTINGS"]
    _check_redis(settings.REDIS_URL)
    if not _port_free(host, port):
        raise click.ClickException(f"port {port} on {host} is in use; pick another one with "
                                 f"`make demo DEMO_ARGS=\"--port 5050\"` (or `flask demo --port 5050`)")
    if not _port_free(host, sandbox_port):
        sandbox_port = 0
    sandbox_url, stop_sandbox = serve_in_thread(create_sandbox_app("demo", app_id=SANDBOX_APP_ID,
                                                                   secret=SANDBOX_SECRET), host, sandbox_port)
    web_url = f"http://{host}:{port}"
    # The children (and the app built below) read these; everything else comes from the environment/.env.
    os.environ.update({
        "GMV_DEMO": "1", "FLASK_APP": "wsgi", "DATABASE_URL": settings.DATABASE_URL,
        "TTB_API_BASE_URL": f"{sandbox_url}/open_api/v1.3", "TTB_PORTAL_URL": f"{sandbox_url}/portal",
        "COOKIE_SECURE": "false", "PYTHONUNBUFFERED": "1",
    })
    supervisor = Supervisor(dict(os.environ), log_dir)
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        click.echo(f"TikTok sandbox (demo dataset): {sandbox_url}")
        app = create_app()
        with app.app_context():
            upgrade()
        click.echo(f"Database migrated: {_safe_db_url(settings.DATABASE_URL)}")
        seeded = seed(app, web_url=web_url, sandbox_url=sandbox_url)
        supervisor.start("worker", ["-m", "flask", "worker"])
        supervisor.start("scheduler", ["-m", "flask", "scheduler"])
        supervisor.start("web", ["-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", "2", "--threads", "4",
                                 "--graceful-timeout", "3", "wsgi:app"])
        _wait_http(f"{web_url}/healthz", supervisor)
        click.echo("Worker, scheduler and web server started; running the first metadata sync...")
        run = first_sync(app, seeded, timeout=sync_timeout, alive=supervisor.check)
        token = create_token(app, seeded.user_id)
        _print_banner(web_url, seeded, run, token, supervisor)
        while True:
            supervisor.check()
            time.sleep(1)
    except StopSignalError as stop:
        click.echo(f"\n{stop}: stopping the demo...")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        supervisor.stop()
        stop_sandbox()
    click.echo("Demo stopped.")


def _safe_db_url(url: str) -> str:
    """The database URL without a password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _print_banner(web_url: str, seeded: Seeded, run: dict[str, Any], token: str, supervisor: Supervisor) -> None:
    account_url = f"{web_url}/w/{seeded.workspace_id}/accounts/{seeded.binding_id}"
    summary = ((run.get("stats") or {}).get("processed") or {}).get("summary")
    api = f"{web_url}/api/v1/tenants/{seeded.workspace_id}/providers/tiktok-business/accounts"
    lines = [
        "",
        "=" * 72,
        "GMV Backend demo is running",
        f"  Open:      {web_url}/login",
        f"  Login:     {DEMO_EMAIL} / {DEMO_PASSWORD}",
        f"  Account:   {account_url}",
        f"  Metadata sync: run #{run['id']} {run['status']}"
        + (f" {json.dumps(summary)}" if summary else f" ({run.get('error_code') or 'still running'})"),
        f"  API token (shown once): {token}",
        f"  Try:       curl -H 'Authorization: Bearer {token}' {api}",
        f"  Logs:      {supervisor.log_dir}/demo-{{web,worker,scheduler}}.log",
        "  Stop:      Ctrl-C",
        "=" * 72,
    ]
    click.echo("\n".join(lines))
