"""Typed settings read from the environment (and `.env`), validated when the app is created.

Validation happens in `load_settings()`, never at import time, so a bad value stops start-up with a
message that names the variable instead of failing later in some request.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

DEFAULT_TTB_API_BASE_URL = "https://business-api.tiktok.com/open_api/v1.3"
DEFAULT_TTB_PORTAL_URL = "https://business-api.tiktok.com/portal"


class ConfigError(RuntimeError):
    """A configuration variable is missing or invalid; the message names it."""


def _package_version() -> str:
    from webapp import __version__

    return __version__


@dataclass(frozen=True)
class Settings:
    APP_VERSION: str = field(default_factory=_package_version)
    DATABASE_URL: str = ""
    REDIS_URL: str = "redis://127.0.0.1:6379/0"
    SECRET_KEY: str = ""
    CRYPTO_KEYS: tuple[str, ...] = ()
    COOKIE_NAME: str = "gmv_session"
    COOKIE_MAX_AGE: int = 604800
    COOKIE_SECURE: bool = True
    COOKIE_SAMESITE: str = "Lax"
    CORS_ORIGINS: tuple[str, ...] = ()
    TTB_API_BASE_URL: str = DEFAULT_TTB_API_BASE_URL
    TTB_PORTAL_URL: str = DEFAULT_TTB_PORTAL_URL
    TTB_QPS: float = 10.0
    TTB_HTTP_TIMEOUT: float = 15.0
    PRODUCT_SYNC_COOLDOWN_SECONDS: int = 900
    RQ_QUEUE: str = "gmv"
    # Not in the operator table but useful: relaxed mode for local runs (generated keys allowed).
    DEV_MODE: bool = False


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be a boolean (true/false), got {raw!r}")


def _parse_int(name: str, raw: str, *, minimum: int | None = None) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


def _parse_float(name: str, raw: str, *, minimum_exclusive: float = 0.0) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= minimum_exclusive:
        raise ConfigError(f"{name} must be > {minimum_exclusive}, got {value}")
    return value


def _parse_list(name: str, raw: str) -> tuple[str, ...]:
    raw = raw.strip()
    if not raw:
        return ()
    if raw.startswith("["):
        try:
            items = json.loads(raw)
        except json.JSONDecodeError:
            raise ConfigError(f"{name} is not a valid JSON list") from None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"{name} must be a JSON list of strings")
        return tuple(i.strip() for i in items if i.strip())
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _parse_url(name: str, raw: str) -> str:
    value = raw.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name} must be an http(s) URL, got {raw!r}")
    return value


def _parse_samesite(name: str, raw: str) -> str:
    value = raw.strip().capitalize()
    if value not in {"Lax", "Strict", "None"}:
        raise ConfigError(f"{name} must be one of lax, strict, none, got {raw!r}")
    return value


def _parse_crypto_keys(name: str, raw: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in raw.split(",") if k.strip())
    for key in keys:
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise ConfigError(f"{name} contains a value that is not a valid Fernet key") from None
    return keys


_PARSERS: dict[str, Any] = {
    "COOKIE_MAX_AGE": lambda n, r: _parse_int(n, r, minimum=60),
    "COOKIE_SECURE": _parse_bool,
    "COOKIE_SAMESITE": _parse_samesite,
    "CORS_ORIGINS": _parse_list,
    "TTB_API_BASE_URL": _parse_url,
    "TTB_PORTAL_URL": _parse_url,
    "TTB_QPS": _parse_float,
    "TTB_HTTP_TIMEOUT": _parse_float,
    "PRODUCT_SYNC_COOLDOWN_SECONDS": lambda n, r: _parse_int(n, r, minimum=0),
    "CRYPTO_KEYS": _parse_crypto_keys,
    "DEV_MODE": _parse_bool,
}


def read_environment() -> dict[str, str]:
    """The process environment layered over `.env` files (project root, then beside webapp/)."""
    merged: dict[str, str] = {}
    for candidate in (PACKAGE_DIR / ".env", PROJECT_ROOT / ".env"):
        if candidate.is_file():
            merged.update({k: v for k, v in dotenv_values(candidate).items() if v is not None})
    merged.update(os.environ)
    return merged


def _is_dev(env: Mapping[str, str], overrides: Mapping[str, Any]) -> bool:
    if overrides.get("TESTING") or overrides.get("DEV_MODE"):
        return True
    for name in ("FLASK_DEBUG", "GMV_DEMO", "DEV_MODE"):
        raw = env.get(name, "")
        if raw and raw.strip().lower() in {"1", "true", "yes", "on"}:
            return True
    return False


def _instance_secret(instance_dir: Path, filename: str, factory) -> str:
    """A key generated once into instance/ for demo and tests, so restarts keep sessions and data readable."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / filename
    if path.is_file():
        return path.read_text().strip()
    value = factory()
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def load_settings(overrides: Mapping[str, Any] | None = None, *, instance_dir: Path | None = None) -> Settings:
    """Build validated settings. `overrides` (used by tests) win over the environment."""
    overrides = dict(overrides or {})
    env = read_environment()
    dev = _is_dev(env, overrides)
    instance_dir = instance_dir or PROJECT_ROOT / "instance"
    values: dict[str, Any] = {}
    for f in fields(Settings):
        name = f.name
        if name in overrides:
            raw = overrides[name]
            if isinstance(raw, str) and name in _PARSERS:
                raw = _PARSERS[name](name, raw)
            elif isinstance(raw, list):
                raw = tuple(raw)
            values[name] = raw
        elif name in env and env[name] != "":
            parser = _PARSERS.get(name)
            values[name] = parser(name, env[name]) if parser else env[name].strip()
    values["DEV_MODE"] = dev

    if not values.get("DATABASE_URL"):
        instance_dir.mkdir(parents=True, exist_ok=True)
        values["DATABASE_URL"] = f"sqlite:///{instance_dir / 'gmv.db'}"
    if not values["DATABASE_URL"].startswith(("mysql", "mariadb", "sqlite")):
        raise ConfigError("DATABASE_URL must be a mysql+pymysql:// or sqlite:/// URL")
    if not str(values.get("REDIS_URL", "redis://")).startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("REDIS_URL must be a redis:// URL")
    if not values.get("SECRET_KEY"):
        if not dev:
            raise ConfigError("SECRET_KEY is required (set it in the environment or .env)")
        values["SECRET_KEY"] = _instance_secret(instance_dir, "secret_key", lambda: secrets.token_urlsafe(48))
    if not values.get("CRYPTO_KEYS"):
        if not dev:
            raise ConfigError("CRYPTO_KEYS is required (comma-separated Fernet keys)")
        values["CRYPTO_KEYS"] = (
            _instance_secret(instance_dir, "crypto_key", lambda: Fernet.generate_key().decode()),
        )
    if values.get("COOKIE_SAMESITE") == "None" and values.get("COOKIE_SECURE") is False:
        raise ConfigError("COOKIE_SAMESITE=none requires COOKIE_SECURE=true")
    return Settings(**values)


