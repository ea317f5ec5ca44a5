"""How a request becomes a user: the session cookie (Flask-Login) or `Authorization: Bearer`."""

from __future__ import annotations

from flask import Flask, current_app, g, request

from webapp.auth import sessions
from webapp.extensions import db, login_manager


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


@login_manager.user_loader
def _load_from_session(raw_id: str):
    # An explicit Bearer header wins over any cookie sent along with it.
    if request and bearer_token():
        return None
    user = sessions.load_session_user(db.session, raw_id, key=current_app.config["SECRET_KEY"])
    if user is not None:
        g.auth_method = "session"
    return user


@login_manager.request_loader
def _load_from_bearer(_request):
    token = bearer_token()
    if not token or not request.path.startswith("/api/"):
        return None
    user = sessions.load_token_user(db.session, token, key=current_app.config["SECRET_KEY"])
    if user is not None:
        g.auth_method = "token"
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    from webapp.errors import AuthRequired

    raise AuthRequired()


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
