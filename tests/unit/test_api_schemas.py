"""Request models forbid unknown fields and check shapes; response models render UTC times with a Z."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from webapp.api.schemas import (
    LoginRequest,
    MemberAddRequest,
    MemberUpdateRequest,
    TokenCreateRequest,
    TokenOut,
    WorkspaceCreateRequest,
)


def _fields(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in exc.errors()}


def test_login_request():
    body = LoginRequest.model_validate({"email": " a@example.com ", "password": " pw "})
    assert body.login == "a@example.com" and body.password == " pw " and body.remember is False
    assert LoginRequest.model_validate({"username": "bob", "password": "x", "remember": True}).login == "bob"
    with pytest.raises(ValidationError) as exc:
        LoginRequest.model_validate({"email": "a@example.com", "password": "x", "admin": True})
    assert _fields(exc.value) == {"admin"}


@pytest.mark.parametrize("payload", [{}, {"name": ""}, {"name": "  "}, {"name": 1}, {"name": "n" * 121}])
def test_token_name_rules(payload):
    with pytest.raises(ValidationError):
        TokenCreateRequest.model_validate(payload)


def test_member_roles_exclude_owner():
    assert MemberAddRequest.model_validate({"email": "a@example.com"}).role == "member"
    for model, payload in ((MemberAddRequest, {"email": "a@example.com", "role": "owner"}),
                           (MemberUpdateRequest, {"role": "owner"}), (MemberUpdateRequest, {"role": "Admin"})):
        with pytest.raises(ValidationError) as exc:
            model.model_validate(payload)
        assert _fields(exc.value) == {"role"}


def test_workspace_create_trims_and_requires_both():
    body = WorkspaceCreateRequest.model_validate({"name": " Acme ", "owner_email": " o@example.com"})
    assert (body.name, body.owner_email) == ("Acme", "o@example.com")
    with pytest.raises(ValidationError) as exc:
        WorkspaceCreateRequest.model_validate({})
    assert _fields(exc.value) == {"name", "owner_email"}


def test_token_out_renders_utc_with_z():
    out = TokenOut(id=1, name="n", prefix="gmv_ab", created_at=datetime(2026, 1, 2, 3, 4, 5)).dump()
    assert out == {"id": 1, "name": "n", "prefix": "gmv_ab", "created_at": "2026-01-02T03:04:05Z",
                   "last_used_at": None, "revoked_at": None}
