"""The run lifecycle, request side: validate, create the run row (committed BEFORE the job is enqueued,
so nothing is lost if Redis hiccups), enqueue, wait, look runs up. The worker side is in jobs.py."""

from __future__ import annotations

import logging
import math
import time
from datetime import datetime, timedelta
from typing import Any

import redis
from redis.exceptions import LockError
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.errors import AppError, BadRequest, Conflict, NotFound, RateLimited
from webapp.models import (
    Advertiser,
    AdvertiserStoreLink,
    BcAdvertiserLink,
    Binding,
    BindingConfig,
    Store,
    SyncRun,
    TaskCatalog,
    utcnow,
)
from webapp.models.providers import BINDING_REVOKED, PROVIDER_TIKTOK_BUSINESS
from webapp.models.runs import (
    RUN_ACTIVE_STATUSES,
    RUN_ENQUEUED,
    RUN_FAILED,
    RUN_FINAL_STATUSES,
    TASK_SYNC_META,
    TASK_SYNC_PRODUCTS,
)

log = logging.getLogger(__name__)

SCOPES = ("meta", "products")
MODES = ("full", "incremental")
RUN_STATUSES = (*RUN_ACTIVE_STATUSES, *RUN_FINAL_STATUSES)
TASK_BY_SCOPE = {"meta": TASK_SYNC_META, "products": TASK_SYNC_PRODUCTS}
IDEMPOTENCY_WINDOW = timedelta(hours=24)
OPTION_KEYS = ("advertiser_id", "store_id", "bc_id", "eligibility")

_ID = {"type": "string", "maxLength": 32}
# Code-owned definitions of the task catalog; ensure_task_catalog() makes the rows match them.
TASK_DEFINITIONS: dict[str, dict[str, Any]] = {
    TASK_SYNC_META: {
        "description": "Mirror the binding's business centers, advertisers and stores (and their links).",
        "default_queue": "default",
        "timeout_seconds": 1800,
        "max_retries": 3,
        "tenant_visible": True,
        "enabled": True,
        "params_schema": {
            "type": "object",
            "properties": {"auth_id": {"type": "integer"}, "mode": {"enum": list(MODES)}},
            "required": ["auth_id"],
        },
    },
    TASK_SYNC_PRODUCTS: {
        "description": "Mirror the products of one (advertiser, store) pair for GMV Max.",
        "default_queue": "default",
        "timeout_seconds": 3600,
        "max_retries": 3,
        "tenant_visible": True,
        # The products sync lands with the GMV Max issue; until then requests get SCOPE_NOT_AVAILABLE.
        "enabled": False,
        "params_schema": {
            "type": "object",
            "properties": {
                "auth_id": {"type": "integer"}, "mode": {"enum": list(MODES)}, "advertiser_id": _ID,
                "store_id": _ID, "bc_id": _ID, "eligibility": {"enum": ["gmv_max", "ads", "all"]},
            },
            "required": ["auth_id", "advertiser_id", "store_id"],
        },
    },
}


# ------------------------------------------------------------------ task catalog

def ensure_task_catalog(session: Session) -> dict[str, TaskCatalog]:
    """Create or refresh the catalog rows from TASK_DEFINITIONS (idempotent, safe with concurrent callers)."""
    rows = {row.name: row for row in session.execute(select(TaskCatalog)).scalars()}
    changed = False
    for name, definition in TASK_DEFINITIONS.items():
        row = rows.get(name)
        if row is None:
            try:
                with session.begin_nested():
                    session.add(TaskCatalog(name=name, **definition))
            except IntegrityError:  # another process inserted it first; read it after the commit below
                pass
            changed = True
            continue
        for key, value in definition.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
                changed = True
    if changed:
        session.commit()
        # A row another process committed is invisible to our old REPEATABLE READ snapshot: read again.
        rows = {row.name: row for row in session.execute(select(TaskCatalog)).scalars()}
    return rows


# ------------------------------------------------------------------ starting runs

