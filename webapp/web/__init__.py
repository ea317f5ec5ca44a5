"""Server-rendered pages. Each area module owns one blueprint named `bp`."""

from __future__ import annotations

from importlib import import_module

from flask import Flask

AREAS = ("webapp.auth.views", "webapp.web.health", "webapp.web.workspaces", "webapp.web.members",
         "webapp.web.tokens", "webapp.web.platform", "webapp.web.accounts", "webapp.web.oauth", "webapp.web.runs",
         "webapp.web.bindings", "webapp.web.provider_apps")


def register_web(app: Flask) -> None:
    from webapp.web.context import init_app as init_context

    init_context(app)
    for dotted in AREAS:
        app.register_blueprint(import_module(dotted).bp)
