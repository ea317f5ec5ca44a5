"""Pages: the workspace switcher (`/`) and the workspace home (`/w/<wid>/`)."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for
from flask_login import current_user

from webapp.auth.permissions import login_required, workspace_required
from webapp.extensions import db
from webapp.tenancy import workspaces_of

bp = Blueprint("workspaces", __name__)


@bp.get("/")
@login_required
def index():
    workspaces = workspaces_of(db.session, current_user.id)
    if len(workspaces) == 1:
        return redirect(url_for("workspaces.home", wid=workspaces[0][0].id))
    return render_template("workspaces/index.html", workspaces=workspaces)


@bp.get("/w/<int:wid>/")
@workspace_required()
def home(wid: int):
    return render_template("workspaces/home.html", workspace=g.workspace, membership=g.membership)
