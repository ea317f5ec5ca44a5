"""Pages: platform admin — every workspace with its company code and member count; create a workspace."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy import func, select

from webapp import tenancy
from webapp.auth.permissions import platform_admin_required
from webapp.errors import AppError
from webapp.extensions import db
from webapp.forms import WorkspaceForm
from webapp.models import Membership, User, Workspace

bp = Blueprint("platform", __name__, url_prefix="/platform")


def _page(form: WorkspaceForm, status: int = 200):
    member_count = (select(func.count(Membership.id)).where(Membership.workspace_id == Workspace.id)
                    .correlate(Workspace).scalar_subquery())
    owner_email = (select(User.email).join(Membership, Membership.user_id == User.id)
                   .where(Membership.workspace_id == Workspace.id, Membership.role == "owner")
                   .correlate(Workspace).limit(1).scalar_subquery())
    rows = db.session.execute(
        select(Workspace, member_count, owner_email).order_by(Workspace.company_code)
    ).all()
    return render_template("platform/workspaces.html", form=form, rows=rows), status


@bp.get("/")
@platform_admin_required
def index():
    return redirect(url_for("platform.workspaces"))


@bp.get("/workspaces")
@platform_admin_required
def workspaces():
    return _page(WorkspaceForm())


@bp.post("/workspaces")
@platform_admin_required
def create_workspace():
    form = WorkspaceForm()
    if not form.validate():
        return _page(form, 422)
    try:
        owner = tenancy.get_user_by_email(db.session, form.owner_email.data)
        workspace = tenancy.create_workspace(db.session, name=form.name.data, owner=owner)
    except AppError as error:
        db.session.rollback()
        if error.status not in (404, 409, 422):
            raise
        form.apply_error(error, "owner_email" if error.code == "USER_NOT_FOUND" else "name")
        return _page(form, error.status)
    db.session.commit()
    flash(f"Workspace “{workspace.name}” created with company code {workspace.company_code}.", "success")
    return redirect(url_for("platform.workspaces"))


@bp.app_template_global()
def platform_sections() -> list[tuple[str, str]]:
    """(label, path) of each top-level platform admin page, for the tabs; provider apps pages register
    themselves under /platform/ in their own blueprint, so they are found rather than hard-coded."""
    from flask import current_app

    sections: dict[str, str] = {}
    for rule in current_app.url_map.iter_rules():
        parts = rule.rule.strip("/").split("/")
        if (len(parts) == 2 and parts[0] == "platform" and not rule.arguments and "GET" in (rule.methods or ())):
            sections.setdefault(rule.rule, parts[1].replace("-", " ").replace("_", " ").capitalize())
    ordered = sorted(sections.items(), key=lambda item: (item[0] != "/platform/workspaces", item[0]))
    return [(label, path) for path, label in ordered]
