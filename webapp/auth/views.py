"""Pages: login and logout.

Failed logins (answered 401) are throttled by webapp/auth/throttle.py with the same shared budget as the
JSON login, so the form and the API together allow 5 failures per 15 minutes per account and 20 per IP.
Once a limit is reached every attempt, right password or not, gets the login page with an inline 429."""

from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from webapp.auth import sessions
from webapp.auth.throttle import login_throttled
from webapp.extensions import client_ip, db, limiter
from webapp.forms import LoginForm

bp = Blueprint("auth", __name__)

INVALID_CREDENTIALS = "Invalid email or password."
TOO_MANY_ATTEMPTS = "Too many failed attempts. Try again in {wait}."


def lockout_message() -> str:
    """The lockout sentence with the wait rounded up to whole minutes (the same window Retry-After reports)."""
    current = limiter.current_limit
    seconds = max(current.reset_at - time.time(), 0) if current is not None else 15 * 60
    minutes = max(1, math.ceil((seconds - 1) / 60))  # reset_at is rounded up a second: 900.4 s is "15 minutes"
    return TOO_MANY_ATTEMPTS.format(wait=f"{minutes} minute" if minutes == 1 else f"{minutes} minutes")


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site (no scheme, no host, no `//` or backslash tricks), else None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.get("/login")
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("workspaces.index"))
    return render_template("auth/login.html", form=LoginForm(), next=safe_next(request.args.get("next")))


@bp.post("/login")
@login_throttled
def login_post():
    form = LoginForm()
    next_url = safe_next(request.form.get("next") or request.args.get("next"))
    if not form.validate():
        return render_template("auth/login.html", form=form, next=next_url), 422
    user = sessions.authenticate(db.session, form.email.data, form.password.data or "")
    if user is None:
        db.session.rollback()
        return render_template("auth/login.html", form=form, next=next_url, error=INVALID_CREDENTIALS), 401
    key = current_app.config["SECRET_KEY"]
    if current_user.is_authenticated:  # logging in again replaces the old server-side session
        sessions.end_login_session(db.session, current_user._get_current_object(), key=key)
    sessions.start_login_session(db.session, user, key=key, max_age=current_app.config["SETTINGS"].COOKIE_MAX_AGE,
                                 ip=client_ip())
    db.session.commit()
    login_user(user, remember=bool(form.remember.data))
    session.permanent = True
    return redirect(next_url or url_for("workspaces.index"))


@bp.errorhandler(429)
def _too_many_attempts(_error):
    # Blueprint handlers win over the app's generic HTTPException page, so the user stays on the form.
    form = LoginForm()
    form.password.data = None
    return render_template("auth/login.html", form=form, error=lockout_message(),
                           next=safe_next(request.form.get("next"))), 429


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        sessions.end_login_session(db.session, current_user, key=current_app.config["SECRET_KEY"])
        db.session.commit()
        logout_user()
        flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
