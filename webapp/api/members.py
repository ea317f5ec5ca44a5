"""API area: workspace members. Members may read the list; owners and admins manage it."""

from __future__ import annotations

from flask import g, jsonify

from webapp import tenancy
from webapp.api import bp
from webapp.api.pagination import paginate
from webapp.api.schemas import MemberAddRequest, MemberUpdateRequest, member_out
from webapp.api.validation import parse_body
from webapp.auth.permissions import workspace_required
from webapp.extensions import db


@bp.get("/tenants/<int:wid>/members")
@workspace_required("member")
def members_list(wid: int):
    return jsonify(paginate(db.session, tenancy.members_query(wid), member_out))


@bp.post("/tenants/<int:wid>/members")
@workspace_required("admin")
def members_add(wid: int):
    body = parse_body(MemberAddRequest)
    membership = tenancy.add_member(db.session, wid, email=body.email, role=body.role)
    db.session.commit()
    return jsonify(member_out(membership)), 201


@bp.patch("/tenants/<int:wid>/members/<int:user_id>")
@workspace_required("admin")
def members_update(wid: int, user_id: int):
    body = parse_body(MemberUpdateRequest)
    membership = tenancy.change_role(db.session, wid, user_id, role=body.role, actor_role=g.membership.role)
    db.session.commit()
    return jsonify(member_out(membership))


@bp.delete("/tenants/<int:wid>/members/<int:user_id>")
@workspace_required("admin")
def members_remove(wid: int, user_id: int):
    tenancy.remove_member(db.session, wid, user_id)
    db.session.commit()
    return "", 204
