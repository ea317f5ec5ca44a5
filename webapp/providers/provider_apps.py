"""Provider apps: the TikTok developer apps (app_id + secret + redirect URI) bindings are made with.

Platform-level rows managed by platform admins. The secret is encrypted at rest (EncryptedText) and
never leaves this module in a serialized form: callers get `has_secret` at most."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.errors import Conflict, NotFound, ValidationFailed, field_error
from webapp.models import Binding, ProviderApp, isoformat
from webapp.models.providers import PROVIDER_TIKTOK_BUSINESS


def list_provider_apps(session: Session, *, enabled_only: bool = False) -> list[ProviderApp]:
    stmt = select(ProviderApp).order_by(ProviderApp.id)
    if enabled_only:
        stmt = stmt.where(ProviderApp.enabled.is_(True))
    return list(session.execute(stmt).scalars())


def get_provider_app_or_404(session: Session, provider_app_id: Any) -> ProviderApp:
    try:
        app = session.get(ProviderApp, int(provider_app_id))
    except (TypeError, ValueError):
        app = None
    if app is None:
        raise NotFound("PROVIDER_APP_NOT_FOUND", "Provider app not found.")
    return app


# Human names of the fields, for messages that read as full sentences on the page and in the API.
FIELD_NAMES = {"app_id": "app ID", "secret": "app secret", "redirect_uri": "redirect URI", "name": "name"}
APP_ID_MAX = 64


def _check(field: str, value: str | None, max_len: int, errors: list[dict[str, str]] | None = None) -> str:
    """Strip and check one field; with `errors`, collect the problem instead of raising (forms show all)."""
    value = (value or "").strip()
    what = FIELD_NAMES.get(field, field)
    problem = None
    if not value:
        problem = f"Enter the {what}."
    elif field == "app_id" and not (value.isascii() and value.isdigit() and len(value) <= APP_ID_MAX):
        # TikTok developer app ids are numbers (e.g. 7000000000000000001); a typo here only shows up at OAuth.
        problem = f"The app ID must be digits only (1–{APP_ID_MAX}), as shown in the TikTok developer portal."
    elif len(value) > max_len:
        problem = f"The {what} must be at most {max_len} characters."
    elif field == "redirect_uri" and not value.startswith(("http://", "https://")):
        problem = "The redirect URI must be an http:// or https:// URL."
    if problem:
        if errors is None:
            raise field_error(field, problem)
        errors.append({"field": field, "message": problem})
    return value


def create_provider_app(session: Session, *, app_id: str, secret: str, redirect_uri: str, name: str | None = None,
                        enabled: bool = True) -> ProviderApp:
    """Register a TikTok developer app. `app_id` is unique (409 PROVIDER_APP_EXISTS)."""
    errors: list[dict[str, str]] = []
    app_id = _check("app_id", app_id, APP_ID_MAX, errors)
    secret = _check("secret", secret, 512, errors)
    redirect_uri = _check("redirect_uri", redirect_uri, 512, errors)
    name = (name or "").strip() or f"TikTok app {app_id}"
    if len(name) > 120:
        errors.append({"field": "name", "message": "The name must be at most 120 characters."})
    if errors:
        raise ValidationFailed(message=" ".join(e["message"] for e in errors), data=errors)
    if session.execute(select(ProviderApp.id).where(ProviderApp.app_id == app_id)).first():
        raise Conflict("PROVIDER_APP_EXISTS", f"A provider app with App ID {app_id} already exists.")
    app = ProviderApp(provider=PROVIDER_TIKTOK_BUSINESS, name=name, app_id=app_id, secret=secret,
                      redirect_uri=redirect_uri, enabled=enabled)
    session.add(app)
    session.flush()
    return app


def update_provider_app(session: Session, provider_app_id: int, *, enabled: bool | None = None,
                        name: str | None = None, redirect_uri: str | None = None,
                        secret: str | None = None) -> ProviderApp:
    app = get_provider_app_or_404(session, provider_app_id)
    if enabled is not None:
        app.enabled = enabled
    if name is not None:
        app.name = _check("name", name, 120)
    if redirect_uri is not None:
        app.redirect_uri = _check("redirect_uri", redirect_uri, 512)
    if secret is not None:
        app.secret = _check("secret", secret, 512)
    session.flush()
    return app


def binding_count(session: Session, provider_app_id: int) -> int:
    return session.execute(
        select(func.count(Binding.id)).where(Binding.provider_app_id == provider_app_id)
    ).scalar_one()


def in_use_phrase(count: int) -> str:
    return "1 TikTok Business account uses" if count == 1 else f"{count} TikTok Business accounts use"


def delete_provider_app(session: Session, provider_app_id: int) -> None:
    """Delete an app nobody uses; while any binding (of any workspace) uses it → 409 APP_IN_USE."""
    app = get_provider_app_or_404(session, provider_app_id)
    in_use = binding_count(session, app.id)
    if in_use:
        # Revoked accounts still reference the app (they keep their mirror), so only deleting them frees it.
        raise Conflict("APP_IN_USE", f"{in_use_phrase(in_use)} this provider app. Delete "
                       f"{'that account' if in_use == 1 else 'those accounts'} first (each workspace's Manage page), "
                       "or disable the app instead.", data={"bindings": in_use})
    session.delete(app)
    session.flush()


def serialize_provider_app(app: ProviderApp, *, bindings: int | None = None) -> dict[str, Any]:
    """The public shape of a provider app: never the secret, only whether one is stored."""
    out: dict[str, Any] = {
        "id": app.id,
        "provider": app.provider,
        "name": app.name,
        "app_id": app.app_id,
        "redirect_uri": app.redirect_uri,
        "enabled": app.enabled,
        "has_secret": True,
        "created_at": isoformat(app.created_at),
        "updated_at": isoformat(app.updated_at),
    }
    if bindings is not None:
        out["binding_count"] = bindings
    return out


def binding_counts(session: Session) -> dict[int, int]:
    """{provider_app_id: number of bindings} for the platform list (one query)."""
    rows = session.execute(select(Binding.provider_app_id, func.count(Binding.id)).group_by(Binding.provider_app_id))
    return {app_id: count for app_id, count in rows}
