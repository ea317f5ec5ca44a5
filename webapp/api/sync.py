"""API area: sync runs of a binding — start a sync, run history, one run (PRODUCT.md §4)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import jsonify
from flask_login import current_user
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from webapp.api import bp
from webapp.api.pagination import paginate
from webapp.api.validation import JsonInt, parse_body, parse_query
from webapp.auth.permissions import workspace_required
from webapp.errors import NotFound
from webapp.extensions import client_ip, db
from webapp.models.runs import RUN_FINAL_STATUSES
from webapp.runs.serialization import run_to_dict, sync_response
from webapp.runs.service import (
    OPTION_KEYS,
    get_run_for_binding_or_404,
    list_runs_stmt,
    start_sync,
    wait_for_run,
)

PROVIDERS = {"tiktok-business", "tiktok_business"}
ACCOUNT = "/tenants/<int:wid>/providers/<provider>/accounts/<auth_id>"


def _id_text(value: Any) -> Any:
    # TikTok ids are strings; JSON clients often send them as numbers.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


TikTokId = Annotated[str, BeforeValidator(_id_text), Field(min_length=1, max_length=32)]
Eligibility = Literal["gmv_max", "ads", "all"]


class SyncOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    advertiser_id: TikTokId | None = None
    store_id: TikTokId | None = None
    bc_id: TikTokId | None = None
    eligibility: Eligibility | None = None


class SyncRequest(SyncOptions):
    scope: Literal["meta", "products"] = "meta"
    mode: Literal["full", "incremental"] = "full"
    options: SyncOptions | None = None
    idempotency_key: str | None = Field(None, min_length=1, max_length=128)
    wait: bool | None = None
    wait_timeout_seconds: JsonInt = Field(30, ge=1, le=120)

    def merged_options(self) -> dict[str, Any]:
        """Top-level ids and eligibility, overridden by the same keys inside `options`."""
        merged = {key: getattr(self, key) for key in OPTION_KEYS}
        if self.options is not None:
            merged.update({k: v for k, v in self.options.model_dump().items() if v is not None})
        return {k: v for k, v in merged.items() if v is not None}


class RunsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: Literal["enqueued", "running", "success", "partial", "failed"] | None = None
    scope: Literal["meta", "products"] | None = None


def check_provider(provider: str) -> None:
    if provider not in PROVIDERS:
        raise NotFound("PROVIDER_NOT_SUPPORTED", f"Provider {provider!r} is not supported.")


@bp.post(ACCOUNT + "/sync")
@workspace_required("admin")
def sync_start(wid: int, provider: str, auth_id: str):
    check_provider(provider)
    body = parse_body(SyncRequest, required=False)
    actor = {"user_id": current_user.id, "workspace_id": wid, "ip": client_ip()}
    run, idempotent = start_sync(db.session, workspace_id=wid, binding_id=auth_id, scope=body.scope, mode=body.mode,
                                 options=body.merged_options(), idempotency_key=body.idempotency_key, actor=actor)
    wait = body.wait if body.wait is not None else body.scope == "meta"
    if wait and run.status not in RUN_FINAL_STATUSES:
        run = wait_for_run(db.session, run.id, body.wait_timeout_seconds)
    status = 200 if wait and run.status in RUN_FINAL_STATUSES else 202
    return jsonify(sync_response(run, idempotent)), status


@bp.get(ACCOUNT + "/sync-runs")
@workspace_required("member")
def sync_runs_list(wid: int, provider: str, auth_id: str):
    from webapp.models import Binding

    check_provider(provider)
    query = parse_query(RunsQuery)
    binding = Binding.get_for_workspace_or_404(db.session, wid, auth_id, code="BINDING_NOT_FOUND",
                                               message="Binding not found.")
    stmt = list_runs_stmt(wid, binding.id, status=query.status, scope=query.scope)
    return jsonify(paginate(db.session, stmt, run_to_dict))


@bp.get(ACCOUNT + "/sync-runs/<run_id>")
@workspace_required("member")
def sync_run_detail(wid: int, provider: str, auth_id: str, run_id: str):
    from webapp.models import Binding

    check_provider(provider)
    binding = Binding.get_for_workspace_or_404(db.session, wid, auth_id, code="BINDING_NOT_FOUND",
                                               message="Binding not found.")
    return jsonify(run_to_dict(get_run_for_binding_or_404(db.session, wid, binding.id, run_id)))
