"""`flask ttb sync`, `flask worker`, `flask scheduler` (INTERFACES.md)."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp.errors import AppError
from webapp.extensions import db


@click.command("sync")
@with_appcontext
@click.option("--workspace", "workspace_id", type=int, required=True)
@click.option("--auth-id", "auth_id", type=int, required=True)
@click.option("--scope", type=click.Choice(["meta", "products"]), default="meta", show_default=True)
@click.option("--advertiser-id", default=None)
@click.option("--store-id", default=None)
@click.option("--mode", type=click.Choice(["full", "incremental"]), default="full", show_default=True)
@click.option("--idempotency-key", default=None)
@click.option("--timeout", "timeout", type=float, default=600.0, show_default=True,
              help="Seconds to wait for the run to end.")
def sync_command(workspace_id: int, auth_id: int, scope: str, advertiser_id: str | None, store_id: str | None,
                 mode: str, idempotency_key: str | None, timeout: float) -> None:
    """Enqueue a sync run, wait for it, print its summary JSON (exit 1 when it failed)."""
    from webapp.models.runs import RUN_FAILED, RUN_FINAL_STATUSES
    from webapp.runs.serialization import sync_response
    from webapp.runs.service import start_sync, wait_for_run

    options = {"advertiser_id": advertiser_id, "store_id": store_id}
    try:
        run, idempotent = start_sync(db.session, workspace_id=workspace_id, binding_id=auth_id, scope=scope,
                                     mode=mode, options=options, idempotency_key=idempotency_key,
                                     actor={"user_id": None, "workspace_id": workspace_id, "ip": "cli"})
    except AppError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.code}: {error.message}") from None
    click.echo(f"run {run.id} {run.status}; waiting up to {timeout:g}s ...", err=True)
    run = wait_for_run(db.session, run.id, timeout)
    body = {**sync_response(run, idempotent), "error_code": run.error_code, "error_message": run.error_message}
    click.echo(json.dumps(body, indent=2, sort_keys=True))
    if run.status == RUN_FAILED:
        sys.exit(1)
    if run.status not in RUN_FINAL_STATUSES:
        click.echo(f"run {run.id} still {run.status} after {timeout:g}s", err=True)
        sys.exit(1)


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, default=False, help="Stop when the queue is empty.")
@click.option("--name", default=None, help="Worker name (default: host + random suffix).")
def worker_command(burst: bool, name: str | None) -> None:
    """Run an RQ worker for sync runs (jobs run inside the app context)."""
    from webapp.runs.worker import run_worker

    run_worker(current_app._get_current_object(), burst=burst, name=name)  # type: ignore[attr-defined]


@click.command("scheduler")
@with_appcontext
@click.option("--interval", type=float, default=10.0, show_default=True, help="Seconds between ticks.")
@click.option("--once", is_flag=True, default=False, help="Run one tick and exit.")
def scheduler_command(interval: float, once: bool) -> None:
    """The periodic tick: WORKER_LOST detection and lost enqueues (schedules join it later)."""
    from webapp.runs.scheduler import run_scheduler

    run_scheduler(current_app._get_current_object(), interval=interval, once=once)  # type: ignore[attr-defined]
