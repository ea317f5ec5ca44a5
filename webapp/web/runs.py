"""Pages: run detail and the live run panel (an htmx fragment that polls itself until the run ends)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, make_response, render_template, request
from sqlalchemy import select

from webapp.auth.permissions import workspace_required
from webapp.extensions import db
from webapp.models import Binding, TaskCatalog, User, utcnow
from webapp.models.runs import RUN_ENQUEUED, RUN_FAILED, RUN_FINAL_STATUSES, RUN_RUNNING, SyncRun
from webapp.runs.serialization import phase_label, run_to_dict, task_label

bp = Blueprint("runs", __name__)

# htmx stops a polling trigger when the response status is 286.
HTMX_STOP_POLLING = 286
# Entities of the metadata summary, in display order.
SUMMARY_ENTITIES = (("bc", "Business centers"), ("advertisers", "Advertisers"), ("stores", "Stores"))
SUMMARY_COLUMNS = (("added", "Added"), ("updated", "Updated"), ("unchanged", "Unchanged"), ("removed", "Removed"))


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def get_run_or_404(wid: int, run_id: int) -> SyncRun:
    return SyncRun.get_for_workspace_or_404(db.session, wid, run_id, code="SYNC_RUN_NOT_FOUND",
                                            message="Sync run not found.")


def actor_names(runs: list[SyncRun]) -> dict[int, str]:
    """user id -> email for the users who started these runs (one query), so pages can say who did it."""
    ids = {(((run.stats or {}).get("requested") or {}).get("actor") or {}).get("user_id") for run in runs}
    ids.discard(None)
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime) or not value:
        return value or None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def _max_attempts(run: SyncRun) -> int:
    catalog = db.session.get(TaskCatalog, run.task_name)
    return (catalog.max_retries if catalog else 0) + 1


def retry_state(run: SyncRun, progress: dict[str, Any], errors: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A run back in the queue after a transient TikTok failure (jobs._retry_or_fail): which attempt comes
    next, of how many, when, and the error that caused it. Older rows without these fields fall back to the
    run's attempts and its last "attempt" error."""
    if run.status != RUN_ENQUEUED or progress.get("phase") != "retry_wait":
        return None
    last = progress.get("last_error") or next((e for e in reversed(errors) if e.get("stage") == "attempt"), {})
    message = str(last.get("message") or "")
    if message.startswith("attempt ") and ": " in message:
        message = message.split(": ", 1)[1]  # "attempt 1: System error (50000)" → the error itself
    stage = last.get("phase") or last.get("stage")
    return {
        "next_attempt": int(progress.get("next_attempt") or (run.attempts or 0) + 1),
        "max_attempts": int(progress.get("max_attempts") or _max_attempts(run)),
        "retry_at": _parse_time(progress.get("retry_at")),
        "stage": phase_label(stage) if stage not in (None, "attempt", "run") else None,
        "code": last.get("code"), "message": message,
    }


def status_line(run: SyncRun, progress: dict[str, Any], retry: dict[str, Any] | None) -> str:
    """One honest sentence about what an active run is doing right now."""
    if retry is not None:
        text = f"Retrying after a TikTok error (attempt {retry['next_attempt']} of {retry['max_attempts']})"
        if retry["retry_at"] is not None:
            # Past the planned time the job is in the queue again, waiting for a free worker.
            due = "next try at" if retry["retry_at"] > utcnow() else "next try was due at"
            text += f" — {due} {retry['retry_at']:%H:%M:%S} UTC"
        return text
    phase = progress.get("phase")
    if phase == "waiting_for_lock":
        return "Waiting for another run of this account to finish…"
    if run.status == RUN_ENQUEUED:
        return "Waiting for a worker…"
    text = f"Syncing: {phase_label(phase or 'starting')}"
    if run.status == RUN_RUNNING and (run.attempts or 0) > 1:
        text += f" (attempt {run.attempts} of {_max_attempts(run)})"
    return text


def panel_context(run: SyncRun) -> dict[str, Any]:
    data = run_to_dict(run)
    stats = data.get("stats") or {}
    processed = stats.get("processed") or {}
    summary = processed.get("summary") or {}
    progress = data.get("progress") or {}
    errors = stats.get("errors") or []
    done, total = int(progress.get("done") or 0), int(progress.get("total") or 0)
    final = run.status in RUN_FINAL_STATUSES
    retry = None if final else retry_state(run, progress, errors)
    return {
        "run": run, "data": data, "final": final,
        "task_label": task_label(run.task_name),
        "progress": progress, "done": done, "total": total, "retry": retry,
        "status_line": None if final else status_line(run, progress, retry),
        # The bar's width comes from a CSS class in 5% steps: the CSP forbids inline style attributes.
        "pct": min(100, max(0, round(done * 20 / total) * 5)) if total else 0,
        "counts": processed.get("counts") or {},
        "summary": summary, "summary_rows": [(label, summary[key]) for key, label in SUMMARY_ENTITIES
                                             if isinstance(summary.get(key), dict)],
        "summary_columns": SUMMARY_COLUMNS, "errors": errors,
        # The sync code reports seconds per phase; pages show them like every other duration.
        "timings": {phase: round(value * 1000) if isinstance(value, int | float) else value
                    for phase, value in (processed.get("timings") or {}).items()},
        "requested": stats.get("requested") or {},
        # Why a finished run has no timings/counts (an active one simply has none "yet").
        "nothing_note": ("the run failed before syncing anything" if run.status == RUN_FAILED
                         else "none were recorded") if final else None,
    }


def render_panel(run: SyncRun, *, swap_status: bool = True, note: str | None = None):
    """The run panel. A final run answers 286 to a poll (htmx then stops) and tells the page, via the
    `runFinished` event, to refresh what the run changed (history, tables)."""
    context = panel_context(run)
    response = make_response(render_template("runs/_run_panel.html", p=context, note=note))
    if context["final"]:
        response.headers["HX-Trigger"] = "runFinished"
        if swap_status:
            response.status_code = HTMX_STOP_POLLING
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/w/<int:wid>/runs/<int:run_id>")
@workspace_required()
def run_page(wid: int, run_id: int):
    run = get_run_or_404(wid, run_id)
    context = panel_context(run)
    binding = db.session.get(Binding, run.binding_id)
    context["binding_label"] = binding.label if binding else f"account #{run.binding_id}"
    context["actor_names"] = actor_names([run])
    return render_template("runs/page.html", p=context)


@bp.get("/w/<int:wid>/runs/<int:run_id>/panel")
@workspace_required()
def run_panel(wid: int, run_id: int):
    return render_panel(get_run_or_404(wid, run_id))


@bp.app_template_filter("phase_label")
def phase_label_filter(value: Any) -> str:
    return phase_label(value)


@bp.app_template_filter("task_label")
def task_label_filter(value: Any) -> str:
    return task_label(value)


@bp.app_template_filter("duration")
def format_duration(ms: Any) -> str:
    """Milliseconds as a short human duration: 850 ms, 12.4 s, 3 min 05 s."""
    if ms is None:
        return "—"
    ms = int(ms)
    if ms < 1000:
        return f"{ms} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(ms // 1000, 60)
    return f"{minutes} min {seconds:02d} s"


@bp.app_template_filter("when")
def format_when(value: Any) -> str:
    """A stored UTC time (datetime or ISO string) as `YYYY-MM-DD HH:MM:SS UTC`."""
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")
