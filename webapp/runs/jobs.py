"""RQ entry points and the worker side of the run lifecycle.

A job receives only the run id. It loads the run, binding and token, waits for the per-binding lock,
marks the run running (heartbeat + throttled progress written on their own connection so the sync's
transactions are never committed early), dispatches by task name, and always leaves the run final
(or back in `enqueued` when a transient TikTok failure is retried by RQ)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, has_app_context
from rq import Retry, get_current_job
from rq.timeouts import JobTimeoutException
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from webapp.extensions import db, get_redis
from webapp.models import Binding, SyncRun, TaskCatalog, isoformat, utcnow
from webapp.models.providers import BINDING_ACTIVE, BINDING_INVALID, BINDING_REVOKED
from webapp.models.runs import (
    RUN_ENQUEUED,
    RUN_FAILED,
    RUN_FINAL_STATUSES,
    RUN_PARTIAL,
    RUN_RUNNING,
    RUN_SUCCESS,
    TASK_SYNC_META,
    TASK_SYNC_PRODUCTS,
)
from webapp.providers.tiktok_business import errors as errors_module
from webapp.providers.tiktok_business.errors import (
    AuthCodeError,
    BadRequestError,
    PaginationError,
    PermissionDeniedError,
    RateLimitedError,
    TikTokError,
    TokenInvalidError,
    TransientError,
)
from webapp.runs.lock import BindingLock
from webapp.runs.queue import lock_prefix
from webapp.runs.serialization import phase_label

logger = logging.getLogger("webapp.runs.jobs")

HEARTBEAT_SECONDS = 5.0
PROGRESS_MIN_INTERVAL = 0.5
# Delays between RQ-level retries of transient TikTok failures (the client already retried each call).
RETRY_INTERVALS = [10, 60, 300]
# Codes found in SyncResult.errors (TikTok numeric codes, or our names) that mean "try again later".
TRANSIENT_CODES = {"RATE_LIMITED", "TIKTOK_TRANSIENT", "RateLimitedError", "TransientError",
                   *(str(c) for c in (*errors_module.RATE_LIMIT_CODES, *errors_module.TRANSIENT_CODES))}
TOKEN_INVALID_CODES = {"TOKEN_INVALID", "TokenInvalidError", *(str(c) for c in errors_module.TOKEN_INVALID_CODES)}

_app: Flask | None = None


class RunFailedError(Exception):
    """Ends the run `failed` with this error code and a message that is safe to show."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


class RunLog(logging.LoggerAdapter):
    """Per-job logger: every line carries the job and run ids."""

    def process(self, msg, kwargs):
        return f"[job={self.extra['job_id']} run={self.extra['run_id']}] {msg}", kwargs


def _get_app() -> Flask:
    """The worker's app: the CLI's app context is inherited by the forked work horse; otherwise build one
    per process (e.g. a job run by a plain `rq worker`)."""
    global _app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _app is None:
        from webapp import create_app

        _app = create_app()
    return _app


def execute_run(run_id: int) -> Any:
    """RQ entry point (by name: webapp.runs.jobs.execute_run)."""
    app = _get_app()
    with app.app_context():
        try:
            return run_job(db.session, run_id)
        finally:
            db.session.remove()


# ------------------------------------------------------------------ progress + heartbeat

class ProgressWriter:
    """The `progress(phase, done, total)` callback: writes at most every 0.5 s, always on a phase change,
    on its own connection (autocommit), and bumps heartbeat_at with it."""

    def __init__(self, engine: Engine, run_id: int) -> None:
        self.engine = engine
        self.run_id = run_id
        self._phase: str | None = None
        self._last = 0.0
        self._lock = threading.Lock()

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        with self._lock:
            if phase == self._phase and now - self._last < PROGRESS_MIN_INTERVAL:
                return
            self._phase, self._last = phase, now
        self.write(phase, done, total)

    def write(self, phase: str, done: int, total: int) -> None:
        values = {"progress": {"phase": phase, "done": int(done or 0), "total": int(total or 0)},
                  "heartbeat_at": utcnow()}
        try:
            with self.engine.begin() as conn:
                conn.execute(update(SyncRun).where(SyncRun.id == self.run_id).values(**values))
        except SQLAlchemyError:
            # Progress is best effort (e.g. SQLite busy): never let it fail the sync itself.
            logger.warning("run %s: progress not saved", self.run_id, exc_info=True)


