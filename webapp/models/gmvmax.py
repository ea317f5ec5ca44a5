"""GMV Max workflow configuration: which BC / advertiser / store a binding is bound to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base, TimestampMixin, WorkspaceScoped


class BindingConfig(WorkspaceScoped, TimestampMixin, Base):
    __tablename__ = "gmvmax_binding_configs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    binding_id: Mapped[int] = mapped_column(ForeignKey("bindings.id", ondelete="CASCADE"), unique=True, nullable=False)
    bc_id: Mapped[str | None] = mapped_column(String(32))
    advertiser_id: Mapped[str | None] = mapped_column(String(32))
    store_id: Mapped[str | None] = mapped_column(String(32))
    auto_sync_products: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    auto_sync_interval_seconds: Mapped[int] = mapped_column(Integer, default=900, nullable=False)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="SET NULL"), nullable=True)
    last_manual_synced_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_manual_sync_summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_auto_synced_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_auto_sync_summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
