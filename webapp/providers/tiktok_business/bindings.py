"""Binding queries, counts and serializers shared by the API, the pages and other areas.

A binding (`auth_id`) belongs to one workspace; every lookup goes through `get_binding_or_404`, so a
binding of another workspace is indistinguishable from a missing one (404 BINDING_NOT_FOUND)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from webapp.errors import NotFound
from webapp.models import Advertiser, Binding, ProviderApp, Store, isoformat
from webapp.models.providers import PROVIDER_TIKTOK_BUSINESS

# URL spellings of the one provider we support (PRODUCT.md §4).
PROVIDER_ALIASES = {"tiktok-business": PROVIDER_TIKTOK_BUSINESS, "tiktok_business": PROVIDER_TIKTOK_BUSINESS}


def normalize_provider(provider: str) -> str:
    """`tiktok-business` / `tiktok_business` → the canonical name; anything else → 404 PROVIDER_NOT_SUPPORTED."""
    canonical = PROVIDER_ALIASES.get((provider or "").lower())
    if canonical is None:
        raise NotFound("PROVIDER_NOT_SUPPORTED", f"Provider '{provider}' is not supported; use 'tiktok-business'.")
    return canonical


def get_binding_or_404(session: Session, workspace_id: int, auth_id: Any) -> Binding:
    return Binding.get_for_workspace_or_404(session, workspace_id, auth_id, code="BINDING_NOT_FOUND",
                                            message="Binding not found.")


def bindings_query(workspace_id: int, provider: str | None = None) -> Select:
    stmt = select(Binding).where(Binding.workspace_id == workspace_id).order_by(Binding.id)
    if provider is not None:
        stmt = stmt.where(Binding.provider == provider)
    return stmt


def list_bindings(session: Session, workspace_id: int) -> list[Binding]:
    return list(session.execute(bindings_query(workspace_id)).scalars())


@dataclass(frozen=True)
class MirrorCounts:
    advertisers: int = 0
    stores: int = 0


def mirror_counts(session: Session, binding_ids: list[int]) -> dict[int, MirrorCounts]:
    """Live (not removed) advertiser and store counts per binding, two grouped queries for a page."""
    if not binding_ids:
        return {}

    def grouped(model: type[Advertiser] | type[Store]) -> dict[int, int]:
        rows = session.execute(
            select(model.binding_id, func.count(model.id))
            .where(model.binding_id.in_(binding_ids), model.removed_at.is_(None))
            .group_by(model.binding_id)
        )
        return {binding_id: count for binding_id, count in rows}

    advertisers, stores = grouped(Advertiser), grouped(Store)
    return {bid: MirrorCounts(advertisers.get(bid, 0), stores.get(bid, 0)) for bid in binding_ids}


def serialize_provider_row(binding: Binding) -> dict[str, Any]:
    """Row of GET /providers."""
    return {"provider": binding.provider, "auth_id": binding.id, "label": binding.label, "status": binding.status}


def serialize_account(binding: Binding, counts: MirrorCounts | None = None) -> dict[str, Any]:
    """Row of GET /providers/{provider}/accounts."""
    counts = counts or MirrorCounts()
    return {
        "auth_id": binding.id,
        "label": binding.label,
        "status": binding.status,
        "created_at": isoformat(binding.created_at),
        "last_synced_at": isoformat(binding.last_synced_at),
        "advertiser_count": counts.advertisers,
        "store_count": counts.stores,
    }


def serialize_binding(binding: Binding, app: ProviderApp | None = None) -> dict[str, Any]:
    """Row of the admin bindings list. Never includes the token or its fingerprint."""
    app = app or binding.provider_app
    return {
        "auth_id": binding.id,
        "provider": binding.provider,
        "alias": binding.alias,
        "label": binding.label,
        "status": binding.status,
        "status_reason": binding.status_reason,
        "provider_app_id": binding.provider_app_id,
        "app_id": app.app_id if app is not None else None,
        "advertiser_ids": list(binding.advertiser_ids or []),
        "scope": list(binding.scope or []),
        "created_at": isoformat(binding.created_at),
        "updated_at": isoformat(binding.updated_at),
        "last_synced_at": isoformat(binding.last_synced_at),
        "revoked_at": isoformat(binding.revoked_at),
    }


def account_page(session: Session, stmt: Select, page: int, size: int) -> tuple[list[Binding], int]:
    total = session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    rows = list(session.execute(stmt.limit(size).offset((page - 1) * size)).scalars())
    return rows, total


@dataclass
class BindingRow:
    """What the workspace home shows per binding."""

    binding: Binding
    counts: MirrorCounts
    app: ProviderApp | None

    @property
    def auth_id(self) -> int:
        return self.binding.id


def binding_rows(session: Session, workspace_id: int) -> list[BindingRow]:
    bindings = list_bindings(session, workspace_id)
    counts = mirror_counts(session, [b.id for b in bindings])
    apps = {a.id: a for a in session.execute(select(ProviderApp)).scalars()} if bindings else {}
    return [BindingRow(b, counts.get(b.id, MirrorCounts()), apps.get(b.provider_app_id)) for b in bindings]
