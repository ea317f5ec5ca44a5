"""API area: providers — the workspace's bindings per provider (`/tenants/{wid}/providers...`).

Listing reads the database only; it never enqueues a sync."""

from __future__ import annotations

from flask import jsonify

from webapp.api import bp
from webapp.api.pagination import page_args, page_of
from webapp.auth.permissions import workspace_required
from webapp.extensions import db
from webapp.providers.tiktok_business import bindings as service


@bp.get("/tenants/<int:wid>/providers")
@workspace_required("member")
def providers_list(wid: int):
    page, size = page_args()
    rows, total = service.account_page(db.session, service.bindings_query(wid), page, size)
    return jsonify(page_of([service.serialize_provider_row(b) for b in rows], page, size, total))


@bp.get("/tenants/<int:wid>/providers/<provider>/accounts")
@workspace_required("member")
def providers_accounts(wid: int, provider: str):
    canonical = service.normalize_provider(provider)
    page, size = page_args()
    rows, total = service.account_page(db.session, service.bindings_query(wid, canonical), page, size)
    counts = service.mirror_counts(db.session, [b.id for b in rows])
    return jsonify(page_of([service.serialize_account(b, counts.get(b.id)) for b in rows], page, size, total))
