"""Extension singletons; each is bound to the app in create_app() via init_app()."""

from __future__ import annotations

import redis
from flask import Flask, current_app, request
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from webapp.auth.cookies import MaxAgeSessionInterface
from webapp.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
cors = CORS()
limiter = Limiter(key_func=get_remote_address, strategy="fixed-window")
talisman = Talisman()


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    # SQLite ignores ON DELETE CASCADE unless foreign keys are switched on per connection.
    if dbapi_connection.__class__.__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _render_migration_item(type_, obj, _autogen_context):
    # Encrypted columns are plain TEXT in the schema; migrations must not import app code.
    from webapp.security.crypto import EncryptedText

    if type_ == "type" and isinstance(obj, EncryptedText):
        return "sa.Text()"
    return False


def get_redis() -> redis.Redis:
    """The app's Redis connection (one client per app, created lazily)."""
    client = current_app.extensions.get("gmv_redis")
    if client is None:
        client = redis.Redis.from_url(current_app.config["REDIS_URL"])
        current_app.extensions["gmv_redis"] = client
    return client


def init_extensions(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.config["MIGRATIONS_DIR"]), render_as_batch=True,
                     compare_type=True, render_item=_render_migration_item)
    login_manager.init_app(app)
    app.session_interface = MaxAgeSessionInterface()  # Max-Age on the session/remember cookies
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    # Never "*" with credentials (PRODUCT.md §1): Flask-CORS would echo any Origin and allow cookies.
    wildcard = "*" in settings.CORS_ORIGINS
    cors.init_app(
        app,
        resources={r"/api/*": {"origins": "*" if wildcard else list(settings.CORS_ORIGINS)}},
        supports_credentials=not wildcard,
    )
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=False,
        session_cookie_secure=settings.COOKIE_SECURE,
        session_cookie_http_only=True,
        # Talisman overwrites SESSION_COOKIE_SAMESITE (default Lax); keep COOKIE_SAMESITE.
        session_cookie_samesite=settings.COOKIE_SAMESITE,
        content_security_policy={"default-src": "'self'", "img-src": ["'self'", "data:", "https:"]},
        frame_options="DENY",
        strict_transport_security=settings.COOKIE_SECURE,
        referrer_policy="same-origin",
    )


def client_ip() -> str:
    return request.remote_addr or "unknown"