def _requested(binding: Binding, scope: str, mode: str, options: dict[str, Any], actor: dict | None,
               idempotency_key: str | None) -> dict[str, Any]:
    actor = actor or {}
    return {
        "provider": binding.provider or PROVIDER_TIKTOK_BUSINESS,
        "auth_id": binding.id,
        "workspace_id": binding.workspace_id,
        "scope": scope,
        "mode": mode,
        "options": options,
        "actor": {"user_id": actor.get("user_id"), "workspace_id": actor.get("workspace_id"),
                  "ip": actor.get("ip")},
        "idempotency_key": idempotency_key,
    }


def find_idempotent_run(session: Session, workspace_id: int, task_name: str, key: str,
                        now: datetime | None = None, *, binding_id: int | None = None) -> SyncRun | None:
    since = (now or utcnow()) - IDEMPOTENCY_WINDOW
    stmt = (select(SyncRun)
            .where(SyncRun.workspace_id == workspace_id, SyncRun.task_name == task_name,
                   SyncRun.idempotency_key == key, SyncRun.created_at >= since)
            .order_by(SyncRun.id.desc()))
    if binding_id is not None:
        stmt = stmt.where(SyncRun.binding_id == binding_id)
    # MySQL's default collations compare case-, accent- and trailing-space-insensitively ("Key-A" = "key-a "),
    # so the SQL match only narrows; keys are opaque and must match exactly.
    return next((run for run in session.execute(stmt).scalars() if run.idempotency_key == key), None)


def _redis_guard(key: str):
    """A short Redis lock serialising 'look up key, else create' for one idempotency key."""
    from webapp.extensions import get_redis
    from webapp.runs.queue import lock_prefix

    client = get_redis()
    name = f"{lock_prefix()}:idem:{key}"
    return client.lock(name, timeout=30, blocking_timeout=10)


def start_sync(session: Session, *, workspace_id: int, binding_id: int, scope: str = "meta", mode: str = "full",
               options: dict | None = None, idempotency_key: str | None = None, actor: dict | None = None,
               schedule_id: int | None = None, scheduled_for: datetime | None = None) -> tuple[SyncRun, bool]:
    """Create a run and enqueue its job; returns (run, idempotent). Same key within 24 h → same run."""
    if scope not in SCOPES:
        raise BadRequest("INVALID_SCOPE", f"Unknown scope {scope!r}.")
    if mode not in MODES:
        raise BadRequest("INVALID_MODE", f"Unknown mode {mode!r}.")
    binding = Binding.get_for_workspace_or_404(session, workspace_id, binding_id, code="BINDING_NOT_FOUND",
                                               message="Binding not found.")
    if binding.status == BINDING_REVOKED:
        raise BadRequest("BINDING_REVOKED", "This binding was revoked; connect the account again to sync it.")
    task_name = TASK_BY_SCOPE[scope]
    catalog = ensure_task_catalog(session)[task_name]
    options = {k: v for k, v in (options or {}).items() if v is not None}

    guard = _redis_guard(f"{workspace_id}:{binding.id}:{task_name}:{idempotency_key}") if idempotency_key else None
    try:
        if guard is not None and not guard.acquire():
            raise Conflict("SYNC_IN_PROGRESS", "The same idempotency key is being processed; retry shortly.")
    except redis.RedisError:
        guard = None  # Redis is down: the row is still written first; the tick enqueues it later
    try:
        if idempotency_key:
            # End the snapshot taken before we held the guard (MySQL REPEATABLE READ): otherwise the run
            # that the request we waited for has just committed is invisible, and the key runs twice.
            session.commit()
            existing = find_idempotent_run(session, workspace_id, task_name, idempotency_key, binding_id=binding.id)
            if existing is not None:
                return existing, True
        if scope == "products":
            options = validate_products_request(session, binding, options)
        if not catalog.enabled:
            raise BadRequest("SCOPE_NOT_AVAILABLE", f"{scope} sync is not available yet.")
        now = utcnow()
        run = SyncRun(
            workspace_id=workspace_id, binding_id=binding.id, schedule_id=schedule_id, task_name=task_name,
            scope=scope, mode=mode, advertiser_id=options.get("advertiser_id"), store_id=options.get("store_id"),
            status=RUN_ENQUEUED, idempotency_key=idempotency_key, scheduled_for=scheduled_for, created_at=now,
            enqueued_at=now, attempts=0, progress={"phase": "enqueued", "done": 0, "total": 0},
            stats={"requested": _requested(binding, scope, mode, options, actor, idempotency_key),
                   "processed": {}, "errors": []},
        )
        session.add(run)
        session.flush()
        from webapp.runs.queue import job_id_for

        run.job_id = job_id_for(run.id)
        session.commit()  # the row exists before the job does
    finally:
        if guard is not None:
            try:
                guard.release()
            except (redis.RedisError, LockError):
                pass
    enqueue_existing_run(run, catalog)
    return run, False