def flask_config(settings: Settings) -> dict[str, Any]:
    """Translate settings into Flask and extension configuration keys."""
    from datetime import timedelta

    engine_options: dict[str, Any] = {"pool_pre_ping": True}
    if settings.DATABASE_URL.startswith(("mysql", "mariadb")):
        # Below MariaDB's default wait_timeout (8 h) so idle pooled connections are never stale.
        engine_options["pool_recycle"] = 1800
    return {
        "SETTINGS": settings,
        "SECRET_KEY": settings.SECRET_KEY,
        "APP_VERSION": settings.APP_VERSION,
        "SQLALCHEMY_DATABASE_URI": settings.DATABASE_URL,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "SESSION_COOKIE_NAME": settings.COOKIE_NAME,
        "SESSION_COOKIE_SECURE": settings.COOKIE_SECURE,
        "SESSION_COOKIE_SAMESITE": settings.COOKIE_SAMESITE,
        "SESSION_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": timedelta(seconds=settings.COOKIE_MAX_AGE),
        "REMEMBER_COOKIE_NAME": f"{settings.COOKIE_NAME}_remember",
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=settings.COOKIE_MAX_AGE),
        "REMEMBER_COOKIE_SECURE": settings.COOKIE_SECURE,
        "REMEMBER_COOKIE_SAMESITE": settings.COOKIE_SAMESITE,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "RATELIMIT_STORAGE_URI": settings.REDIS_URL,
        "RATELIMIT_HEADERS_ENABLED": True,
        "REDIS_URL": settings.REDIS_URL,
        "RQ_QUEUE": settings.RQ_QUEUE,
    }
