"""The JSON shapes of runs (PRODUCT.md §4): `GET .../sync-runs/{id}` and the `POST .../sync` answer."""

from __future__ import annotations

from typing import Any

from webapp.models import SyncRun, isoformat
from webapp.models.runs import RUN_FINAL_STATUSES

# Human names of tasks and of the phases/stages a run reports (progress.phase, stats.errors[].stage, timings).
TASK_LABELS = {"ttb.sync.meta": "Metadata sync", "ttb.sync.products": "Products sync"}
PHASE_LABELS = {
    "enqueued": "Waiting for a worker",
    "starting": "Starting",
    "waiting_for_lock": "Waiting for another run of this account to finish",
    "retry_wait": "Waiting to retry",
    "business_centers": "Business centers",
    "bc": "Business centers",
    "bc_advertiser_links": "Business center ↔ advertiser links",
    "advertiser_store_links": "Advertiser ↔ store links",
    "requests": "TikTok API calls",
    "revisions": "Revisions",
    "advertisers": "Advertisers",
    "advertiser_info": "Advertiser details",
    "stores": "Stores",
    "gmv_max_stores": "GMV Max stores",
    "products": "Products",
    "done": "Done",
    "failed": "Failed",
    "total": "Total",
    "run": "Run",
    "attempt": "Attempt",
    "worker": "Worker",
    "queue": "Queue",
}


def task_label(name: str | None) -> str:
    return TASK_LABELS.get(name or "", name or "—")


def phase_label(phase: str | None) -> str:
    """`business_centers` → "Business centers"; unknown values are tidied the same way."""
    if not phase:
        return "—"
    if phase.startswith("/"):
        return phase  # an API path (where a TikTok call failed) is clearer as it is
    return PHASE_LABELS.get(phase) or phase.replace("_", " ").capitalize()


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
        # Extra fields: why a waited run failed, without a second request.
        "error_code": run.error_code,
        "error_message": run.error_message,
    }
