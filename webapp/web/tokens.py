"""Pages: the current user's API tokens (create, shown once; list; revoke)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user

from webapp.auth import sessions
from webapp.auth.permissions import login_required
from webapp.extensions import db
from webapp.forms import TokenForm
from webapp.security import crypto

bp = Blueprint("tokens", __name__)

# Post-redirect-get: the new token waits in the session until the next GET shows it once, so a reload of
# that page shows nothing new and never creates a second token. The session cookie is only signed, so the
# token rides in it encrypted (CRYPTO_KEYS), never readable from the cookie.
NEW_TOKEN_KEY = "tokens.new"


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
    session[NEW_TOKEN_KEY] = {"name": row.name, "token": crypto.encrypt(token)}
    return redirect(url_for("tokens.created"), code=303)


@bp.get("/tokens/created")
@login_required
def created():
    new = session.pop(NEW_TOKEN_KEY, None)
    if not new:  # already shown (a reload, the back button): the token is gone for good
        flash("That token was already shown once; it cannot be shown again. Create a new one if you lost it.", "info")
        return redirect(url_for("tokens.index"))
    response = current_app.make_response(render_template("tokens/created.html", name=new["name"],
                                                                      token=crypto.decrypt(new["token"])))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    row = sessions.revoke_api_token(db.session, current_user.id, token_id)
    db.session.commit()
    flash(f"Token “{row.name}” revoked.", "success")
    return redirect(url_for("tokens.index"))
