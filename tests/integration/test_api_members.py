"""Workspace members: members read, admins manage; the owner is fixed; other tenants' rows are 404."""

from __future__ import annotations

from sqlalchemy import select

from tests.helpers import assert_error, bearer
from webapp.extensions import db
from webapp.models import Membership


def _url(wid: int, user_id: int | None = None) -> str:
    return f"/api/v1/tenants/{wid}/members" + (f"/{user_id}" if user_id else "")


def _role(app, wid: int, user_id: int) -> str | None:
    with app.app_context():
        return db.session.execute(select(Membership.role).where(Membership.workspace_id == wid,
                                                                Membership.user_id == user_id)).scalar_one_or_none()


def test_list_members_is_readable_by_members(client, factory):
    t = factory.tenant()
    outsider = factory.user()
    response = client.get(_url(t.wid), headers=bearer(t.member.token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 3 and body["page"] == 1 and body["page_size"] == 20
    assert [(m["user_id"], m["role"]) for m in body["items"]] == [
        (t.owner.id, "owner"), (t.admin.id, "admin"), (t.member.id, "member")]
    assert set(body["items"][0]) == {"user_id", "email", "name", "role", "created_at"}

    page = client.get(_url(t.wid) + "?page=2&page_size=2", headers=bearer(t.admin.token)).get_json()
    assert page["total"] == 3 and [m["user_id"] for m in page["items"]] == [t.member.id]
    assert_error(client.get(_url(t.wid) + "?page_size=101", headers=bearer(t.admin.token)), 422, "VALIDATION_ERROR")

    denied = assert_error(client.get(_url(t.wid), headers=bearer(factory.token(outsider))), 403, "FORBIDDEN")
    assert denied["message"] == "Not a member of this workspace."
    assert_error(client.get(_url(t.wid)), 401, "AUTH_REQUIRED")
    assert_error(client.get(_url(999999), headers=bearer(t.member.token)), 403, "FORBIDDEN")


def test_platform_admin_gets_no_tenant_access(client, factory):
    t = factory.tenant()
    platform_admin = factory.user(platform_admin=True)
    assert_error(client.get(_url(t.wid), headers=bearer(factory.token(platform_admin))), 403, "FORBIDDEN")


def test_add_member(app, client, factory):
    t = factory.tenant()
    newcomer, outsider = factory.user(), factory.user()
    outsider_token = factory.token(outsider)

    payload = {"email": newcomer.email.upper(), "role": "admin"}
    denied = assert_error(client.post(_url(t.wid), json=payload, headers=bearer(t.member.token)), 403, "FORBIDDEN")
    assert denied["message"] == "Admin or owner role required."
    assert_error(client.post(_url(t.wid), json=payload, headers=bearer(outsider_token)), 403, "FORBIDDEN")
    assert _role(app, t.wid, newcomer.id) is None

    response = client.post(_url(t.wid), json=payload, headers=bearer(t.admin.token))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["user_id"] == newcomer.id and response.get_json()["role"] == "admin"
    assert _role(app, t.wid, newcomer.id) == "admin"

    assert_error(client.post(_url(t.wid), json=payload, headers=bearer(t.owner.token)), 409, "ALREADY_MEMBER")
    assert_error(client.post(_url(t.wid), json={"email": "ghost@example.com"}, headers=bearer(t.admin.token)),
                 404, "USER_NOT_FOUND")
    for bad in ({"email": outsider.email, "role": "owner"}, {"role": "member"}, {"email": 3},
                {"email": outsider.email, "role": "member", "is_owner": True}):
        assert_error(client.post(_url(t.wid), json=bad, headers=bearer(t.admin.token)), 422, "VALIDATION_ERROR")
    assert _role(app, t.wid, outsider.id) is None
    # Added with the default role, the new member now reads the workspace.
    assert client.post(_url(t.wid), json={"email": outsider.email}, headers=bearer(t.admin.token)).status_code == 201
    assert client.get(_url(t.wid), headers=bearer(outsider_token)).status_code == 200


def test_change_role(app, client, factory):
    t = factory.tenant()
    other = factory.tenant("Other")
    outsider_token = factory.token(factory.user())

    assert_error(client.patch(_url(t.wid, t.member.id), json={"role": "admin"}, headers=bearer(t.member.token)),
                 403, "FORBIDDEN")
    assert_error(client.patch(_url(t.wid, t.member.id), json={"role": "admin"}, headers=bearer(outsider_token)),
                 403, "FORBIDDEN")
    response = client.patch(_url(t.wid, t.member.id), json={"role": "admin"}, headers=bearer(t.admin.token))
    assert response.status_code == 200 and response.get_json()["role"] == "admin"
    assert _role(app, t.wid, t.member.id) == "admin"

    assert_error(client.patch(_url(t.wid, t.owner.id), json={"role": "member"}, headers=bearer(t.admin.token)),
                 403, "OWNER_ROLE_FIXED")
    assert_error(client.patch(_url(t.wid, t.admin.id), json={"role": "owner"}, headers=bearer(t.owner.token)),
                 422, "VALIDATION_ERROR")
    assert_error(client.patch(_url(t.wid, t.admin.id), json={}, headers=bearer(t.owner.token)),
                 422, "VALIDATION_ERROR")
    # A member of another workspace is not a member here: 404, and their row is untouched.
    assert_error(client.patch(_url(t.wid, other.member.id), json={"role": "admin"}, headers=bearer(t.admin.token)),
                 404, "MEMBER_NOT_FOUND")
    assert _role(app, other.wid, other.member.id) == "member"
    assert _role(app, t.wid, t.owner.id) == "owner"


def test_remove_member(app, client, factory):
    t = factory.tenant()
    other = factory.tenant("Other")
    outsider_token = factory.token(factory.user())

    assert_error(client.delete(_url(t.wid, t.member.id), headers=bearer(t.member.token)), 403, "FORBIDDEN")
    assert_error(client.delete(_url(t.wid, t.member.id), headers=bearer(outsider_token)), 403, "FORBIDDEN")
    assert_error(client.delete(_url(t.wid, t.owner.id), headers=bearer(t.admin.token)),
                 403, "OWNER_CANNOT_BE_REMOVED")
    assert_error(client.delete(_url(t.wid, other.member.id), headers=bearer(t.admin.token)),
                 404, "MEMBER_NOT_FOUND")
    assert _role(app, other.wid, other.member.id) == "member"

    assert client.delete(_url(t.wid, t.member.id), headers=bearer(t.admin.token)).status_code == 204
    assert _role(app, t.wid, t.member.id) is None
    # The removed user loses access at once; their token still authenticates them elsewhere.
    assert_error(client.get(_url(t.wid), headers=bearer(t.member.token)), 403, "FORBIDDEN")
    assert client.get("/api/v1/auth/session", headers=bearer(t.member.token)).get_json()["workspaces"] == []
    assert_error(client.delete(_url(t.wid, t.member.id), headers=bearer(t.admin.token)), 404, "MEMBER_NOT_FOUND")


def test_member_writes_with_a_cookie_session(client, factory, auth):
    t = factory.tenant()
    newcomer = factory.user()
    auth.login(t.admin.email)
    assert_error(client.post(_url(t.wid), data={"email": newcomer.email}), 415, "UNSUPPORTED_MEDIA_TYPE")
    assert client.post(_url(t.wid), json={"email": newcomer.email}).status_code == 201
    assert client.patch(_url(t.wid, newcomer.id), json={"role": "admin"}).status_code == 200
    assert_error(client.delete(_url(t.wid, newcomer.id)), 415, "UNSUPPORTED_MEDIA_TYPE")
    assert client.delete(_url(t.wid, newcomer.id), content_type="application/json").status_code == 204
