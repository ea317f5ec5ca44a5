"""API area: platform administration of workspaces (platform admins only; no tenant data)."""

from __future__ import annotations

from flask import jsonify

from webapp import tenancy
from webapp.api import bp
from webapp.api.pagination import page_args, page_of
from webapp.api.schemas import PlatformWorkspaceOut, WorkspaceCreateRequest, WorkspaceOut
from webapp.api.validation import parse_body
from webapp.auth.permissions import platform_admin_required
from webapp.extensions import db


@bp.get("/platform/workspaces")
@platform_admin_required
def platform_workspaces_list():
    page, size = page_args()
    rows, total = tenancy.list_workspaces(db.session, page=page, page_size=size)
    items = [PlatformWorkspaceOut(id=w.id, name=w.name, company_code=w.company_code, member_count=count,
                                  created_at=w.created_at).model_dump(mode="json") for w, count in rows]
    return jsonify(page_of(items, page, size, total))


@bp.post("/platform/workspaces")
@platform_admin_required
def platform_workspaces_create():
    body = parse_body(WorkspaceCreateRequest)
    owner = tenancy.get_user_by_email(db.session, body.owner_email)
    workspace = tenancy.create_workspace(db.session, name=body.name, owner=owner)
    db.session.commit()
    return jsonify(WorkspaceOut.model_validate(workspace).dump()), 201
