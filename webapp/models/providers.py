"""TikTok developer apps (platform level), bindings (authorized accounts) and OAuth states."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Base, TimestampMixin, WorkspaceScoped
from webapp.security.crypto import EncryptedText

PROVIDER_TIKTOK_BUSINESS = "tiktok-business"

BINDING_ACTIVE = "active"
BINDING_INVALID = "invalid"
BINDING_REVOKED = "revoked"


class ProviderApp(TimestampMixin, Base):
    __tablename__ = "provider_apps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32), default=PROVIDER_TIKTOK_BUSINESS, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    app_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    secret: Mapped[str] = mapped_column(EncryptedText, nullable=False)
    redirect_uri: Mapped[str] = mapped_column(String(512), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)


class Binding(WorkspaceScoped, TimestampMixin, Base):
    """An authorized TikTok Business account in a workspace (`auth_id` in URLs is this id)."""

    __tablename__ = "bindings"
    __table_args__ = (UniqueConstraint("workspace_id", "provider_app_id", "token_fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32), default=PROVIDER_TIKTOK_BUSINESS, nullable=False)
    provider_app_id: Mapped[int] = mapped_column(ForeignKey("provider_apps.id"), index=True, nullable=False)
    alias: Mapped[str | None] = mapped_column(String(120), nullable=True)
    access_token: Mapped[str] = mapped_column(EncryptedText, nullable=False)
    token_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    scope: Mapped[list[Any]] = mapped_column(JSON, default=list, nullable=False)
    advertiser_ids: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    status: Mapped[str] = mapped_column(String(16), default=BINDING_ACTIVE, nullable=False)
    status_reason: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    last_synced_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    provider_app: Mapped[ProviderApp] = relationship()

    @property
    def label(self) -> str:
        return self.alias or f"TikTok Business #{self.id}"


class OAuthState(WorkspaceScoped, Base):
    """A pending authorization: random, single use, one hour, tied to a workspace and user."""

    __tablename__ = "oauth_states"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    provider_app_id: Mapped[int] = mapped_column(ForeignKey("provider_apps.id", ondelete="CASCADE"), nullable=False)
    alias: Mapped[str | None] = mapped_column(String(120), nullable=True)
    return_to: Mapped[str | None] = mapped_column(String(512), nullable=True)
    # Set by "Reconnect": the callback re-keys this binding instead of creating a new one.
    binding_id: Mapped[int | None] = mapped_column(ForeignKey("bindings.id", ondelete="CASCADE"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
