"""Login throttling (PRODUCT.md §1) with Flask-Limiter on Redis.

Only failed attempts count (`deduct_when`: the response is a 401), once per account and once per
client IP. A locked account answers 429 even to the right password until its window passes, while
successful logins never use up the budget. The limits are *shared* (fixed scopes), so every login
view decorated with `login_throttled` — the JSON login and the login page — counts against the same
budget; a page view must answer a failed login with status 401 for it to count."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import current_app, request
from flask.wrappers import Response

from webapp.extensions import client_ip, limiter

# Overridable per app through app.config (LOGIN_LIMIT_ACCOUNT / LOGIN_LIMIT_IP).
DEFAULT_LOGIN_LIMIT_ACCOUNT = "5 per 15 minutes"
DEFAULT_LOGIN_LIMIT_IP = "20 per 15 minutes"


def _account_limit() -> str:
    return current_app.config.get("LOGIN_LIMIT_ACCOUNT", DEFAULT_LOGIN_LIMIT_ACCOUNT)


def _ip_limit() -> str:
    return current_app.config.get("LOGIN_LIMIT_IP", DEFAULT_LOGIN_LIMIT_IP)


def account_key() -> str:
    """The normalized email/username of the attempt. Runs before the view, so it reads leniently."""
    payload = request.get_json(silent=True) if request.is_json else request.form
    login = ""
    if hasattr(payload, "get"):  # a JSON object or a form
        raw = payload.get("email") or payload.get("username")
        if isinstance(raw, str):
            login = raw.strip().lower()
    # Hashed so an arbitrarily long "email" cannot make an arbitrarily long Redis key.
    return "account:" + hashlib.sha256(login.encode()).hexdigest()


def ip_key() -> str:
    return f"ip:{client_ip()}"


def login_failed(response: Response) -> bool:
    return response.status_code == 401


_per_account = limiter.shared_limit(_account_limit, scope="login-account", key_func=account_key,
                                    deduct_when=login_failed)
_per_ip = limiter.shared_limit(_ip_limit, scope="login-ip", key_func=ip_key, deduct_when=login_failed)


def login_throttled(view: Callable) -> Callable:
    """Apply both login throttles to a login view (below its route decorator)."""
    return _per_account(_per_ip(view))
