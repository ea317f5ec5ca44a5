"""API area: the caller's own API tokens. The token itself is shown once, in the create response."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_login import current_user

from webapp.api import bp
from webapp.api.pagination import paginate
from webapp.api.schemas import TokenCreatedOut, TokenCreateRequest, TokenOut
from webapp.api.validation import parse_body
from webapp.auth import sessions
from webapp.auth.permissions import login_required
from webapp.extensions import db


@bp.get("/auth/tokens")
@login_required
def tokens_list():
    return jsonify(paginate(db.session, sessions.api_tokens_query(current_user.id),
                            lambda row: TokenOut.model_validate(row).dump()))


@bp.post("/auth/tokens")
@login_required
def tokens_create():
    body = parse_body(TokenCreateRequest)
    row, token = sessions.create_api_token(db.session, current_user._get_current_object(), body.name,
                                           key=current_app.config["SECRET_KEY"])
    db.session.commit()
    return jsonify(TokenCreatedOut(**TokenOut.model_validate(row).model_dump(), token=token).dump()), 201


@bp.delete("/auth/tokens/<int:token_id>")
@login_required
def tokens_revoke(token_id: int):
    row = sessions.revoke_api_token(db.session, current_user.id, token_id)
    db.session.commit()
    return jsonify(TokenOut.model_validate(row).dump())
