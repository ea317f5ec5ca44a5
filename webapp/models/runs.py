"""Task catalog, schedules and sync runs. The run row is the source of truth for a run's status;
the RQ job is an implementation detail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base, TimestampMixin, WorkspaceScoped

TASK_SYNC_META = "ttb.sync.meta"
TASK_SYNC_PRODUCTS = "ttb.sync.products"

RUN_ENQUEUED = "enqueued"
RUN_RUNNING = "running"
RUN_SUCCESS = "success"
RUN_PARTIAL = "partial"
RUN_FAILED = "failed"
RUN_ACTIVE_STATUSES = (RUN_ENQUEUED, RUN_RUNNING)
RUN_FINAL_STATUSES = (RUN_SUCCESS, RUN_PARTIAL, RUN_FAILED)


class TaskCatalog(TimestampMixin, Base):
    __tablename__ = "task_catalog"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(String(255), default="", nullable=False)
    default_queue: Mapped[str] = mapped_column(String(64), default="default", nullable=False)
    timeout_seconds: Mapped[int] = mapped_column(Integer, default=1800, nullable=False)
    max_retries: Mapped[int] = mapped_column(Integer, default=2, nullable=False)
    params_schema: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    tenant_visible: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)


class Schedule(WorkspaceScoped, TimestampMixin, Base):
    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    binding_id: Mapped[int | None] = mapped_column(ForeignKey("bindings.id", ondelete="CASCADE"), index=True)
    task_name: Mapped[str] = mapped_column(ForeignKey("task_catalog.name"), nullable=False)
    name: Mapped[str] = mapped_column(String(120), default="", nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # interval | crontab | oneoff
    interval_seconds: Mapped[int | None] = mapped_column(Integer)
    crontab: Mapped[str | None] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", nullable=False)
    run_at: Mapped[datetime | None] = mapped_column(DateTime)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    next_fire_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    last_fired_at: Mapped[datetime | None] = mapped_column(DateTime)
    misfire_grace_seconds: Mapped[int] = mapped_column(Integer, default=300, nullable=False)
    jitter_seconds: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SyncRun(WorkspaceScoped, Base):
    __tablename__ = "sync_runs"
    __table_args__ = (
        Index("ix_sync_runs_idempotency", "workspace_id", "task_name", "idempotency_key"),
        Index("ix_sync_runs_binding_created", "binding_id", "created_at"),
        Index("ix_sync_runs_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    binding_id: Mapped[int] = mapped_column(ForeignKey("bindings.id", ondelete="CASCADE"), nullable=False)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="SET NULL"))
    task_name: Mapped[str] = mapped_column(String(64), nullable=False)
    scope: Mapped[str] = mapped_column(String(16), nullable=False)
    mode: Mapped[str] = mapped_column(String(16), default="full", nullable=False)
    advertiser_id: Mapped[str | None] = mapped_column(String(32))
    store_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=RUN_ENQUEUED, nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    job_id: Mapped[str | None] = mapped_column(String(128))
    scheduled_for: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    enqueued_at: Mapped[datetime | None] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON)
