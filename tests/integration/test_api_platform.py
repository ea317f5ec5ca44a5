"""Platform administration of workspaces over the API, and the user/workspace CLI commands."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.helpers import assert_error, bearer
from webapp.extensions import db
from webapp.models import Membership, User

URL = "/api/v1/platform/workspaces"


def test_platform_admin_creates_and_lists_workspaces(app, client, factory):
    token = factory.token(factory.user(platform_admin=True))
    owner = factory.user()
    existing = factory.tenant("Existing")

    response = client.post(URL, json={"name": " New Co ", "owner_email": owner.email.upper()}, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created == {"id": created["id"], "name": "New Co", "company_code": "0002"}
    with app.app_context():
        assert db.session.execute(select(Membership.role).where(
            Membership.workspace_id == created["id"], Membership.user_id == owner.id)).scalar_one() == "owner"
    # The owner sees it, as owner.
    session = client.get("/api/v1/auth/session", headers=bearer(factory.token(owner))).get_json()
    assert session["workspaces"] == [{**created, "role": "owner"}]

    listing = client.get(URL, headers=bearer(token)).get_json()
    assert listing["total"] == 2 and listing["page_size"] == 20
    assert [(w["id"], w["company_code"], w["member_count"]) for w in listing["items"]] == [
        (existing.wid, "0001", 3), (created["id"], "0002", 1)]
    assert listing["items"][0]["created_at"].endswith("Z")
    second_page = client.get(URL + "?page=2&page_size=1", headers=bearer(token)).get_json()
    assert [w["id"] for w in second_page["items"]] == [created["id"]] and second_page["total"] == 2
    assert_error(client.get(URL + "?page=0", headers=bearer(token)), 422, "VALIDATION_ERROR")


def test_platform_routes_are_for_platform_admins_only(client, factory):
    t = factory.tenant()
    for token in (t.owner.token, t.admin.token, t.member.token):
        denied = assert_error(client.get(URL, headers=bearer(token)), 403, "FORBIDDEN")
        assert denied["message"] == "Platform admin required."
        assert_error(client.post(URL, json={"name": "X", "owner_email": t.owner.email}, headers=bearer(token)),
                     403, "FORBIDDEN")
    assert_error(client.get(URL), 401, "AUTH_REQUIRED")
    assert_error(client.post(URL, json={"name": "X", "owner_email": t.owner.email}), 401, "AUTH_REQUIRED")


def test_platform_workspace_create_validation(client, factory):
    token = factory.token(factory.user(platform_admin=True))
    owner = factory.user()
    assert_error(client.post(URL, json={"name": "X", "owner_email": "ghost@example.com"}, headers=bearer(token)),
                 404, "USER_NOT_FOUND")
    for payload, fields in (({}, {"name", "owner_email"}), ({"name": "", "owner_email": owner.email}, {"name"}),
                            ({"name": "x" * 121, "owner_email": owner.email}, {"name"}),
                            ({"name": "X", "owner_email": owner.email, "company_code": "0042"}, {"company_code"})):
        error = assert_error(client.post(URL, json=payload, headers=bearer(token)), 422, "VALIDATION_ERROR")
        assert {e["field"] for e in error["data"]} == fields
    assert client.get(URL, headers=bearer(token)).get_json()["total"] == 0


def test_platform_admin_with_a_cookie_session(client, factory, auth):
    admin = factory.user(platform_admin=True)
    owner = factory.user()
    auth.login(admin.email)
    assert client.post(URL, json={"name": "Cookie Co", "owner_email": owner.email}).status_code == 201
    assert client.get(URL).get_json()["total"] == 1


def test_cli_users_workspaces_and_members(app, client, runner):
    result = runner.invoke(args=["users", "create", "--email", "Boss@Example.com", "--password", PASSWORD,
                                 "--name", "Boss", "--platform-admin"])
    assert result.exit_code == 0, result.output
    boss_id = int(result.output.strip().splitlines()[-1])
    result = runner.invoke(args=["users", "create", "--email", "helper@example.com", "--password", PASSWORD])
    helper_id = int(result.output.strip().splitlines()[-1])
    with app.app_context():
        boss = db.session.get(User, boss_id)
        assert boss.email == "boss@example.com" and boss.is_platform_admin and boss.name == "Boss"
        assert not db.session.get(User, helper_id).is_platform_admin

    duplicate = runner.invoke(args=["users", "create", "--email", "boss@example.com", "--password", PASSWORD])
    assert duplicate.exit_code != 0 and "USER_EXISTS" in duplicate.output
    short = runner.invoke(args=["users", "create", "--email", "x@example.com", "--password", "short"])
    assert short.exit_code != 0 and "password" in short.output

    result = runner.invoke(args=["workspaces", "create", "--name", "CLI Co", "--owner", "boss@example.com"])
    assert result.exit_code == 0, result.output
    wid = int(result.output.strip().splitlines()[-1])
    result = runner.invoke(args=["workspaces", "add-member", str(wid), "helper@example.com", "--role", "admin"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["workspaces", "add-member", str(wid), "helper@example.com"])
    assert again.exit_code != 0 and "ALREADY_MEMBER" in again.output
    missing = runner.invoke(args=["workspaces", "add-member", "999999", "helper@example.com"])
    assert missing.exit_code != 0 and "WORKSPACE_NOT_FOUND" in missing.output

    # What the CLI made is what the API shows.
    login = client.post("/api/v1/auth/login", json={"email": "helper@example.com", "password": PASSWORD})
    assert login.get_json()["workspaces"] == [{"id": wid, "name": "CLI Co", "company_code": "0001", "role": "admin"}]
    members = client.get(f"/api/v1/tenants/{wid}/members").get_json()
    assert [(m["user_id"], m["role"]) for m in members["items"]] == [(boss_id, "owner"), (helper_id, "admin")]
