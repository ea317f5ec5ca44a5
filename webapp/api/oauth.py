"""API area: TikTok Business OAuth — authz and binding management (`/tenants/{wid}/oauth/{provider}/...`).

All routes are admin-only; `{provider}` is `tiktok-business` (or `tiktok_business`)."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from webapp.api import bp
from webapp.api.pagination import page_args, page_of
from webapp.api.validation import JsonInt, parse_body
from webapp.auth.permissions import workspace_required
from webapp.errors import ValidationFailed
from webapp.extensions import db
from webapp.providers.tiktok_business import bindings, oauth

PREFIX = "/tenants/<int:wid>/oauth/<provider>"
TRUE_WORDS, FALSE_WORDS = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


class AuthzRequest(BaseModel):
    provider_app_id: JsonInt
    alias: str | None = Field(default=None, max_length=oauth.ALIAS_MAX)
    return_to: str | None = Field(default=None, max_length=oauth.RETURN_TO_MAX)


class AliasRequest(BaseModel):
    alias: str | None = Field(default=None, max_length=oauth.ALIAS_MAX)


def _remote_flag() -> bool:
    raw = (request.args.get("remote") or "true").strip().lower()
    if raw not in TRUE_WORDS | FALSE_WORDS:
        raise ValidationFailed(message="remote must be true or false.",
                               data=[{"field": "remote", "message": "must be true or false"}])
    return raw in TRUE_WORDS


@bp.post(f"{PREFIX}/authz")
@workspace_required("admin")
def oauth_authz(wid: int, provider: str):
    bindings.normalize_provider(provider)
    body = parse_body(AuthzRequest)
    authz = oauth.start_authorization(db.session, workspace_id=wid, user_id=current_user.id,
                                      provider_app_id=body.provider_app_id, alias=body.alias,
                                      return_to=body.return_to,
                                      portal_url=current_app.config["SETTINGS"].TTB_PORTAL_URL)
    db.session.commit()
    return jsonify(authz.to_dict())


@bp.get(f"{PREFIX}/bindings")
@workspace_required("admin")
def oauth_bindings_list(wid: int, provider: str):
    canonical = bindings.normalize_provider(provider)
    page, size = page_args()
    rows, total = bindings.account_page(db.session, bindings.bindings_query(wid, canonical), page, size)
    return jsonify(page_of([bindings.serialize_binding(b) for b in rows], page, size, total))


@bp.get(f"{PREFIX}/bindings/<auth_id>")
@workspace_required("admin")
def oauth_binding_get(wid: int, provider: str, auth_id: str):
    bindings.normalize_provider(provider)
    return jsonify(bindings.serialize_binding(bindings.get_binding_or_404(db.session, wid, auth_id)))


@bp.patch(f"{PREFIX}/bindings/<auth_id>/alias")
@workspace_required("admin")
def oauth_binding_alias(wid: int, provider: str, auth_id: str):
    bindings.normalize_provider(provider)
    body = parse_body(AliasRequest)
    binding = oauth.rename_binding(db.session, wid, auth_id, body.alias)
    db.session.commit()
    return jsonify(bindings.serialize_binding(binding))


@bp.post(f"{PREFIX}/bindings/<auth_id>/revoke")
@workspace_required("admin")
def oauth_binding_revoke(wid: int, provider: str, auth_id: str):
    bindings.normalize_provider(provider)
    binding = oauth.revoke_binding(db.session, wid, auth_id, remote=_remote_flag())
    db.session.commit()
    return jsonify(bindings.serialize_binding(binding))


@bp.delete(f"{PREFIX}/bindings/<auth_id>")
@workspace_required("admin")
def oauth_binding_delete(wid: int, provider: str, auth_id: str):
    bindings.normalize_provider(provider)
    oauth.delete_binding(db.session, wid, auth_id)
    db.session.commit()
    return "", 204
