"""Template context shared by every page: the user's workspaces for the switcher, the app version."""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_login import current_user


def init_app(app: Flask) -> None:
    @app.context_processor
    def _inject():
        workspaces = []
        if current_user.is_authenticated:
            from webapp.extensions import db
            from webapp.tenancy import workspaces_of

            workspaces = workspaces_of(db.session, current_user.id)
        return {
            "app_version": current_app.config["APP_VERSION"],
            "user_workspaces": workspaces,
            "current_workspace": g.get("workspace"),
            "current_membership": g.get("membership"),
        }
