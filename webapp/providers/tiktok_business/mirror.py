"""Read side of the metadata mirror: queries and serializers for business centers, advertisers and
stores of one binding. Used by the JSON API (webapp/api/mirror.py) and by the account pages.

Removed rows (``removed_at`` set) are never returned. ``q`` is a case-insensitive substring match on
name or TikTok id; ``sort`` is a field name, ``-field`` for descending (allowed fields per entity in
the SORTS maps; an unknown one is a 422 VALIDATION_ERROR naming ``sort``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from webapp.errors import ValidationFailed
from webapp.models.base import isoformat
from webapp.models.ttb import Advertiser, AdvertiserStoreLink, BusinessCenter, Store

BC_SORTS = {"name": BusinessCenter.name, "bc_id": BusinessCenter.bc_id, "status": BusinessCenter.status}
ADVERTISER_SORTS = {"name": Advertiser.name, "advertiser_id": Advertiser.advertiser_id, "status": Advertiser.status,
                    "currency": Advertiser.currency, "country_code": Advertiser.country_code}
STORE_SORTS = {"name": Store.name, "store_id": Store.store_id, "store_code": Store.store_code,
               "store_status": Store.store_status}


def _order(stmt: Select, sort: str | None, sorts: dict[str, Any], id_col: Any) -> Select:
    key = (sort or "name").strip()
    desc = key.startswith("-")
    col = sorts.get(key.lstrip("-"))
    if col is None:
        allowed = ", ".join(sorted(sorts))
        raise ValidationFailed(message=f"sort must be one of {allowed} (prefix '-' for descending).",
                               data=[{"field": "sort", "message": f"must be one of {allowed}"}])
    primary = col.desc() if desc else col.asc()
    return stmt.order_by(primary, id_col.desc() if desc else id_col.asc())


def _search(stmt: Select, q: str | None, *cols: Any) -> Select:
    if not q or not q.strip():
        return stmt
    pattern = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return stmt.where(or_(*(func.lower(c).like(pattern, escape="\\") for c in cols)))


# ------------------------------------------------------------------ queries


def list_business_centers(session: Session, binding_id: int, q: str | None = None,
                          sort: str | None = None) -> list[BusinessCenter]:
    stmt = select(BusinessCenter).where(BusinessCenter.binding_id == binding_id, BusinessCenter.removed_at.is_(None))
    stmt = _search(stmt, q, BusinessCenter.name, BusinessCenter.bc_id)
    return list(session.execute(_order(stmt, sort, BC_SORTS, BusinessCenter.bc_id)).scalars())


def list_advertisers(session: Session, binding_id: int, owner_bc_id: str | None = None, q: str | None = None,
                     sort: str | None = None) -> list[Advertiser]:
    stmt = select(Advertiser).where(Advertiser.binding_id == binding_id, Advertiser.removed_at.is_(None))
    if owner_bc_id:
        stmt = stmt.where(Advertiser.owner_bc_id == owner_bc_id)
    stmt = _search(stmt, q, Advertiser.name, Advertiser.advertiser_id)
    return list(session.execute(_order(stmt, sort, ADVERTISER_SORTS, Advertiser.advertiser_id)).scalars())


def list_stores(session: Session, binding_id: int, advertiser_id: str | None = None, q: str | None = None,
                sort: str | None = None) -> list[Store]:
    """Live stores; with ``advertiser_id`` only those that advertiser reaches (a live link)."""
    stmt = select(Store).where(Store.binding_id == binding_id, Store.removed_at.is_(None))
    if advertiser_id:
        linked = select(AdvertiserStoreLink.store_id).where(
            AdvertiserStoreLink.binding_id == binding_id, AdvertiserStoreLink.advertiser_id == advertiser_id,
            AdvertiserStoreLink.removed_at.is_(None))
        stmt = stmt.where(Store.store_id.in_(linked))
    stmt = _search(stmt, q, Store.name, Store.store_id, Store.store_code)
    return list(session.execute(_order(stmt, sort, STORE_SORTS, Store.store_id)).scalars())


def store_advertiser_ids(session: Session, binding_id: int, store_ids: Iterable[str]) -> dict[str, list[str]]:
    """store_id -> ids of the live advertisers linked to it (sorted), in one query."""
    ids = sorted(set(store_ids))
    out: dict[str, list[str]] = {sid: [] for sid in ids}
    if not ids:
        return out
    stmt = (
        select(AdvertiserStoreLink.store_id, AdvertiserStoreLink.advertiser_id)
        .join(Advertiser, (Advertiser.binding_id == AdvertiserStoreLink.binding_id)
              & (Advertiser.advertiser_id == AdvertiserStoreLink.advertiser_id))
        .where(AdvertiserStoreLink.binding_id == binding_id, AdvertiserStoreLink.removed_at.is_(None),
               Advertiser.removed_at.is_(None), AdvertiserStoreLink.store_id.in_(ids))
        .order_by(AdvertiserStoreLink.store_id, AdvertiserStoreLink.advertiser_id)
    )
    for store_id, advertiser_id in session.execute(stmt):
        out[store_id].append(advertiser_id)
    return out


# ------------------------------------------------------------------ serializers


def serialize_business_center(bc: BusinessCenter) -> dict[str, Any]:
    return {
        "bc_id": bc.bc_id, "name": bc.name, "company": bc.company, "currency": bc.currency,
        "registered_area": bc.registered_area, "status": bc.status, "timezone": bc.timezone, "type": bc.type,
        "user_role": bc.user_role, "last_seen_at": isoformat(bc.last_seen_at),
    }


def serialize_advertiser(adv: Advertiser) -> dict[str, Any]:
    return {
        "advertiser_id": adv.advertiser_id, "name": adv.name, "status": adv.status, "currency": adv.currency,
        "timezone": adv.timezone, "display_timezone": adv.display_timezone, "country_code": adv.country_code,
        "industry": adv.industry, "company": adv.company, "bc_id": adv.owner_bc_id, "owner_bc_id": adv.owner_bc_id,
        "last_seen_at": isoformat(adv.last_seen_at),
    }


def serialize_store(store: Store, advertiser_ids: list[str] | None = None) -> dict[str, Any]:
    return {
        "store_id": store.store_id, "name": store.name, "store_type": store.store_type,
        "store_code": store.store_code, "store_authorized_bc_id": store.store_authorized_bc_id,
        "targeting_region_codes": list(store.targeting_region_codes or []),
        "advertiser_ids": list(advertiser_ids or []),
        "is_gmv_max_available": store.is_gmv_max_available, "store_status": store.store_status,
        "exclusive_advertiser_id": store.exclusive_advertiser_id, "thumbnail_url": store.thumbnail_url,
        "last_seen_at": isoformat(store.last_seen_at),
    }


# ------------------------------------------------------------------ ready-made item lists


def business_center_items(session: Session, binding_id: int, q: str | None = None,
                          sort: str | None = None) -> list[dict[str, Any]]:
    return [serialize_business_center(b) for b in list_business_centers(session, binding_id, q=q, sort=sort)]


def advertiser_items(session: Session, binding_id: int, owner_bc_id: str | None = None, q: str | None = None,
                     sort: str | None = None) -> list[dict[str, Any]]:
    rows = list_advertisers(session, binding_id, owner_bc_id=owner_bc_id, q=q, sort=sort)
    return [serialize_advertiser(a) for a in rows]


def store_items(session: Session, binding_id: int, advertiser_id: str | None = None, q: str | None = None,
                sort: str | None = None) -> list[dict[str, Any]]:
    rows = list_stores(session, binding_id, advertiser_id=advertiser_id, q=q, sort=sort)
    links = store_advertiser_ids(session, binding_id, (s.store_id for s in rows))
    return [serialize_store(s, links.get(s.store_id)) for s in rows]
