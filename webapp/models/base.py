"""Declarative base, shared column helpers and the workspace-scoped lookup."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Naive UTC: MariaDB DATETIME carries no zone, so every stored time is UTC by convention."""
    return datetime.now(UTC).replace(tzinfo=None)


def isoformat(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)


ModelT = TypeVar("ModelT", bound="WorkspaceScoped")


class WorkspaceScoped:
    """Rows that belong to one workspace. Lookups go through `get_for_workspace_or_404` so a row of
    another workspace is indistinguishable from a missing one."""

    @declared_attr
    def workspace_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(Integer, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False)

    @classmethod
    def get_for_workspace(cls: type[ModelT], session: Session, workspace_id: int, row_id: Any) -> ModelT | None:
        try:
            row_id = int(row_id)
        except (TypeError, ValueError):
            return None
        stmt = select(cls).where(cls.id == row_id, cls.workspace_id == workspace_id)  # type: ignore[attr-defined]
        return session.execute(stmt).scalar_one_or_none()

    @classmethod
    def get_for_workspace_or_404(
        cls: type[ModelT], session: Session, workspace_id: int, row_id: Any, *, code: str = "NOT_FOUND",
        message: str | None = None,
    ) -> ModelT:
        row = cls.get_for_workspace(session, workspace_id, row_id)
        if row is None:
            from webapp.errors import NotFound

            raise NotFound(code, message or f"{cls.__name__} not found.")
        return row
