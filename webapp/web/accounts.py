"""Pages: the account page of one binding (mirrored metadata tabs, "Sync metadata", run history)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.auth.permissions import workspace_required
from webapp.errors import AppError
from webapp.extensions import client_ip, db
from webapp.models import Binding
from webapp.models.providers import BINDING_INVALID
from webapp.models.runs import RUN_ACTIVE_STATUSES, TASK_SYNC_META, SyncRun
from webapp.providers.tiktok_business import mirror
from webapp.providers.tiktok_business.bindings import get_binding_or_404
from webapp.runs.service import list_runs_stmt, start_sync
from webapp.web.runs import actor_names, is_htmx, panel_context, render_panel

bp = Blueprint("accounts", __name__)

# tab key -> (label, sortable columns, lister). Sort values are "<column>" or "-<column>" (descending).
TABS: dict[str, tuple[str, tuple[str, ...], Callable[..., list[Any]]]] = {
    "business-centers": ("Business centers", tuple(mirror.BC_SORTS), mirror.list_business_centers),
    "advertisers": ("Advertisers", tuple(mirror.ADVERTISER_SORTS), mirror.list_advertisers),
    "stores": ("Stores", tuple(mirror.STORE_SORTS), mirror.list_stores),
}
DEFAULT_TAB = "business-centers"
HISTORY_SIZE = 20
ALREADY_RUNNING = "A sync is already running for this account; this is its progress."


def _table_args() -> dict[str, str]:
    """The tab, search and sort of the request, normalised (unknown values fall back to defaults)."""
    tab = request.args.get("tab", DEFAULT_TAB)
    if tab not in TABS:
        tab = DEFAULT_TAB
    sort = request.args.get("sort", "name")
    if sort.lstrip("-") not in TABS[tab][1]:
        sort = "name"
    return {"tab": tab, "q": request.args.get("q", "").strip()[:100], "sort": sort}


def _rows(binding_id: int, tab: str, q: str, sort: str) -> list[Any]:
    return TABS[tab][2](db.session, binding_id, q=q or None, sort=sort)


def _history(wid: int, binding_id: int) -> list[Any]:
    return list(db.session.execute(list_runs_stmt(wid, binding_id).limit(HISTORY_SIZE)).scalars())


def invalid_reason(binding: Binding) -> str | None:
    """One sentence for the banner of an invalid binding. The stored reason is written by the worker
    ("TikTok rejected the access token (code 40105).") and must not be nested inside another sentence."""
    if binding.status != BINDING_INVALID:
        return None
    reason = (binding.status_reason or "").strip()
    code = re.search(r"\bcode (\d+)", reason)
    if not reason or reason.lower().startswith("tiktok rejected"):
        return "TikTok rejected this account's access token" + (f" (code {code.group(1)})." if code else ".")
    return f"TikTok stopped accepting this account's access token: {reason.rstrip('.')}."


def active_meta_run(wid: int, binding_id: int) -> SyncRun | None:
    """The binding's enqueued/running metadata sync, if any (newest first)."""
    stmt = list_runs_stmt(wid, binding_id).where(SyncRun.status.in_(RUN_ACTIVE_STATUSES),
                                                 SyncRun.task_name == TASK_SYNC_META).limit(1)
    return db.session.execute(stmt).scalar_one_or_none()


def _page(wid: int, binding: Binding, *, sync_error: AppError | None = None, status: int = 200):
    args = _table_args()
    runs = _history(wid, binding.id)
    active = next((run for run in runs if run.status in RUN_ACTIVE_STATUSES), None)
    context = {"binding": binding, "tabs": TABS, "rows": _rows(binding.id, **args), "runs": runs,
               "actor_names": actor_names(runs), "active_run": active, "invalid_reason": invalid_reason(binding),
               "active_panel": panel_context(active) if active else None, "sync_error": sync_error, **args}
    # htmx tab/search/sort requests swap only the tab area; history restores need the whole page.
    partial = is_htmx() and request.headers.get("HX-Target") == "account-tabs" \
        and not request.headers.get("HX-History-Restore-Request")
    response = make_response(render_template("accounts/_tabs.html" if partial else "accounts/page.html",
                                             **context), status)
    response.vary.add("HX-Request")
    return response


@bp.get("/w/<int:wid>/accounts/<int:auth_id>")
@workspace_required()
def account_page(wid: int, auth_id: int):
    return _page(wid, get_binding_or_404(db.session, wid, auth_id))


@bp.get("/w/<int:wid>/accounts/<int:auth_id>/runs")
@workspace_required()
def account_history(wid: int, auth_id: int):
    """The run history table alone (htmx refreshes it when a run panel reports a finished run)."""
    binding = get_binding_or_404(db.session, wid, auth_id)
    runs = _history(wid, binding.id)
    return render_template("accounts/_history.html", binding=binding, runs=runs, actor_names=actor_names(runs))


@bp.get("/w/<int:wid>/accounts/<int:auth_id>/active-run")
@workspace_required()
def account_active_run(wid: int, auth_id: int):
    """The live panel of the binding's latest active run, or 204 (htmx swaps nothing). The account page
    polls this slowly, so a run started elsewhere (API, CLI, schedule) appears without a reload."""
    binding = get_binding_or_404(db.session, wid, auth_id)
    stmt = list_runs_stmt(wid, binding.id).where(SyncRun.status.in_(RUN_ACTIVE_STATUSES)).limit(1)
    run = db.session.execute(stmt).scalar_one_or_none()
    return render_panel(run) if run is not None else ("", 204)


@bp.post("/w/<int:wid>/accounts/<int:auth_id>/sync")
@workspace_required("admin")
def account_sync(wid: int, auth_id: int):
    """"Sync metadata": htmx gets the live run panel; without JS the browser is sent to the run page.
    A double click (or a second tab) reuses the binding's active metadata run instead of queueing another;
    the JSON API keeps its documented behaviour (a second run waits for the lock)."""
    binding = get_binding_or_404(db.session, wid, auth_id)
    running = active_meta_run(wid, binding.id)
    if running is not None:
        if is_htmx():
            return render_panel(running, swap_status=False, note=ALREADY_RUNNING)
        flash(ALREADY_RUNNING, "info")
        return redirect(url_for("runs.run_page", wid=wid, run_id=running.id), 303)
    actor = {"user_id": current_user.id, "workspace_id": g.workspace.id, "ip": client_ip()}
    try:
        run, _ = start_sync(db.session, workspace_id=wid, binding_id=binding.id, scope="meta", actor=actor)
        db.session.commit()
    except AppError as error:
        db.session.rollback()
        if is_htmx():
            # htmx does not swap 4xx bodies by default; the inline message is the answer the user needs.
            return render_template("runs/_sync_error.html", error=error)
        return _page(wid, binding, sync_error=error, status=error.status)
    if is_htmx():
        response = render_panel(run, swap_status=False)
        # The page header listens for this and re-renders with the button disabled while the run is active.
        response.headers["HX-Trigger"] = "runStarted"
        return response
    return redirect(url_for("runs.run_page", wid=wid, run_id=run.id), 303)
