"""API area: the account-scoped metadata mirror lists (business centers, advertisers, stores)."""

from __future__ import annotations

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field

from webapp.api import bp
from webapp.api._accounts import account_binding
from webapp.api.validation import parse_query
from webapp.auth.permissions import workspace_required
from webapp.extensions import db
from webapp.providers.tiktok_business import mirror

ACCOUNT = "/tenants/<int:wid>/providers/<provider>/accounts/<auth_id>"


class _ListQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    q: str | None = Field(default=None, max_length=200)
    sort: str | None = Field(default=None, max_length=40)


class AdvertiserQuery(_ListQuery):
    owner_bc_id: str | None = Field(default=None, max_length=32)


class StoreQuery(_ListQuery):
    advertiser_id: str | None = Field(default=None, max_length=32)


@bp.get(f"{ACCOUNT}/business-centers")
@workspace_required("member")
def mirror_business_centers(wid: int, provider: str, auth_id: str):
    binding = account_binding(wid, provider, auth_id)
    args = parse_query(_ListQuery)
    return jsonify(items=mirror.business_center_items(db.session, binding.id, q=args.q, sort=args.sort))


@bp.get(f"{ACCOUNT}/advertisers")
@workspace_required("member")
def mirror_advertisers(wid: int, provider: str, auth_id: str):
    binding = account_binding(wid, provider, auth_id)
    args = parse_query(AdvertiserQuery)
    items = mirror.advertiser_items(db.session, binding.id, owner_bc_id=args.owner_bc_id, q=args.q, sort=args.sort)
    return jsonify(items=items)


@bp.get(f"{ACCOUNT}/stores")
@workspace_required("member")
def mirror_stores(wid: int, provider: str, auth_id: str):
    binding = account_binding(wid, provider, auth_id)
    args = parse_query(StoreQuery)
    items = mirror.store_items(db.session, binding.id, advertiser_id=args.advertiser_id, q=args.q, sort=args.sort)
    return jsonify(items=items)
