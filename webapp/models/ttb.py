"""The mirror of one binding's TikTok metadata: business centers, advertisers, stores, products
and the links between them. Every row is keyed by (binding_id, TikTok id); `removed_at` marks an
entity that a complete listing no longer returned (it is hidden, and revived if TikTok lists it again)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base, TimestampMixin, WorkspaceScoped


class _Mirrored(WorkspaceScoped, TimestampMixin):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    binding_id: Mapped[int] = mapped_column(ForeignKey("bindings.id", ondelete="CASCADE"), nullable=False)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class BusinessCenter(_Mirrored, Base):
    __tablename__ = "ttb_business_centers"
    __table_args__ = (UniqueConstraint("binding_id", "bc_id"),)

    bc_id: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str | None] = mapped_column(String(255))
    company: Mapped[str | None] = mapped_column(String(255))
    currency: Mapped[str | None] = mapped_column(String(8))
    registered_area: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str | None] = mapped_column(String(64))
    type: Mapped[str | None] = mapped_column(String(32))
    user_role: Mapped[str | None] = mapped_column(String(32))


class Advertiser(_Mirrored, Base):
    __tablename__ = "ttb_advertisers"
    __table_args__ = (UniqueConstraint("binding_id", "advertiser_id"),)

    advertiser_id: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str | None] = mapped_column(String(48))
    currency: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    display_timezone: Mapped[str | None] = mapped_column(String(64))
    country_code: Mapped[str | None] = mapped_column(String(8))
    industry: Mapped[str | None] = mapped_column(String(32))
    company: Mapped[str | None] = mapped_column(String(255))
    owner_bc_id: Mapped[str | None] = mapped_column(String(32))


class BcAdvertiserLink(_Mirrored, Base):
    __tablename__ = "ttb_bc_advertiser_links"
    # The second index serves lookups by advertiser (the sync's per-batch read, "BCs of this advertiser").
    __table_args__ = (UniqueConstraint("binding_id", "bc_id", "advertiser_id"),
                      Index("ix_ttb_bc_advertiser_links_binding_id_advertiser_id", "binding_id", "advertiser_id"))

    bc_id: Mapped[str] = mapped_column(String(32), nullable=False)
    advertiser_id: Mapped[str] = mapped_column(String(32), nullable=False)
    # OWNER|AUTHORIZER|PARTNER|UNKNOWN — how sync_meta infers them is documented in sync_meta.py.
    relation: Mapped[str] = mapped_column(String(16), default="UNKNOWN", nullable=False)


class Store(_Mirrored, Base):
    __tablename__ = "ttb_stores"
    __table_args__ = (UniqueConstraint("binding_id", "store_id"),)

    store_id: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str | None] = mapped_column(String(255))
    store_type: Mapped[str | None] = mapped_column(String(32))
    store_code: Mapped[str | None] = mapped_column(String(64))
    store_authorized_bc_id: Mapped[str | None] = mapped_column(String(32))
    targeting_region_codes: Mapped[list[str] | None] = mapped_column(JSON)
    store_status: Mapped[str | None] = mapped_column(String(32))
    is_gmv_max_available: Mapped[bool | None] = mapped_column(Boolean)
    exclusive_advertiser_id: Mapped[str | None] = mapped_column(String(32))
    thumbnail_url: Mapped[str | None] = mapped_column(String(1024))


class AdvertiserStoreLink(_Mirrored, Base):
    __tablename__ = "ttb_advertiser_store_links"
    __table_args__ = (UniqueConstraint("binding_id", "advertiser_id", "store_id"),)

    advertiser_id: Mapped[str] = mapped_column(String(32), nullable=False)
    store_id: Mapped[str] = mapped_column(String(32), nullable=False)
    store_authorized_bc_id: Mapped[str | None] = mapped_column(String(32))


class Product(_Mirrored, Base):
    __tablename__ = "ttb_products"
    __table_args__ = (UniqueConstraint("binding_id", "store_id", "item_group_id"),)

    store_id: Mapped[str] = mapped_column(String(32), nullable=False)
    item_group_id: Mapped[str] = mapped_column(String(32), nullable=False)
    title: Mapped[str | None] = mapped_column(String(512))
    product_image_url: Mapped[str | None] = mapped_column(String(1024))
    min_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    max_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    currency: Mapped[str | None] = mapped_column(String(8))
    historical_sales: Mapped[int | None] = mapped_column(BigInteger)
    category: Mapped[str | None] = mapped_column(String(512))
    status: Mapped[str | None] = mapped_column(String(32))
    gmv_max_ads_status: Mapped[str | None] = mapped_column(String(32))
    is_running_custom_shop_ads: Mapped[bool | None] = mapped_column(Boolean)


class ResourceRevision(Base):
    """A counter per (binding, resource) bumped by each sync that changed it; feeds the options ETag."""

    __tablename__ = "ttb_resource_revisions"

    binding_id: Mapped[int] = mapped_column(ForeignKey("bindings.id", ondelete="CASCADE"), primary_key=True)
    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
