"""API area: authentication — JSON login/logout/session for cookie clients (PRODUCT.md §1).

Failed logins are throttled per account and per IP (webapp/auth/throttle.py); a throttled attempt is
a 429 `RATE_LIMITED` envelope with Retry-After."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, session
from flask_login import current_user, login_user, logout_user

from webapp.api import bp
from webapp.api.schemas import LoginRequest, SessionOut, UserOut, workspace_roles
from webapp.api.validation import parse_body
from webapp.auth import sessions
from webapp.auth.permissions import login_required
from webapp.auth.throttle import login_throttled
from webapp.errors import AuthRequired, field_error
from webapp.extensions import client_ip, db
from webapp.models import User
from webapp.tenancy import workspaces_of


def session_payload(user: User, auth_method: str) -> dict[str, Any]:
    return SessionOut(user=UserOut.model_validate(user), workspaces=workspace_roles(workspaces_of(db.session, user.id)),
                      auth_method=auth_method).model_dump()


@bp.post("/auth/login")
@login_throttled
def auth_login():
    body = parse_body(LoginRequest)
    if not body.login:
        raise field_error("email", "email or username is required")
    if body.email and body.username:
        raise field_error("username", "send either email or username, not both")
    user = sessions.authenticate(db.session, body.login, body.password)
    if user is None:
        db.session.rollback()
        raise AuthRequired("INVALID_CREDENTIALS", "Invalid email/username or password.")
    key = current_app.config["SECRET_KEY"]
    if current_user.is_authenticated and g.get("auth_method") == "session":
        sessions.end_login_session(db.session, current_user._get_current_object(), key=key)
    sessions.start_login_session(db.session, user, key=key, max_age=current_app.config["SETTINGS"].COOKIE_MAX_AGE,
                                 ip=client_ip())
    db.session.commit()
    login_user(user, remember=body.remember)
    session.permanent = True  # the cookie carries Max-Age=COOKIE_MAX_AGE
    return jsonify(session_payload(user, "session"))


@bp.post("/auth/logout")
def auth_logout():
    """Ends the server-side login session, so a copy of the old cookie stops working. Idempotent."""
    if current_user.is_authenticated and g.get("auth_method") == "session":
        sessions.end_login_session(db.session, current_user._get_current_object(),
                                   key=current_app.config["SECRET_KEY"])
        db.session.commit()
    logout_user()
    return jsonify({"ok": True})


@bp.get("/auth/session")
@login_required
def auth_session():
    return jsonify(session_payload(current_user._get_current_object(), g.get("auth_method", "session")))
