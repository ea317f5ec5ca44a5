"""WSGI entry point: `gunicorn wsgi:app`, and FLASK_APP for the `flask` command."""

from webapp import create_app
from webapp.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # A one-line answer naming the variable, instead of a traceback, for operators and the CLI.
    raise SystemExit(f"Configuration error: {error}") from None
