"""Session and remember cookies that carry `Max-Age` (PRODUCT.md §1), not only `Expires`.

Flask's cookie session and Flask-Login's remember cookie write just `Expires`; clients with a skewed
clock, and the contract, want `Max-Age=COOKIE_MAX_AGE`. Both are set before the response leaves, so
the attribute is added to the finished `Set-Cookie` headers rather than re-implementing either."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response


def add_max_age(response: Response, cookie_name: str, max_age: int) -> None:
    """Append `Max-Age` to the Set-Cookie header of `cookie_name` (deletions already carry Max-Age=0)."""
    values = response.headers.getlist("Set-Cookie")
    prefix = f"{cookie_name}="
    if not any(v.startswith(prefix) and "max-age=" not in v.lower() for v in values):
        return
    response.headers.remove("Set-Cookie")
    for value in values:
        if value.startswith(prefix) and "max-age=" not in value.lower():
            value = f"{value}; Max-Age={max_age}"
        response.headers.add("Set-Cookie", value)


class MaxAgeSessionInterface(SecureCookieSessionInterface):
    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Flask-Login sets the remember cookie in an after_request hook, which runs before this.
        super().save_session(app, session, response)
        if session.permanent:
            add_max_age(response, self.get_cookie_name(app), int(app.permanent_session_lifetime.total_seconds()))
        add_max_age(response, app.config["REMEMBER_COOKIE_NAME"],
                    int(app.config["REMEMBER_COOKIE_DURATION"].total_seconds()))
