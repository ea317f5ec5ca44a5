"""API area: meta — facts about the running service."""

from __future__ import annotations

from flask import current_app, jsonify

from webapp.api import bp
from webapp.api.schemas import MetaOut


@bp.get("/meta")
def meta_info():
    return jsonify(MetaOut(app_version=current_app.config["APP_VERSION"]).model_dump())
