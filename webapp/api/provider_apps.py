"""API area: provider apps (platform admins) — `/api/v1/platform/oauth/provider-apps`."""

from __future__ import annotations

from flask import jsonify
from pydantic import BaseModel, Field

from webapp.api import bp
from webapp.api.pagination import paginate
from webapp.api.validation import parse_body
from webapp.auth.permissions import platform_admin_required
from webapp.extensions import db
from webapp.models import ProviderApp
from webapp.providers import provider_apps as service


class ProviderAppCreate(BaseModel):
    name: str | None = Field(default=None, max_length=120)
    app_id: str = Field(min_length=1, max_length=64)
    secret: str = Field(min_length=1, max_length=512)
    redirect_uri: str = Field(min_length=1, max_length=512)
    enabled: bool = True


class ProviderAppUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    secret: str | None = Field(default=None, min_length=1, max_length=512)
    redirect_uri: str | None = Field(default=None, min_length=1, max_length=512)
    enabled: bool | None = None


@bp.get("/platform/oauth/provider-apps")
@platform_admin_required
def provider_apps_list():
    counts = service.binding_counts(db.session)
    stmt = db.select(ProviderApp).order_by(ProviderApp.id)
    return jsonify(paginate(db.session, stmt,
                            lambda app: service.serialize_provider_app(app, bindings=counts.get(app.id, 0))))


@bp.post("/platform/oauth/provider-apps")
@platform_admin_required
def provider_apps_create():
    body = parse_body(ProviderAppCreate)
    app = service.create_provider_app(db.session, **body.model_dump())
    db.session.commit()
    return jsonify(service.serialize_provider_app(app, bindings=0)), 201


@bp.patch("/platform/oauth/provider-apps/<int:app_pk>")
@platform_admin_required
def provider_apps_update(app_pk: int):
    body = parse_body(ProviderAppUpdate)
    app = service.update_provider_app(db.session, app_pk, **body.model_dump())
    db.session.commit()
    return jsonify(service.serialize_provider_app(app, bindings=service.binding_count(db.session, app.id)))


@bp.delete("/platform/oauth/provider-apps/<int:app_pk>")
@platform_admin_required
def provider_apps_delete(app_pk: int):
    service.delete_provider_app(db.session, app_pk)
    db.session.commit()
    return "", 204