def enqueue_existing_run(run: SyncRun, catalog: TaskCatalog) -> bool:
    """Enqueue the run's job. A Redis failure leaves the run `enqueued`; the scheduler tick re-enqueues it."""
    from webapp.runs.queue import enqueue_run

    try:
        enqueue_run(run.id, default_queue=catalog.default_queue, timeout_seconds=catalog.timeout_seconds,
                    description=f"{run.task_name} run {run.id} (binding {run.binding_id})")
        return True
    except redis.RedisError:
        log.warning("run %s: enqueue failed; the scheduler tick will re-enqueue it", run.id, exc_info=True)
        return False


# ------------------------------------------------------------------ products checks (PRODUCT.md §4 order)

def _alive(model, binding_id: int, **keys: Any):
    stmt = select(model).where(model.binding_id == binding_id, model.removed_at.is_(None),
                               *[getattr(model, k) == v for k, v in keys.items()])
    return stmt


def validate_products_request(session: Session, binding: Binding, options: dict[str, Any]) -> dict[str, Any]:
    """The products checks in PRODUCT.md §4 order; ids absent from the request come from the GMV Max config."""
    from flask import current_app

    options = dict(options)
    config = session.execute(select(BindingConfig).where(BindingConfig.binding_id == binding.id)).scalar_one_or_none()
    if config is not None:
        for key in ("advertiser_id", "store_id", "bc_id"):
            if not options.get(key) and getattr(config, key):
                options[key] = getattr(config, key)
    advertiser_id, store_id, bc_id = options.get("advertiser_id"), options.get("store_id"), options.get("bc_id")
    if not advertiser_id:
        raise BadRequest("ADVERTISER_REQUIRED_FOR_GMV_MAX", "advertiser_id is required for a products sync.")
    if not store_id:
        raise BadRequest("STORE_ID_REQUIRED_FOR_GMV_MAX", "store_id is required for a products sync.")
    advertiser = session.execute(_alive(Advertiser, binding.id, advertiser_id=advertiser_id)).scalar_one_or_none()
    if advertiser is None:
        raise NotFound("ADVERTISER_NOT_FOUND", f"Advertiser {advertiser_id} is not in this binding's metadata.")
    store = session.execute(_alive(Store, binding.id, store_id=store_id)).scalar_one_or_none()
    if store is None:
        raise NotFound("STORE_NOT_FOUND", f"Store {store_id} is not in this binding's metadata.")
    link = session.execute(_alive(AdvertiserStoreLink, binding.id, advertiser_id=advertiser_id,
                                  store_id=store_id)).scalar_one_or_none()
    if link is None:
        raise BadRequest("ADVERTISER_NOT_LINKED_TO_STORE",
                         f"Advertiser {advertiser_id} is not linked to store {store_id}.")
    _check_same_bc(session, binding.id, advertiser, store, link, bc_id)
    if not bc_id:
        options["bc_id"] = store.store_authorized_bc_id or link.store_authorized_bc_id or advertiser.owner_bc_id
    cooldown = current_app.config["SETTINGS"].PRODUCT_SYNC_COOLDOWN_SECONDS
    _check_not_running(session, binding.id, advertiser_id, store_id, cooldown)
    options.setdefault("eligibility", "gmv_max")
    return options


