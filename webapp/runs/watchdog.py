"""WORKER_LOST detection and lost enqueues: the scheduler tick calls `recover_lost_runs` every few seconds.

- a `running` run whose heartbeat is older than `stale_after` seconds, or whose RQ job is gone, failed,
  stopped or already finished → `failed` / WORKER_LOST (never "running" forever); its binding lock is freed;
- an `enqueued` run whose RQ job does not exist (Redis lost it, or the enqueue failed), whose job failed,
  or whose job is started but silent (the worker died while it waited for the lock) → enqueued again,
  up to `max_reenqueue` times, then `failed` / ENQUEUE_LOST."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import redis
from rq.job import Job, JobStatus
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from webapp.models import SyncRun, TaskCatalog, utcnow
from webapp.models.runs import RUN_ENQUEUED, RUN_FAILED, RUN_RUNNING
from webapp.runs.lock import release_lock_of_run
from webapp.runs.queue import enqueue_run, fetch_job, lock_prefix

log = logging.getLogger(__name__)

STALE_AFTER_SECONDS = 30
ENQUEUE_GRACE_SECONDS = 60
MAX_REENQUEUE = 3
DEAD_JOB_STATUSES = {JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED, JobStatus.FINISHED}


def _job_status(job: Job | None) -> JobStatus | None:
    if job is None:
        return None
    try:
        return job.get_status(refresh=True)
    except Exception:  # noqa: BLE001 - a job hash that vanished between fetch and read is simply gone
        return None


def _mark_lost(session: Session, run: SyncRun, now: datetime, reason: str) -> bool:
    duration = int((now - run.started_at).total_seconds() * 1000) if run.started_at else None
    message = f"The worker running this sync stopped ({reason}); start the sync again."
    stats = dict(run.stats or {})
    stats["errors"] = [*(stats.get("errors") or []), {"stage": "worker", "code": "WORKER_LOST", "message": message}]
    result = session.execute(
        update(SyncRun).where(SyncRun.id == run.id, SyncRun.status == RUN_RUNNING)
        .values(status=RUN_FAILED, error_code="WORKER_LOST", error_message=message, finished_at=now,
                duration_ms=duration, stats=stats, progress={**(run.progress or {}), "phase": "failed"})
        .execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1


def recover_lost_runs(session: Session, redis_client: redis.Redis, now: datetime | None = None, *,
                      stale_after: float = STALE_AFTER_SECONDS, enqueue_grace: float = ENQUEUE_GRACE_SECONDS,
                      max_reenqueue: int = MAX_REENQUEUE) -> dict[str, list[int]]:
    """One pass over active runs; returns the ids it changed: {"lost", "reenqueued", "enqueue_failed"}."""
    now = now or utcnow()
    stale_before = now - timedelta(seconds=stale_after)
    out: dict[str, list[int]] = {"lost": [], "reenqueued": [], "enqueue_failed": []}
    session.commit()  # fresh snapshot

    running = session.execute(select(SyncRun).where(SyncRun.status == RUN_RUNNING)).scalars().all()
    for run in running:
        job = fetch_job(run.job_id) if run.job_id else None
        status = _job_status(job)
        beat = run.heartbeat_at or run.started_at
        reason = None
        if beat is None or beat < stale_before:
            reason = "no heartbeat"
        elif status is None or status in DEAD_JOB_STATUSES:
            reason = f"job {status.value if status else 'missing'}"
        if reason and _mark_lost(session, run, now, reason):
            log.warning("run %s: WORKER_LOST (%s)", run.id, reason)
            out["lost"].append(run.id)
            release_lock_of_run(redis_client, lock_prefix(), run.binding_id, run.id)
            if job is not None and status not in DEAD_JOB_STATUSES:
                _drop_job(job)

    since = func.coalesce(SyncRun.enqueued_at, SyncRun.created_at)
    waiting = session.execute(select(SyncRun).where(
        SyncRun.status == RUN_ENQUEUED, since < now - timedelta(seconds=enqueue_grace))).scalars().all()
    for run in waiting:
        job = fetch_job(run.job_id) if run.job_id else None
        status = _job_status(job)
        silent = status == JobStatus.STARTED and run.heartbeat_at is not None and run.heartbeat_at < stale_before
        if status is not None and status not in DEAD_JOB_STATUSES and not silent:
            continue
        _reenqueue_or_fail(session, run, now, max_reenqueue, out)
    return out


def _drop_job(job: Job) -> None:
    try:
        job.delete()
    except redis.RedisError:
        log.warning("could not delete job %s", job.id, exc_info=True)


def _reenqueue_or_fail(session: Session, run: SyncRun, now: datetime, max_reenqueue: int,
                       out: dict[str, list[int]]) -> None:
    stats = dict(run.stats or {})
    recovery: dict[str, Any] = dict(stats.get("recovery") or {})
    count = int(recovery.get("reenqueued", 0))
    if count >= max_reenqueue:
        message = f"The run's job was lost {count + 1} times; start the sync again."
        stats["errors"] = [*(stats.get("errors") or []), {"stage": "queue", "code": "ENQUEUE_LOST",
                                                          "message": message}]
        result = session.execute(update(SyncRun).where(SyncRun.id == run.id, SyncRun.status == RUN_ENQUEUED).values(
            status=RUN_FAILED, error_code="ENQUEUE_LOST", error_message=message, finished_at=now, stats=stats))
        session.commit()
        if result.rowcount:
            out["enqueue_failed"].append(run.id)
        return
    recovery["reenqueued"] = count + 1
    stats["recovery"] = recovery
    result = session.execute(update(SyncRun).where(SyncRun.id == run.id, SyncRun.status == RUN_ENQUEUED).values(
        stats=stats, enqueued_at=now, heartbeat_at=None))
    session.commit()
    if not result.rowcount:
        return
    catalog = session.get(TaskCatalog, run.task_name)
    try:
        enqueue_run(run.id, default_queue=catalog.default_queue if catalog else "default",
                    timeout_seconds=catalog.timeout_seconds if catalog else 1800)
    except redis.RedisError:
        log.warning("run %s: re-enqueue failed; next tick tries again", run.id, exc_info=True)
        return
    log.warning("run %s: job was missing; enqueued again (%d)", run.id, count + 1)
    out["reenqueued"].append(run.id)
