"""GMV Backend: the Flask application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from webapp.config import PROJECT_ROOT, flask_config, load_settings

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `config` overrides settings (tests pass DATABASE_URL, TESTING, ...)."""
    overrides = dict(config or {})
    settings = load_settings(overrides)
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"), instance_path=str(PROJECT_ROOT / "instance"))
    app.config.update(flask_config(settings))
    app.config["MIGRATIONS_DIR"] = PROJECT_ROOT / "migrations"
    app.config.update({k: v for k, v in overrides.items() if k.isupper() and not hasattr(settings, k)})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from webapp import cli, extensions
    from webapp.api import register_api
    from webapp.api.errors import register_error_handlers
    from webapp.auth import loading
    from webapp.security import crypto
    from webapp.web import register_web

    crypto.configure(settings.CRYPTO_KEYS)
    extensions.init_extensions(app)
    loading.init_app(app)
    register_error_handlers(app)
    register_api(app)
    register_web(app)
    cli.init_app(app)
    return app
