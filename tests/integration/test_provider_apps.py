"""Provider apps: platform-admin API, page and `flask ttb apps` CLI; the secret is never returned and is
stored encrypted; an app in use cannot be deleted (409 APP_IN_USE)."""

from __future__ import annotations

from sqlalchemy import select, text

from tests.helpers import assert_error, bearer
from tests.integration.oauth_support import login
from webapp.extensions import db
from webapp.models import ProviderApp

URL = "/api/v1/platform/oauth/provider-apps"
NEW = {"name": "Main app", "app_id": "7000000000000000001", "secret": "s3cret-value",
       "redirect_uri": "https://gmv.example.com/oauth/tiktok-business/callback"}


def _bind(app, provider_app_id: int, factory) -> None:
    from webapp.providers.tiktok_business.oauth import upsert_binding

    owner = factory.user()
    ws = factory.workspace(owner)
    with app.app_context():
        upsert_binding(db.session, workspace_id=ws.id, provider_app_id=provider_app_id, access_token="tok",
                       scope=[], advertiser_ids=[])
        db.session.commit()


def test_api_create_list_update_delete_without_the_secret(client, app, factory):
    admin = factory.user(platform_admin=True)
    headers = bearer(factory.token(admin))
    created = client.post(URL, json=NEW, headers=headers)
    assert created.status_code == 201
    body = created.get_json()
    assert body["has_secret"] is True and "secret" not in body and body["enabled"] is True
    assert (body["app_id"], body["name"], body["redirect_uri"]) == (NEW["app_id"], "Main app", NEW["redirect_uri"])
    assert "s3cret-value" not in created.get_data(as_text=True)

    with app.app_context():
        raw = db.session.execute(text("SELECT secret FROM provider_apps")).scalar_one()
        assert raw != "s3cret-value" and "s3cret" not in raw
        assert db.session.execute(select(ProviderApp.secret)).scalar_one() == "s3cret-value"

    listed = client.get(URL, headers=headers)
    assert listed.status_code == 200
    assert [i["id"] for i in listed.get_json()["items"]] == [body["id"]] and listed.get_json()["total"] == 1
    assert "s3cret-value" not in listed.get_data(as_text=True)

    disabled = client.patch(f"{URL}/{body['id']}", json={"enabled": False}, headers=headers)
    assert disabled.status_code == 200 and disabled.get_json()["enabled"] is False

    assert_error(client.post(URL, json=NEW, headers=headers), 409, "PROVIDER_APP_EXISTS")
    assert_error(client.post(URL, json={**NEW, "app_id": "2", "redirect_uri": "ftp://x"}, headers=headers),
                 422, "VALIDATION_ERROR")
    error = assert_error(client.post(URL, json={"name": "x"}, headers=headers), 422, "VALIDATION_ERROR")
    assert {d["field"] for d in error["data"]} == {"app_id", "secret", "redirect_uri"}
    for bad_id in ("abc", "12a", "１２"):  # letters, non-ASCII digits (length is checked by the API model)
        error = assert_error(client.post(URL, json={**NEW, "app_id": bad_id}, headers=headers), 422, "VALIDATION_ERROR")
        assert error["data"] == [{"field": "app_id", "message": "The app ID must be digits only (1–64), as shown in "
                                                               "the TikTok developer portal."}]

    assert client.delete(f"{URL}/{body['id']}", headers=headers).status_code == 204
    assert_error(client.delete(f"{URL}/{body['id']}", headers=headers), 404, "PROVIDER_APP_NOT_FOUND")


def test_delete_in_use_is_409_app_in_use(client, app, factory):
    admin = factory.user(platform_admin=True)
    headers = bearer(factory.token(admin))
    app_pk = client.post(URL, json=NEW, headers=headers).get_json()["id"]
    _bind(app, app_pk, factory)
    error = assert_error(client.delete(f"{URL}/{app_pk}", headers=headers), 409, "APP_IN_USE")
    assert error["data"] == {"bindings": 1}
    assert client.get(URL, headers=headers).get_json()["items"][0]["binding_count"] == 1