class Heartbeat:
    """Background thread: heartbeat_at on the run row and the lock's TTL, every few seconds."""

    def __init__(self, engine: Engine, run_id: int, lock: BindingLock, log: logging.LoggerAdapter,
                 interval: float = HEARTBEAT_SECONDS) -> None:
        self.engine, self.run_id, self.lock, self.log, self.interval = engine, run_id, lock, log, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"run-heartbeat-{run_id}", daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                with self.engine.begin() as conn:
                    conn.execute(update(SyncRun).where(SyncRun.id == self.run_id).values(heartbeat_at=utcnow()))
                if not self.lock.extend():
                    self.log.error("binding lock lost while running")
            except Exception:  # noqa: BLE001 - a missed beat is retried; the run must go on
                self.log.warning("heartbeat failed", exc_info=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


# ------------------------------------------------------------------ tasks

TaskFunc = Callable[[Session, SyncRun, Binding, Callable[[str, int, int], None]], Any]


def task_sync_meta(session: Session, run: SyncRun, binding: Binding, progress: Callable[[str, int, int], None]):
    from webapp.providers.tiktok_business.connect import make_client
    from webapp.providers.tiktok_business.sync_meta import sync_meta

    app = binding.provider_app
    client = make_client(binding.access_token)
    try:
        return sync_meta(session, binding, client, app_id=app.app_id, secret=app.secret, progress=progress)
    finally:
        client.close()


def task_sync_products(session: Session, run: SyncRun, binding: Binding, progress: Callable[[str, int, int], None]):
    raise RunFailedError("NOT_IMPLEMENTED", "products sync is not available yet.")


TASKS: dict[str, TaskFunc] = {TASK_SYNC_META: task_sync_meta, TASK_SYNC_PRODUCTS: task_sync_products}


# ------------------------------------------------------------------ the job

def _error_code(exc: TikTokError) -> str:
    if isinstance(exc, RateLimitedError):
        return "RATE_LIMITED"
    if isinstance(exc, TransientError):
        return "TIKTOK_TRANSIENT"
    if isinstance(exc, PermissionDeniedError):
        return "PERMISSION_DENIED"
    if isinstance(exc, AuthCodeError):
        return "APP_CREDENTIALS_INVALID"
    if isinstance(exc, PaginationError):
        return "TIKTOK_PAGINATION_ERROR"
    if isinstance(exc, BadRequestError):
        return "TIKTOK_BAD_REQUEST"
    return "TIKTOK_ERROR"


def _code_name(code: Any) -> str:
    """A run's error_code from a SyncResult error code (TikTok's number → our name where one exists)."""
    text = str(code or "SYNC_FAILED")
    if not text.isdigit():
        return text
    exc = errors_module.error_for_code(int(text), "", path="", request_id=None)
    return _error_code(exc) if type(exc) is not BadRequestError else f"TIKTOK_{text}"


def _finish(session: Session, run_id: int, status: str, *, error_code: str | None = None,
            error_message: str | None = None, processed: dict | None = None, errors: list | None = None) -> bool:
    """Write the final state with one conditional UPDATE: a run already declared lost stays lost."""
    run = session.get(SyncRun, run_id, populate_existing=True)
    if run is None:
        return False
    finished = utcnow()
    stats = dict(run.stats or {})
    if processed is not None:
        stats["processed"] = processed
    if errors is not None:
        stats["errors"] = errors
    progress = dict(run.progress or {})
    progress["phase"] = "done" if status != RUN_FAILED else "failed"
    duration = int((finished - run.started_at).total_seconds() * 1000) if run.started_at else None
    result = session.execute(
        update(SyncRun).where(SyncRun.id == run_id, SyncRun.status.notin_(RUN_FINAL_STATUSES))
        .values(status=status, finished_at=finished, duration_ms=duration, error_code=error_code,
                error_message=error_message, stats=stats, progress=progress, heartbeat_at=finished)
        .execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1


def _fail(session: Session, run_id: int, code: str, message: str, *, stage: str = "run") -> bool:
    session.rollback()
    run = session.get(SyncRun, run_id, populate_existing=True)
    errors = list(((run.stats or {}).get("errors") or []) if run else [])
    errors.append({"stage": stage, "code": code, "message": message})
    return _finish(session, run_id, RUN_FAILED, error_code=code, error_message=message, errors=errors)


def _invalidate_binding(session: Session, binding_id: int, reason: str) -> None:
    binding = session.get(Binding, binding_id, populate_existing=True)
    if binding is not None and binding.status != BINDING_REVOKED:
        binding.status = BINDING_INVALID
        binding.status_reason = reason[:255]
        session.commit()


def _tiktok_detail(message: str, tiktok_code: Any = None) -> str:
    """"System error." + 50000 → "System error (50000)": what TikTok said, with its code when numeric."""
    text = (message or "TikTok returned an error").strip().rstrip(".")
    code = str(tiktok_code or "")
    return f"{text} ({code})" if code.isdigit() and code not in text else text


def _stage_words(stage: str | None) -> str:
    """" at the business centers step" / " calling /bc/get/" / "" — where a failure happened, for messages."""
    if not stage or stage in ("run", "attempt"):
        return ""
    if stage.startswith("/"):
        return f" calling {stage}"
    return f" at the {phase_label(stage).lower()} step"


def _retry_or_fail(session: Session, run: SyncRun, catalog: TaskCatalog | None, code: str, message: str,
                   log: logging.LoggerAdapter, *, stage: str | None = None, tiktok_code: Any = None) -> Retry | None:
    """A transient TikTok failure: back to `enqueued` for an RQ retry (the progress says when and why),
    or, once the attempts are used up, `failed` with a message naming the attempts and the stage."""
    max_retries = catalog.max_retries if catalog else 0
    session.rollback()
    run = session.get(SyncRun, run.id, populate_existing=True)
    if run is None:
        return None
    detail = _tiktok_detail(message, tiktok_code)
    if run.attempts <= max_retries and get_current_job() is not None:
        # RQ picks intervals[number_of_retries]: attempt n waits RETRY_INTERVALS[n - 1] (see Retry.get_interval).
        delay = RETRY_INTERVALS[min(run.attempts - 1, len(RETRY_INTERVALS) - 1)]
        log.warning("transient failure %s (attempt %d of %d); retrying in %ss", code, run.attempts,
                    max_retries + 1, delay)
        last_error = {"stage": stage or "run", "code": code, "message": detail}
        errors = [*((run.stats or {}).get("errors") or []),
                  {"stage": "attempt", "code": code, "message": f"attempt {run.attempts}: {detail}",
                   "attempt": run.attempts, "phase": stage or "run"}]
        # The UI shows "Retrying after a TikTok error (attempt n of m) — next try at ..." from this progress.
        progress = {"phase": "retry_wait", "done": 0, "total": 0, "attempt": run.attempts,
                    "next_attempt": run.attempts + 1, "max_attempts": max_retries + 1,
                    "retry_at": isoformat(utcnow() + timedelta(seconds=delay)), "last_error": last_error}
        session.execute(update(SyncRun).where(SyncRun.id == run.id, SyncRun.status == RUN_RUNNING).values(
            status=RUN_ENQUEUED, progress=progress, stats={**(run.stats or {}), "errors": errors},
            heartbeat_at=utcnow()))
        session.commit()
        return Retry(max=max_retries, interval=RETRY_INTERVALS)
    where = _stage_words(stage)
    if run.attempts > 1:
        final = f"TikTok kept failing{where} after {run.attempts} attempts: {detail}"
    else:
        final = f"TikTok returned a temporary error{where}: {detail}"
    _fail(session, run.id, code, final, stage=stage or "run")
    return None


def _apply_result(session: Session, run: SyncRun, binding: Binding, result: Any, catalog: TaskCatalog | None,
                  log: logging.LoggerAdapter) -> Retry | None:
    status = result.status
    errors = [dict(e) for e in (result.errors or [])]
    codes = {str(e.get("code")) for e in errors}
    if status == RUN_FAILED and codes & TOKEN_INVALID_CODES:
        _invalidate_binding(session, binding.id, "TikTok rejected the access token; reconnect the account.")
        return _fail_result(session, run, result, errors, "TOKEN_INVALID", "The access token is no longer valid.")
    if status == RUN_FAILED and errors and codes <= TRANSIENT_CODES:
        first = errors[0]
        return _retry_or_fail(session, run, catalog, _code_name(first.get("code")), str(first.get("message") or ""),
                              log, stage=first.get("stage"), tiktok_code=first.get("code"))
    if status == RUN_FAILED:
        first = errors[0] if errors else {}
        return _fail_result(session, run, result, errors, _code_name(first.get("code")),
                            str(first.get("message") or "The sync failed."))
    summary = dict(result.summary or {})
    if status == RUN_PARTIAL:
        summary["partial"] = True
    processed = {"counts": result.counts, "summary": summary, "timings": result.timings}
    first = errors[0] if (errors and status == RUN_PARTIAL) else {}
    done = _finish(session, run.id, status if status in (RUN_SUCCESS, RUN_PARTIAL) else RUN_SUCCESS,
                   processed=processed, errors=errors,
                   error_code=_code_name(first.get("code")) if first else None,
                   error_message=first.get("message"))
    if done:
        binding = session.get(Binding, binding.id, populate_existing=True)
        binding.last_synced_at = utcnow()
        if binding.status == BINDING_INVALID:
            binding.status, binding.status_reason = BINDING_ACTIVE, None  # the token works again
        session.commit()
    log.info("finished %s", status)
    return None


def _fail_result(session: Session, run: SyncRun, result: Any, errors: list, code: str, message: str) -> None:
    processed = {"counts": result.counts, "summary": dict(result.summary or {}), "timings": result.timings}
    _finish(session, run.id, RUN_FAILED, error_code=code, error_message=message, processed=processed, errors=errors)
    return None


def run_job(session: Session, run_id: int) -> Any:
    job = get_current_job()
    log = RunLog(logger, {"job_id": job.id if job else None, "run_id": run_id})
    run = session.get(SyncRun, run_id)
    if run is None or run.status in RUN_FINAL_STATUSES:
        log.info("nothing to do (run %s)", "missing" if run is None else run.status)
        return None
    catalog = session.get(TaskCatalog, run.task_name)
    timeout = catalog.timeout_seconds if catalog else 1800
    binding = session.get(Binding, run.binding_id)
    if binding is None or binding.status == BINDING_REVOKED:
        _fail(session, run_id, "BINDING_REVOKED", "The binding was revoked or deleted.")
        return None
    task = TASKS.get(run.task_name)
    if task is None:
        _fail(session, run_id, "UNKNOWN_TASK", f"No task named {run.task_name!r}.")
        return None

    engine = db.engine
    progress = ProgressWriter(engine, run_id)
    lock = BindingLock(get_redis(), lock_prefix(), binding.id, run_id)
    waited = [False]

    def on_wait() -> None:
        if not waited[0]:
            log.info("waiting for the binding lock")
            waited[0] = True
        progress("waiting_for_lock", 0, 0)

    # Wait at most half the job timeout for another run of this binding to finish, then run.
    if not lock.acquire(max(1.0, timeout / 2), on_wait=on_wait):
        _fail(session, run_id, "LOCK_TIMEOUT", "Another run of this binding held the lock for too long.")
        return None
    heartbeat = Heartbeat(engine, run_id, lock, log)
    try:
        now = utcnow()
        session.execute(update(SyncRun).where(SyncRun.id == run_id).values(
            # started_at is the FIRST attempt's start: a retried run's duration covers all its attempts.
            status=RUN_RUNNING, started_at=func.coalesce(SyncRun.started_at, now), heartbeat_at=now,
            attempts=SyncRun.attempts + 1, error_code=None, error_message=None,
            progress={"phase": "starting", "done": 0, "total": 0}))
        session.commit()
        run = session.get(SyncRun, run_id, populate_existing=True)
        binding = session.get(Binding, binding.id, populate_existing=True)
        log.info("started %s (attempt %d)", run.task_name, run.attempts)
        heartbeat.start()
        result = task(session, run, binding, progress)
        session.commit()
        return _apply_result(session, run, binding, result, catalog, log)
    except TokenInvalidError as exc:
        log.warning("token invalid: %s", exc)
        session.rollback()
        _invalidate_binding(session, binding.id, f"TikTok rejected the access token (code {exc.code}).")
        _fail(session, run_id, "TOKEN_INVALID", "The access token is no longer valid; reconnect the account.",
              stage=exc.path or "run")
        return None
    except (RateLimitedError, TransientError) as exc:
        return _retry_or_fail(session, run, catalog, _error_code(exc), exc.message or str(exc), log,
                              stage=exc.path or None, tiktok_code=exc.code)
    except TikTokError as exc:
        log.warning("tiktok error: %s", exc)
        _fail(session, run_id, _error_code(exc), str(exc), stage=exc.path or "run")
        return None
    except RunFailedError as exc:
        _fail(session, run_id, exc.code, exc.message)
        return None
    except JobTimeoutException:
        log.warning("job timeout after %ss", timeout)
        _fail(session, run_id, "TIMEOUT", f"The run exceeded its {timeout} s timeout.")
        return None
    except Exception:  # noqa: BLE001 - the run must never stay `running`; details go to the worker log only
        log.exception("unexpected error")
        _fail(session, run_id, "INTERNAL_ERROR", f"Unexpected error in the worker (run {run_id}); see worker logs.")
        return None
    finally:
        heartbeat.stop()
        lock.release()
