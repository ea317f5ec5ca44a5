"""The JSON shapes of runs (PRODUCT.md §4): `GET .../sync-runs/{id}` and the `POST .../sync` answer."""

from __future__ import annotations

from typing import Any

from webapp.models import SyncRun, isoformat
from webapp.models.runs import RUN_FINAL_STATUSES


def run_summary(run: SyncRun) -> dict[str, Any] | None:
    """The finished run's summary (null until the run ends)."""
    if run.status not in RUN_FINAL_STATUSES:
        return None
    processed = (run.stats or {}).get("processed") or {}
    return processed.get("summary")


def run_to_dict(run: SyncRun) -> dict[str, Any]:
    stats = run.stats or {}
    return {
        "id": run.id,
        "auth_id": run.binding_id,
        "schedule_id": run.schedule_id,
        "task_name": run.task_name,
        "scope": run.scope,
        "mode": run.mode,
        "status": run.status,
        "scheduled_for": isoformat(run.scheduled_for),
        "enqueued_at": isoformat(run.enqueued_at),
        "started_at": isoformat(run.started_at),
        "finished_at": isoformat(run.finished_at),
        "duration_ms": run.duration_ms,
        "error_code": run.error_code,
        "error_message": run.error_message,
        "progress": run.progress,
        "stats": {
            "requested": stats.get("requested") or {},
            "processed": stats.get("processed") or {},
            "errors": stats.get("errors") or [],
        },
    }


def sync_response(run: SyncRun, idempotent: bool) -> dict[str, Any]:
    return {
        "run_id": run.id,
        "schedule_id": run.schedule_id,
        "task_name": run.task_name,
        "task_id": run.job_id,
        "status": run.status,
        "idempotent": idempotent,
        "idempotency_key": run.idempotency_key,
        "summary": run_summary(run),
    }