def test_only_platform_admins(client, factory):
    tenant = factory.tenant()  # workspace owners/admins are not platform admins
    for token in (tenant.owner.token, tenant.admin.token, tenant.member.token):
        assert_error(client.get(URL, headers=bearer(token)), 403, "FORBIDDEN")
        assert_error(client.post(URL, json=NEW, headers=bearer(token)), 403, "FORBIDDEN")
        assert_error(client.patch(f"{URL}/1", json={"enabled": False}, headers=bearer(token)), 403, "FORBIDDEN")
        assert_error(client.delete(f"{URL}/1", headers=bearer(token)), 403, "FORBIDDEN")
    assert_error(client.get(URL), 401, "AUTH_REQUIRED")
    assert client.get("/platform/provider-apps", headers={"Accept": "application/json"}).status_code == 401
    login(client, tenant.owner.email)
    assert client.get("/platform/provider-apps").status_code == 403


CLI_APP_ID = "7100000000000000001"


def test_cli_add_and_list(runner, app):
    result = runner.invoke(args=["ttb", "apps", "add", "--app-id", CLI_APP_ID, "--secret", "S1", "--redirect-uri",
                                 "http://127.0.0.1:5000/oauth/tiktok-business/callback", "--name", "CLI app"])
    assert result.exit_code == 0, result.output
    app_pk = int(result.output.strip().splitlines()[-1])
    with app.app_context():
        row = db.session.get(ProviderApp, app_pk)
        assert (row.app_id, row.name, row.secret, row.enabled) == (CLI_APP_ID, "CLI app", "S1", True)
    listed = runner.invoke(args=["ttb", "apps", "list"])
    assert listed.exit_code == 0 and CLI_APP_ID in listed.output and "S1" not in listed.output.replace(CLI_APP_ID, "")
    again = runner.invoke(args=["ttb", "apps", "add", "--app-id", CLI_APP_ID, "--secret", "S", "--redirect-uri", "http://x/"])
    assert again.exit_code != 0 and "PROVIDER_APP_EXISTS" in again.output


def test_page_list_add_toggle_delete(client, app, factory):
    admin = factory.user(platform_admin=True)
    login(client, admin.email)
    page = client.get("/platform/provider-apps")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)

    bad = client.post("/platform/provider-apps", data={"name": "n", "app_id": "abc", "secret": "",
                                                       "redirect_uri": "nope"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and html.count('class="field-error"') == 3 and 'value="abc"' in html
    assert "The app ID must be digits only (1–64)" in html and "Enter the app secret." in html
    assert "The redirect URI must be an http:// or https:// URL." in html
    assert "<label for=\"pa-app-id\">App ID</label>" in html

    added = client.post("/platform/provider-apps", data={"name": "Page app", "app_id": "72001", "secret": "page-secret",
                                                         "redirect_uri": "https://x.example/cb"})
    assert added.status_code == 302
    html = client.get("/platform/provider-apps").get_data(as_text=True)
    assert "Page app" in html and "page-secret" not in html and "enabled" in html
    with app.app_context():
        app_pk = db.session.execute(select(ProviderApp.id)).scalar_one()

    assert client.post(f"/platform/provider-apps/{app_pk}/enabled", data={"enabled": "0"}).status_code == 302
    with app.app_context():
        assert db.session.get(ProviderApp, app_pk).enabled is False

    _bind(app, app_pk, factory)
    refused = client.post(f"/platform/provider-apps/{app_pk}/delete", follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "1 TikTok Business account uses this provider app." in text
    assert "Delete that account first" in text and "move" not in text
    # The list warns up front: the Delete button is disabled with the reason, no delete form is offered.
    row = text.split(f'data-provider-app-id="{app_pk}"')[1].split("</tr>")[0]
    assert "disabled" in row and "1 account uses this app: delete it first" in row
    assert f"/platform/provider-apps/{app_pk}/delete" not in row
    with app.app_context():
        assert db.session.get(ProviderApp, app_pk) is not None
