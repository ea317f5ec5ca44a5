"""The periodic tick run by `flask scheduler`.

Each tick runs a list of steps; today that is the WORKER_LOST / lost-enqueue check. The due-schedule
step (schedules, PRODUCT.md §7) is added to TICK_STEPS by the schedules issue. A short Redis lock makes
concurrent scheduler processes take turns (every step is also safe on its own: conditional updates)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from webapp.extensions import db, get_redis
from webapp.models import utcnow
from webapp.runs.queue import lock_prefix
from webapp.runs.watchdog import recover_lost_runs

log = logging.getLogger(__name__)

TickStep = Callable[[Session, Any, datetime], Any]


def _step_recover(session: Session, redis_client: Any, now: datetime) -> Any:
    return recover_lost_runs(session, redis_client, now)


TICK_STEPS: dict[str, TickStep] = {"recover_lost_runs": _step_recover}


def tick(session: Session, now: datetime | None = None) -> dict[str, Any]:
    """Run every step once; a failing step is logged and does not stop the others."""
    now = now or utcnow()
    client = get_redis()
    results: dict[str, Any] = {}
    lock = client.lock(f"{lock_prefix()}:scheduler:tick", timeout=60, blocking_timeout=0)
    if not lock.acquire(blocking=False):
        return {"skipped": "another scheduler is ticking"}
    try:
        for name, step in TICK_STEPS.items():
            try:
                results[name] = step(session, client, now)
            except Exception:  # noqa: BLE001 - one broken step must not stop the tick loop
                session.rollback()
                log.exception("scheduler step %s failed", name)
                results[name] = "error"
    finally:
        try:
            lock.release()
        except Exception:  # noqa: BLE001 - lock expired: nothing to release
            pass
    return results


def run_scheduler(app: Flask, *, interval: float = 10.0, once: bool = False) -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    log.info("scheduler started (tick every %ss)", interval)
    while True:
        with app.app_context():
            try:
                result = tick(db.session)
                recovered = result.get("recover_lost_runs")
                if isinstance(recovered, dict) and any(recovered.values()):
                    log.info("tick: %s", result)
            finally:
                db.session.remove()
        if once or stop.wait(interval):
            return
