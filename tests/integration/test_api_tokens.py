"""API tokens: create (shown once), list, revoke; Bearer on /api/v1 routes; only a hash is stored."""

from __future__ import annotations

from sqlalchemy import text

from tests.helpers import assert_error, bearer
from webapp.extensions import db

TEXT_TYPES = ("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "json")


def _rows_containing(app, needle: str) -> list[tuple[str, str]]:
    """Every (table, column) of every text column in the database whose value contains `needle`."""
    hits = []
    with app.app_context():
        columns = db.session.execute(text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND data_type IN :types"
        ).bindparams(types=TEXT_TYPES)).all()
        assert len(columns) > 20  # the whole schema, not an empty database
        for table, column in columns:
            found = db.session.execute(text(f"SELECT COUNT(*) FROM `{table}` WHERE `{column}` LIKE :needle"),
                                       {"needle": f"%{needle}%"}).scalar_one()
            if found:
                hits.append((table, column))
    return hits


def test_create_list_and_revoke_over_the_api(app, client, factory, auth):
    user = factory.user()
    auth.login(user.email)

    created = client.post("/api/v1/auth/tokens", json={"name": "  ci deploy "})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    token = body["token"]
    assert set(body) == {"id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "token"}
    assert body["name"] == "ci deploy" and token.startswith(body["prefix"] + "_")
    assert body["created_at"].endswith("Z") and body["last_used_at"] is None and body["revoked_at"] is None

    listing = client.get("/api/v1/auth/tokens").get_json()
    assert listing["total"] == 1 and listing["page"] == 1 and listing["page_size"] == 20
    item = listing["items"][0]
    assert set(item) == {"id", "name", "prefix", "created_at", "last_used_at", "revoked_at"}
    assert token not in client.get("/api/v1/auth/tokens").get_data(as_text=True)

    # The token works as Bearer and records its use.
    assert client.get("/api/v1/auth/session", headers=bearer(token)).get_json()["auth_method"] == "token"
    assert client.get("/api/v1/auth/tokens").get_json()["items"][0]["last_used_at"].endswith("Z")

    revoked = client.delete(f"/api/v1/auth/tokens/{body['id']}", content_type="application/json")
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"].endswith("Z")
    assert client.get("/api/v1/auth/tokens").get_json()["items"][0]["revoked_at"] is not None
    # Revoking again is harmless.
    assert client.delete(f"/api/v1/auth/tokens/{body['id']}", content_type="application/json").status_code == 200


def test_revoked_token_is_refused_everywhere(client, factory):
    tenant = factory.tenant()
    token = tenant.member.token
    assert client.get(f"/api/v1/tenants/{tenant.wid}/members", headers=bearer(token)).status_code == 200
    token_id = client.get("/api/v1/auth/tokens", headers=bearer(token)).get_json()["items"][0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{token_id}", headers=bearer(token)).status_code == 200
    for method, url in (("get", "/api/v1/auth/session"), ("get", "/api/v1/auth/tokens"),
                        ("get", f"/api/v1/tenants/{tenant.wid}/members"), ("post", "/api/v1/auth/tokens")):
        assert_error(getattr(client, method)(url, headers=bearer(token), json={"name": "x"}), 401, "AUTH_REQUIRED")
    # The user's other tokens keep working.
    other = factory.token(tenant.member)
    assert client.get(f"/api/v1/tenants/{tenant.wid}/members", headers=bearer(other)).status_code == 200


def test_tokens_are_private_to_their_user(client, factory):
    alice, bob = factory.user(), factory.user()
    alice_token, bob_token = factory.token(alice), factory.token(bob)
    bob_token_id = client.get("/api/v1/auth/tokens", headers=bearer(bob_token)).get_json()["items"][0]["id"]
    listing = client.get("/api/v1/auth/tokens", headers=bearer(alice_token)).get_json()
    assert listing["total"] == 1 and listing["items"][0]["id"] != bob_token_id
    assert_error(client.delete(f"/api/v1/auth/tokens/{bob_token_id}", headers=bearer(alice_token)),
                 404, "TOKEN_NOT_FOUND")
    assert_error(client.delete("/api/v1/auth/tokens/999999", headers=bearer(alice_token)), 404, "TOKEN_NOT_FOUND")
    assert client.get("/api/v1/auth/session", headers=bearer(bob_token)).status_code == 200


def test_token_routes_need_a_login(client):
    assert_error(client.get("/api/v1/auth/tokens"), 401, "AUTH_REQUIRED")
    assert_error(client.post("/api/v1/auth/tokens", json={"name": "x"}), 401, "AUTH_REQUIRED")
    assert_error(client.delete("/api/v1/auth/tokens/1"), 401, "AUTH_REQUIRED")


def test_token_create_validation(client, factory):
    token = factory.token(factory.user())
    for payload, field in (({}, "name"), ({"name": ""}, "name"), ({"name": "   "}, "name"), ({"name": 7}, "name"),
                           ({"name": "x" * 121}, "name"), ({"name": "x", "scopes": ["all"]}, "scopes")):
        error = assert_error(client.post("/api/v1/auth/tokens", json=payload, headers=bearer(token)),
                             422, "VALIDATION_ERROR")
        assert [e["field"] for e in error["data"]] == [field], payload
    assert_error(client.get("/api/v1/auth/tokens?page_size=0", headers=bearer(token)), 422, "VALIDATION_ERROR")


def test_database_holds_no_plaintext_token(app, client, factory):
    user = factory.user()
    cli_token = factory.token(user)
    api_token = client.post("/api/v1/auth/tokens", json={"name": "api"}, headers=bearer(cli_token)).get_json()["token"]
    for token in (cli_token, api_token):
        assert client.get("/api/v1/auth/session", headers=bearer(token)).status_code == 200
        secret_part = token.split("_", 2)[2]  # gmv_<prefix>_<secret>
        assert _rows_containing(app, secret_part) == []
    # Sanity check of the scan itself: the visible prefix is stored.
    assert ("api_tokens", "prefix") in _rows_containing(app, "_".join(api_token.split("_", 2)[:2]))


def test_cli_tokens_create_prints_a_working_token(client, runner, factory):
    tenant = factory.tenant()
    result = runner.invoke(args=["tokens", "create", "--email", tenant.admin.email, "--name", "from-cli"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert client.get(f"/api/v1/tenants/{tenant.wid}/members", headers=bearer(token)).status_code == 200
    names = [t["name"] for t in client.get("/api/v1/auth/tokens", headers=bearer(token)).get_json()["items"]]
    assert "from-cli" in names
    unknown = runner.invoke(args=["tokens", "create", "--email", "nobody@example.com"])
    assert unknown.exit_code != 0 and "USER_NOT_FOUND" in unknown.output
