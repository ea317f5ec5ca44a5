"""Pages: run detail and the live run panel (an htmx fragment that polls itself until the run ends)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, make_response, render_template, request
from sqlalchemy import select

from webapp.auth.permissions import workspace_required
from webapp.extensions import db
from webapp.models import Binding, User
from webapp.models.runs import RUN_FINAL_STATUSES, SyncRun
from webapp.runs.serialization import run_to_dict

bp = Blueprint("runs", __name__)

# htmx stops a polling trigger when the response status is 286.
HTMX_STOP_POLLING = 286
# Entities of the metadata summary, in display order.
SUMMARY_ENTITIES = (("bc", "Business centers"), ("advertisers", "Advertisers"), ("stores", "Stores"))
SUMMARY_COLUMNS = ("added", "removed", "unchanged", "updated")


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


def panel_context(run: SyncRun) -> dict[str, Any]:
    data = run_to_dict(run)
    stats = data.get("stats") or {}
    processed = stats.get("processed") or {}
    summary = processed.get("summary") or {}
    progress = data.get("progress") or {}
    done, total = int(progress.get("done") or 0), int(progress.get("total") or 0)
    return {
        "run": run, "data": data, "final": run.status in RUN_FINAL_STATUSES,
        "progress": progress, "done": done, "total": total,
        # The bar's width comes from a CSS class in 5% steps: the CSP forbids inline style attributes.
        "pct": min(100, max(0, round(done * 20 / total) * 5)) if total else 0,
        "counts": processed.get("counts") or {},
        "summary": summary, "summary_rows": [(label, summary[key]) for key, label in SUMMARY_ENTITIES
                                             if isinstance(summary.get(key), dict)],
        "summary_columns": SUMMARY_COLUMNS, "errors": stats.get("errors") or [],
        # The sync code reports seconds per phase; pages show them like every other duration.
        "timings": {phase: round(value * 1000) if isinstance(value, int | float) else value
                    for phase, value in (processed.get("timings") or {}).items()},
        "requested": stats.get("requested") or {},
    }


def render_panel(run: SyncRun, *, swap_status: bool = True):
    """The run panel. A final run answers 286 to a poll (htmx then stops) and tells the page, via the
    `runFinished` event, to refresh what the run changed (history, tables)."""
    context = panel_context(run)
    response = make_response(render_template("runs/_run_panel.html", p=context))
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