def _check_same_bc(session: Session, binding_id: int, advertiser: Advertiser, store: Store,
                   link: AdvertiserStoreLink, bc_id: str | None) -> None:
    store_bc = store.store_authorized_bc_id or link.store_authorized_bc_id
    advertiser_bcs = set(session.execute(
        select(BcAdvertiserLink.bc_id).where(BcAdvertiserLink.binding_id == binding_id,
                                             BcAdvertiserLink.advertiser_id == advertiser.advertiser_id,
                                             BcAdvertiserLink.removed_at.is_(None))).scalars())
    if advertiser.owner_bc_id:
        advertiser_bcs.add(advertiser.owner_bc_id)
    wanted = bc_id or store_bc
    mismatch = ((bc_id and store_bc and bc_id != store_bc)
                or (wanted and advertiser_bcs and wanted not in advertiser_bcs))
    if mismatch:
        raise AppError("BC_MISMATCH_BETWEEN_ADVERTISER_AND_STORE",
                       "The advertiser and the store belong to different business centers.", status=422,
                       data={"bc_id": bc_id, "store_authorized_bc_id": store_bc,
                             "advertiser_bc_ids": sorted(advertiser_bcs)})


def _check_not_running(session: Session, binding_id: int, advertiser_id: str, store_id: str, cooldown: int) -> None:
    same_pair = and_(SyncRun.binding_id == binding_id, SyncRun.task_name == TASK_SYNC_PRODUCTS,
                     SyncRun.advertiser_id == advertiser_id, SyncRun.store_id == store_id)
    active = session.execute(select(SyncRun.id).where(same_pair, SyncRun.status.in_(RUN_ACTIVE_STATUSES))
                             .limit(1)).scalar_one_or_none()
    if active is not None:
        raise Conflict("SYNC_IN_PROGRESS", "A products sync for this advertiser and store is already running.",
                       data={"run_id": active})
    if cooldown <= 0:
        return
    started = func.coalesce(SyncRun.started_at, SyncRun.created_at)
    last = session.execute(select(func.max(started)).where(same_pair, SyncRun.status != RUN_FAILED)).scalar()
    if last is not None:
        remaining = cooldown - (utcnow() - last).total_seconds()
        if remaining > 0:
            retry_after = max(1, math.ceil(remaining))
            raise RateLimited("SYNC_RATE_LIMITED", f"A products sync ran recently; retry in {retry_after} s.",
                              data={"retry_after": retry_after}, headers={"Retry-After": str(retry_after)})


# ------------------------------------------------------------------ reading runs

def wait_for_run(session: Session, run_id: int, timeout: float, *, interval: float = 0.25) -> SyncRun:
    """Poll the run row until it is final or `timeout` seconds pass; returns the fresh row."""
    deadline = time.monotonic() + timeout
    while True:
        session.commit()  # end the snapshot so the next read sees the worker's commits
        run = session.get(SyncRun, run_id, populate_existing=True)
        if run is None:
            raise NotFound("SYNC_RUN_NOT_FOUND", "Sync run not found.")
        if run.status in RUN_FINAL_STATUSES or time.monotonic() >= deadline:
            return run
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))


def get_run_for_binding_or_404(session: Session, workspace_id: int, binding_id: int, run_id: Any) -> SyncRun:
    run = SyncRun.get_for_workspace(session, workspace_id, run_id)
    if run is None or str(run.binding_id) != str(binding_id):
        raise NotFound("SYNC_RUN_NOT_FOUND", "Sync run not found.")
    return run


def list_runs_stmt(workspace_id: int, binding_id: int, status: str | None = None, scope: str | None = None) -> Select:
    stmt = select(SyncRun).where(SyncRun.workspace_id == workspace_id, SyncRun.binding_id == binding_id)
    if status:
        stmt = stmt.where(SyncRun.status == status)
    if scope:
        stmt = stmt.where(or_(SyncRun.scope == scope, SyncRun.task_name == TASK_BY_SCOPE.get(scope, "")))
    return stmt.order_by(SyncRun.created_at.desc(), SyncRun.id.desc())
