"""Pages: workspace members. Everyone in the workspace reads the list; admins add, change roles, remove."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp import tenancy
from webapp.auth.permissions import workspace_required
from webapp.errors import AppError, ValidationFailed
from webapp.extensions import db
from webapp.forms import CHOOSE_ROLE, AddMemberForm, ChangeRoleForm
from webapp.models import Membership, User

bp = Blueprint("members", __name__)

INLINE_STATUSES = (404, 409, 422)  # unknown email, already a member, bad input: shown on the form


def _members(wid: int) -> list[tuple[Membership, User]]:
    rows = db.session.execute(
        select(Membership, User).join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == wid).order_by(User.email)
    ).all()
    order = {"owner": 0, "admin": 1, "member": 2}
    return sorted(((m, u) for m, u in rows), key=lambda row: order.get(row[0].role, 3))


def _page(wid: int, form: AddMemberForm | None = None, *, row_errors: dict[int, str] | None = None,
          status: int = 200):
    return render_template("members/index.html", workspace=g.workspace, membership=g.membership,
                           members=_members(wid), form=form or AddMemberForm(), role_choices=tenancy.ASSIGNABLE_ROLES,
                           row_errors=row_errors or {}), status


@bp.get("/w/<int:wid>/members")
@workspace_required()
def index(wid: int):
    return _page(wid)


@bp.post("/w/<int:wid>/members")
@workspace_required(role="admin")
def add(wid: int):
    form = AddMemberForm()
    if not form.validate():
        return _page(wid, form, status=422)
    try:
        membership = tenancy.add_member(db.session, wid, email=form.email.data, role=form.role.data)
    except AppError as error:
        db.session.rollback()
        if error.status not in INLINE_STATUSES:
            raise
        form.apply_error(error, "email")
        return _page(wid, form, status=error.status)
    db.session.commit()
    flash(f"{membership.user.email} added as {membership.role.capitalize()}.", "success")
    return redirect(url_for("members.index", wid=wid))


@bp.post("/w/<int:wid>/members/<int:user_id>/role")
@workspace_required(role="admin")
def change_role(wid: int, user_id: int):
    form = ChangeRoleForm()
    try:
        if not form.validate():
            raise ValidationFailed(message=CHOOSE_ROLE)
        tenancy.change_role(db.session, wid, user_id, role=form.role.data, actor_role=g.membership.role)
    except ValidationFailed as error:
        db.session.rollback()
        return _page(wid, row_errors={user_id: error.message}, status=422)
    db.session.commit()
    flash("Role updated.", "success")
    return redirect(url_for("members.index", wid=wid))


@bp.post("/w/<int:wid>/members/<int:user_id>/remove")
@workspace_required(role="admin")
def remove(wid: int, user_id: int):
    tenancy.remove_member(db.session, wid, user_id)
    db.session.commit()
    if user_id == current_user.id:
        flash("You left the workspace.", "info")
        return redirect(url_for("workspaces.index"))
    flash("Member removed.", "success")
    return redirect(url_for("members.index", wid=wid))
