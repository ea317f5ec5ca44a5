"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from webapp.errors import ServiceUnavailable
from webapp.extensions import db, get_redis

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


def _migrations_at_head() -> bool:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(current_app.config["MIGRATIONS_DIR"]))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    current = {row[0] for row in db.session.execute(text("SELECT version_num FROM alembic_version"))}
    return current == heads


@bp.get("/readyz")
def readyz():
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
        checks["migrations"] = "ok" if _migrations_at_head() else "pending"
    except Exception:  # noqa: BLE001 - any failure means not ready
        db.session.rollback()
        checks.setdefault("database", "unreachable")
        checks.setdefault("migrations", "unknown")
    try:
        get_redis().ping()
        checks["redis"] = "ok"
    except Exception:  # noqa: BLE001
        checks["redis"] = "unreachable"
    if any(v != "ok" for v in checks.values()):
        raise ServiceUnavailable(message="Service not ready.", data=checks)
    return jsonify({"status": "ready", "checks": checks})
