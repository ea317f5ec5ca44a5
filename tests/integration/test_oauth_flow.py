"""The TikTok Business OAuth flow end to end: authz → sandbox portal → our callback → binding, over
real MariaDB, Redis and the sandbox over HTTP."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select, update

from tests.helpers import assert_error, bearer
from tests.integration.oauth_support import (
    REDIRECT_URI,
    add_provider_app,
    approve,
    authz,
    binding_count,
    connect,
    dump_all_text,
    login,
)
from webapp.extensions import db
from webapp.models import Binding, Membership, OAuthState, SyncRun, utcnow
from webapp.security.tokens import fingerprint

JSON = {"Accept": "application/json"}






def test_full_flow_binds_account_encrypts_token_and_lists_it(ttb, sandbox_clean, env):
    tenant, app_pk, client = env
    started = authz(client, tenant.wid, app_pk, alias="Acme US")
    url = urlsplit(started["auth_url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == sandbox_clean.portal_url + "/auth"
    assert parse_qs(url.query) == {"app_id": [sandbox_clean.app_id], "state": [started["state"]],
                                   "redirect_uri": [REDIRECT_URI]}
    assert started["expires_at"].endswith("Z") and len(started["state"]) >= 32

    response = client.get(approve(started["auth_url"]))
    assert response.status_code == 302, response.get_data(as_text=True)
    with ttb.app_context():
        binding = db.session.execute(select(Binding)).scalar_one()
        token = binding.access_token
        assert binding.workspace_id == tenant.wid and binding.provider_app_id == app_pk
        assert binding.alias == "Acme US" and binding.status == "active"
        assert binding.token_fingerprint == fingerprint(token)
        assert binding.scope == [4, 5, 6, 9] and binding.advertiser_ids
        auth_id = binding.id
        # the first metadata sync was created through the run service
        run = db.session.execute(select(SyncRun).where(SyncRun.binding_id == auth_id)).scalar_one()
        assert (run.task_name, run.scope, run.mode) == ("ttb.sync.meta", "meta", "full")
        assert run.stats["requested"]["actor"]["user_id"] == tenant.admin.id
    assert response.headers["Location"].endswith(f"/w/{tenant.wid}/accounts/{auth_id}")
    assert token in {t["access_token"] for t in sandbox_clean.admin("GET", "tokens")["tokens"]}

    # the plaintext token (and the app secret) appear nowhere in the database
    dump = dump_all_text(ttb)
    assert token not in dump and sandbox_clean.secret not in dump

    providers = client.get(f"/api/v1/tenants/{tenant.wid}/providers", headers=bearer(tenant.member.token))
    assert providers.get_json()["items"] == [
        {"provider": "tiktok-business", "auth_id": auth_id, "label": "Acme US", "status": "active"}]
    accounts = client.get(f"/api/v1/tenants/{tenant.wid}/providers/tiktok-business/accounts",
                          headers=bearer(tenant.member.token)).get_json()
    assert accounts["total"] == 1 and accounts["items"][0]["auth_id"] == auth_id
    assert accounts["items"][0]["advertiser_count"] == 0 and accounts["items"][0]["store_count"] == 0


def test_callback_follows_safe_return_to_with_flash(ttb, sandbox_clean, env):
    tenant, app_pk, client = env
    response = connect(client, tenant.wid, app_pk, return_to=f"/w/{tenant.wid}/?tab=accounts")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/w/{tenant.wid}/?tab=accounts")
    with client.session_transaction() as session:
        messages = [m for _, m in session.get("_flashes", [])]
    assert any("connected" in m for m in messages), messages

    unsafe = client.post(f"/api/v1/tenants/{tenant.wid}/oauth/tiktok-business/authz",
                         json={"provider_app_id": app_pk, "return_to": "//evil.example/x"})
    assert_error(unsafe, 422, "VALIDATION_ERROR")


def test_callback_json_mode_answers_with_the_binding(ttb, sandbox_clean, env):
    tenant, app_pk, client = env
    started = authz(client, tenant.wid, app_pk)
    response = client.get(approve(started["auth_url"]), headers=JSON)
    assert response.status_code == 200
    body = response.get_json()
    assert body["created"] is True and body["status"] == "active"
    assert body["redirect_to"] == f"/w/{tenant.wid}/accounts/{body['auth_id']}" and body["run_id"]


def test_missing_params_unknown_and_reused_state(ttb, sandbox_clean, env):
    tenant, app_pk, client = env
    assert_error(client.get("/oauth/tiktok-business/callback", headers=JSON), 400, "INVALID_CALLBACK")
    assert_error(client.get("/oauth/tiktok-business/callback?state=abc", headers=JSON), 400, "INVALID_CALLBACK")
    code = sandbox_clean.authorize()
    assert_error(client.get(f"/oauth/tiktok-business/callback?code={code}&state=nope", headers=JSON),
                 400, "INVALID_STATE")

    callback = approve(authz(client, tenant.wid, app_pk)["auth_url"])
    assert client.get(callback).status_code == 302
    assert binding_count(ttb) == 1
    # the same redirect again: the state is spent
    assert_error(client.get(callback, headers=JSON), 400, "INVALID_STATE")
    # and with a fresh, valid code but the spent state
    fresh = sandbox_clean.authorize()
    state = parse_qs(urlsplit(callback).query)["state"][0]
    assert_error(client.get(f"/oauth/tiktok-business/callback?auth_code={fresh}&state={state}", headers=JSON),
                 400, "INVALID_STATE")
    assert binding_count(ttb) == 1


def test_expired_state_is_session_expired_and_stays_spent(ttb, sandbox_clean, env):
    tenant, app_pk, client = env
    started = authz(client, tenant.wid, app_pk)
    with ttb.app_context():
        db.session.execute(update(OAuthState).where(OAuthState.state == started["state"])
                           .values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    callback = approve(started["auth_url"])
    assert_error(client.get(callback, headers=JSON), 410, "SESSION_EXPIRED")
    # not spent by the failed attempt: it keeps answering "expired"; the page offers a retry link
    page = client.get(callback)
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "SESSION_EXPIRED" in html and f'href="/w/{tenant.wid}/oauth/tiktok-business/connect"' in html
    assert "Try again" in html
    assert binding_count(ttb) == 0


def test_foreign_workspace_and_other_users_state_are_invalid(ttb, sandbox_clean, env, factory):
    tenant, app_pk, client = env
    other = factory.tenant("Other")
    callback = approve(authz(client, tenant.wid, app_pk)["auth_url"])

    intruder = ttb.test_client()
    login(intruder, other.admin.email)  # admin of another workspace
    assert_error(intruder.get(callback, headers=JSON), 400, "INVALID_STATE")
    page = intruder.get(callback)
    assert page.status_code == 400 and "Try again" in page.get_data(as_text=True)

    colleague = ttb.test_client()
    login(colleague, tenant.owner.email)  # same workspace, but not the user who started it
    assert_error(colleague.get(callback, headers=JSON), 400, "INVALID_STATE")
    assert binding_count(ttb) == 0

    # the rightful user can still finish: failed attempts by others did not spend the state
    assert client.get(callback).status_code == 302
    assert binding_count(ttb, tenant.wid) == 1 and binding_count(ttb, other.wid) == 0


def test_user_no_longer_admin_cannot_finish(ttb, sandbox_clean, env):
    tenant, app_pk, client = env
    callback = approve(authz(client, tenant.wid, app_pk)["auth_url"])
    with ttb.app_context():
        db.session.execute(update(Membership).where(Membership.user_id == tenant.admin.id,
                                                    Membership.workspace_id == tenant.wid).values(role="member"))
        db.session.commit()
    assert_error(client.get(callback, headers=JSON), 400, "INVALID_STATE")
    assert binding_count(ttb) == 0


def test_sandbox_refusing_the_code_is_token_exchange_failed(ttb, sandbox_clean, env):
    tenant, app_pk, client = env
    started = authz(client, tenant.wid, app_pk)
    made_up = f"/oauth/tiktok-business/callback?auth_code=made-up-code&code=made-up-code&state={started['state']}"
    error = assert_error(client.get(made_up, headers=JSON), 502, "TOKEN_EXCHANGE_FAILED")
    assert error["data"]["tiktok_code"] == 40110
    assert binding_count(ttb) == 0
    # the state was spent by the attempt (single use), so the real redirect is refused too
    assert_error(client.get(approve(started["auth_url"]), headers=JSON), 400, "INVALID_STATE")

    page_state = authz(client, tenant.wid, app_pk)["state"]
    page = client.get(f"/oauth/tiktok-business/callback?code=nope&state={page_state}")
    assert page.status_code == 502
    assert "TOKEN_EXCHANGE_FAILED" in page.get_data(as_text=True)
    assert binding_count(ttb) == 0


def test_wrong_app_secret_is_token_exchange_failed(ttb, sandbox_clean, factory):
    tenant = factory.tenant()
    app_pk = add_provider_app(ttb, sandbox_clean, secret="not-the-secret")
    client = ttb.test_client()
    login(client, tenant.admin.email)
    response = client.get(approve(authz(client, tenant.wid, app_pk)["auth_url"]), headers=JSON)
    error = assert_error(response, 502, "TOKEN_EXCHANGE_FAILED")
    assert error["data"]["tiktok_code"] == 40101
    assert "not-the-secret" not in str(error)


def test_same_token_twice_updates_one_binding_and_reactivates(ttb, sandbox_clean, env):
    from webapp.providers.tiktok_business.oauth import revoke_binding, upsert_binding

    tenant, app_pk, client = env
    assert connect(client, tenant.wid, app_pk, alias="First").status_code == 302
    with ttb.app_context():
        binding = db.session.execute(select(Binding)).scalar_one()
        token, auth_id = binding.access_token, binding.id
        revoke_binding(db.session, tenant.wid, auth_id, remote=False)
        db.session.commit()

        again, created = upsert_binding(db.session, workspace_id=tenant.wid, provider_app_id=app_pk,
                                        access_token=token, scope=[4], advertiser_ids=["1"], user_id=tenant.admin.id)
        db.session.commit()
        assert created is False and again.id == auth_id
        assert (again.status, again.revoked_at, again.alias, again.scope, again.advertiser_ids) == \
            ("active", None, "First", [4], ["1"])
    assert binding_count(ttb) == 1


def test_reconnect_rekeys_the_invalid_binding(ttb, sandbox_clean, env):
    from webapp.providers.tiktok_business.oauth import mark_binding_invalid

    tenant, app_pk, client = env
    assert connect(client, tenant.wid, app_pk, alias="Shop").status_code == 302
    with ttb.app_context():
        binding = db.session.execute(select(Binding)).scalar_one()
        auth_id, old_fp = binding.id, binding.token_fingerprint
        mark_binding_invalid(db.session, binding, "40105 token revoked")
        db.session.commit()

    response = client.post(f"/w/{tenant.wid}/bindings/{auth_id}/reconnect")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(sandbox_clean.portal_url + "/auth?")
    done = client.get(approve(response.headers["Location"]))
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/w/{tenant.wid}/accounts/{auth_id}")
    with ttb.app_context():
        binding = db.session.execute(select(Binding)).scalar_one()
        assert binding.id == auth_id and binding.status == "active" and binding.status_reason is None
        assert binding.token_fingerprint != old_fp and binding.alias == "Shop"


def test_connect_form_redirects_to_portal_and_validates(ttb, sandbox_clean, env):
    tenant, app_pk, client = env
    page = client.get(f"/w/{tenant.wid}/oauth/tiktok-business/connect")
    assert page.status_code == 200 and f'value="{app_pk}"' in page.get_data(as_text=True)
    response = client.post(f"/w/{tenant.wid}/oauth/tiktok-business/connect",
                           data={"provider_app_id": str(app_pk), "alias": "From form"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(sandbox_clean.portal_url + "/auth?")
    assert client.get(approve(location)).status_code == 302
    with ttb.app_context():
        assert db.session.execute(select(Binding.alias)).scalar_one() == "From form"

    bad = client.post(f"/w/{tenant.wid}/oauth/tiktok-business/connect",
                      data={"provider_app_id": str(app_pk), "alias": "x" * 121})
    assert bad.status_code == 422 and 'class="field-error"' in bad.get_data(as_text=True)
    missing = client.post(f"/w/{tenant.wid}/oauth/tiktok-business/connect", data={"provider_app_id": "999999"})
    assert missing.status_code == 422 and "Provider app not found" in missing.get_data(as_text=True)


def test_authz_rules(ttb, sandbox_clean, factory):
    tenant = factory.tenant()
    app_pk = add_provider_app(ttb, sandbox_clean)
    disabled = add_provider_app(ttb, sandbox_clean, enabled=False, app_id="7000000000000000999")
    client = ttb.test_client()
    url = f"/api/v1/tenants/{tenant.wid}/oauth/tiktok-business/authz"
    assert_error(client.post(url, json={"provider_app_id": app_pk}), 401, "AUTH_REQUIRED")
    assert_error(client.post(url, json={"provider_app_id": app_pk}, headers=bearer(tenant.member.token)),
                 403, "FORBIDDEN")
    outsider = factory.user()
    assert_error(client.post(url, json={"provider_app_id": app_pk}, headers=bearer(factory.token(outsider))),
                 403, "FORBIDDEN")
    admin = bearer(tenant.admin.token)
    assert_error(client.post(url, json={}, headers=admin), 422, "VALIDATION_ERROR")
    assert_error(client.post(url, json={"provider_app_id": 424242}, headers=admin), 404, "PROVIDER_APP_NOT_FOUND")
    assert_error(client.post(url, json={"provider_app_id": disabled}, headers=admin), 400, "PROVIDER_APP_DISABLED")
    assert_error(client.post(f"/api/v1/tenants/{tenant.wid}/oauth/facebook/authz", json={"provider_app_id": app_pk},
                             headers=admin), 404, "PROVIDER_NOT_SUPPORTED")
    ok = client.post(url, json={"provider_app_id": app_pk, "alias": "A"}, headers=admin)
    assert ok.status_code == 200
    with ttb.app_context():
        state = db.session.execute(select(OAuthState)).scalar_one()
        assert (state.workspace_id, state.user_id, state.alias) == (tenant.wid, tenant.admin.id, "A")
        assert state.expires_at - state.created_at == timedelta(hours=1)


def test_callback_needs_a_login(ttb, sandbox_clean, env):
    tenant, app_pk, client = env
    callback = approve(authz(client, tenant.wid, app_pk)["auth_url"])
    anonymous = ttb.test_client()
    assert_error(anonymous.get(callback, headers=JSON), 401, "AUTH_REQUIRED")
    page = anonymous.get(callback)
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert binding_count(ttb) == 0
    assert client.get(callback).status_code == 302  # still usable by its user


def test_connect_and_manage_forms_carry_csrf(make_app, sandbox_clean, factory):
    import re

    strict = make_app(TTB_API_BASE_URL=sandbox_clean.base_url, TTB_PORTAL_URL=sandbox_clean.portal_url,
                      WTF_CSRF_ENABLED=True)
    tenant = factory.tenant()
    app_pk = add_provider_app(strict, sandbox_clean)
    client = strict.test_client()
    login(client, tenant.admin.email)
    url = f"/w/{tenant.wid}/oauth/tiktok-business/connect"
    assert client.post(url, data={"provider_app_id": str(app_pk)}).status_code == 403  # no token
    html = client.get(f"/w/{tenant.wid}/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html.split('id="connect-tiktok-business"')[1]).group(1)
    response = client.post(url, data={"provider_app_id": str(app_pk), "alias": "CSRF ok", "csrf_token": token})
    assert response.status_code == 302
    assert client.get(approve(response.headers["Location"])).status_code == 302
    with strict.app_context():
        auth_id = db.session.execute(select(Binding.id)).scalar_one()
    manage = client.get(f"/w/{tenant.wid}/bindings/{auth_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', manage).group(1)
    assert client.post(f"/w/{tenant.wid}/bindings/{auth_id}/alias", data={"alias": "x"}).status_code == 403
    assert client.post(f"/w/{tenant.wid}/bindings/{auth_id}/alias",
                       data={"alias": "Renamed", "csrf_token": token}).status_code == 302
