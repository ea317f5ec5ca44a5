"""Pages: the current user's API tokens (create, shown once; list; revoke)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from webapp.auth import sessions
from webapp.auth.permissions import login_required
from webapp.extensions import db
from webapp.forms import TokenForm

bp = Blueprint("tokens", __name__)


def _page(form: TokenForm, status: int = 200):
    tokens = sessions.list_api_tokens(db.session, current_user.id)
    return render_template("tokens/index.html", form=form, tokens=tokens), status


@bp.get("/tokens")
@login_required
def index():
    return _page(TokenForm())


@bp.post("/tokens")
@login_required
def create():
    form = TokenForm()
    if not form.validate():
        return _page(form, 422)
    row, token = sessions.create_api_token(db.session, current_user, form.name.data.strip(),
                                           key=current_app.config["SECRET_KEY"])
    db.session.commit()
    # Rendered directly (never redirected through the session) so the token exists only in this response.
    response = current_app.make_response(render_template("tokens/created.html", row=row, token=token))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    row = sessions.revoke_api_token(db.session, current_user.id, token_id)
    db.session.commit()
    flash(f"Token “{row.name}” revoked.", "success")
    return redirect(url_for("tokens.index"))
