"""Binding management over the API: list, alias, revoke (remote at the sandbox), delete with its
mirrored data, and tenant isolation on every route."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.helpers import assert_error, bearer
from tests.integration.oauth_support import add_mirror_rows, binding_count
from webapp.extensions import db
from webapp.models import (
    Advertiser,
    AdvertiserStoreLink,
    BcAdvertiserLink,
    Binding,
    BindingConfig,
    BusinessCenter,
    Product,
    ResourceRevision,
    Store,
    SyncRun,
)
from webapp.providers.tiktok_business.client import TikTokClient
from webapp.providers.tiktok_business.errors import TokenInvalidError

BASE = "/api/v1/tenants/{wid}/oauth/tiktok-business/bindings"
MIRROR = (BusinessCenter, Advertiser, BcAdvertiserLink, Store, AdvertiserStoreLink, Product)






def mirror_count(app, binding_id: int) -> int:
    with app.app_context():
        total = sum(db.session.execute(select(func.count(m.id)).where(m.binding_id == binding_id)).scalar_one()
                    for m in (*MIRROR, BindingConfig, SyncRun))
        total += db.session.execute(select(func.count()).select_from(ResourceRevision)
                                    .where(ResourceRevision.binding_id == binding_id)).scalar_one()
        return total


def test_list_and_get_never_show_the_token(ttb, sandbox_clean, bound):
    tenant, app_pk, auth_id, _ = bound
    client = ttb.test_client()
    response = client.get(BASE.format(wid=tenant.wid), headers=bearer(tenant.admin.token))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["page"], body["page_size"], body["total"]) == (1, 20, 1)
    item = body["items"][0]
    assert {"auth_id", "alias", "label", "status", "provider_app_id", "app_id", "advertiser_ids", "scope",
            "created_at", "updated_at", "last_synced_at"} <= set(item)
    assert (item["auth_id"], item["alias"], item["label"], item["status"]) == (auth_id, "Main", "Main", "active")
    assert (item["provider_app_id"], item["app_id"]) == (app_pk, sandbox_clean.app_id)
    text = response.get_data(as_text=True)
    with ttb.app_context():
        token = db.session.get(Binding, auth_id).access_token
    assert token not in text and "fingerprint" not in text and "secret" not in text
    one = client.get(f"{BASE.format(wid=tenant.wid)}/{auth_id}", headers=bearer(tenant.admin.token))
    assert one.status_code == 200 and one.get_json()["auth_id"] == auth_id
    assert_error(client.get(BASE.format(wid=tenant.wid) + "?page_size=0", headers=bearer(tenant.admin.token)),
                 422, "VALIDATION_ERROR")


def test_alias_rename_and_clear(ttb, bound):
    tenant, _, auth_id, _ = bound
    client = ttb.test_client()
    url = f"{BASE.format(wid=tenant.wid)}/{auth_id}/alias"
    renamed = client.patch(url, json={"alias": "  Shop EU  "}, headers=bearer(tenant.admin.token))
    assert renamed.status_code == 200 and renamed.get_json()["alias"] == "Shop EU"
    cleared = client.patch(url, json={"alias": ""}, headers=bearer(tenant.admin.token))
    assert cleared.get_json()["alias"] is None and cleared.get_json()["label"] == f"TikTok Business #{auth_id}"
    assert_error(client.patch(url, json={"alias": "x" * 121}, headers=bearer(tenant.admin.token)),
                 422, "VALIDATION_ERROR")


def test_remote_revoke_kills_the_token_at_tiktok(ttb, sandbox_clean, bound):
    tenant, _, auth_id, _ = bound
    with ttb.app_context():
        token = db.session.get(Binding, auth_id).access_token
    with TikTokClient(sandbox_clean.base_url, token, max_retries=0) as tiktok:
        assert tiktok.get_user_info()  # works before

    client = ttb.test_client()
    response = client.post(f"{BASE.format(wid=tenant.wid)}/{auth_id}/revoke?remote=true",
                           headers=bearer(tenant.admin.token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "revoked" and body["revoked_at"]
    revokes = {path: n for path, n in sandbox_clean.stats()["requests"].items() if path.endswith("revoke_token/")}
    assert list(revokes.values()) == [1], sandbox_clean.stats()["requests"]

    with TikTokClient(sandbox_clean.base_url, token, max_retries=0) as tiktok, pytest.raises(TokenInvalidError) as exc:
        tiktok.get_user_info()
    assert exc.value.code == 40105
    # revoking again is a no-op, and revoked bindings cannot be synced
    again = client.post(f"{BASE.format(wid=tenant.wid)}/{auth_id}/revoke", headers=bearer(tenant.admin.token))
    assert again.status_code == 200 and again.get_json()["status"] == "revoked"


def test_local_revoke_leaves_the_token_alone(ttb, sandbox_clean, bound):
    tenant, _, auth_id, _ = bound
    client = ttb.test_client()
    response = client.post(f"{BASE.format(wid=tenant.wid)}/{auth_id}/revoke?remote=false",
                           headers=bearer(tenant.admin.token))
    assert response.status_code == 200 and response.get_json()["status"] == "revoked"
    with ttb.app_context():
        token = db.session.get(Binding, auth_id).access_token
    with TikTokClient(sandbox_clean.base_url, token, max_retries=0) as tiktok:
        assert tiktok.get_user_info()
    assert_error(client.post(f"{BASE.format(wid=tenant.wid)}/{auth_id}/revoke?remote=maybe",
                             headers=bearer(tenant.admin.token)), 422, "VALIDATION_ERROR")


def test_delete_removes_binding_and_all_mirrored_rows(ttb, bound, factory):
    tenant, app_pk, auth_id, _ = bound
    add_mirror_rows(ttb, tenant.wid, auth_id)
    # a second binding in the same workspace keeps its data
    from webapp.providers.tiktok_business.oauth import upsert_binding

    with ttb.app_context():
        other, _ = upsert_binding(db.session, workspace_id=tenant.wid, provider_app_id=app_pk,
                                  access_token="other-token", scope=[], advertiser_ids=[])
        db.session.commit()
        other_id = other.id
    add_mirror_rows(ttb, tenant.wid, other_id)
    assert mirror_count(ttb, auth_id) >= 10

    client = ttb.test_client()
    response = client.delete(f"{BASE.format(wid=tenant.wid)}/{auth_id}", headers=bearer(tenant.admin.token))
    assert response.status_code == 204
    assert mirror_count(ttb, auth_id) == 0
    assert mirror_count(ttb, other_id) == 9
    assert binding_count(ttb) == 1
    assert_error(client.delete(f"{BASE.format(wid=tenant.wid)}/{auth_id}", headers=bearer(tenant.admin.token)),
                 404, "BINDING_NOT_FOUND")


def test_isolation_on_every_binding_route(ttb, bound, factory):
    tenant, _, auth_id, _ = bound
    other = factory.tenant("Other")
    outsider = factory.user()
    outsider_token = factory.token(outsider)
    client = ttb.test_client()
    routes = [
        ("get", f"{BASE}", None),
        ("get", f"{BASE}/{auth_id}", None),
        ("patch", f"{BASE}/{auth_id}/alias", {"alias": "x"}),
        ("post", f"{BASE}/{auth_id}/revoke?remote=false", None),
        ("delete", f"{BASE}/{auth_id}", None),
    ]
    for method, template, body in routes:
        call = getattr(client, method)
        own = template.format(wid=tenant.wid)
        # other workspace's admin, through their own workspace: the binding does not exist there
        if "{wid}/oauth/tiktok-business/bindings/" in template:
            assert_error(call(template.format(wid=other.wid), json=body, headers=bearer(other.admin.token)),
                         404, "BINDING_NOT_FOUND")
        # and through ours: not a member
        assert_error(call(own, json=body, headers=bearer(other.admin.token)), 403, "FORBIDDEN")
        assert_error(call(own, json=body, headers=bearer(tenant.member.token)), 403, "FORBIDDEN")
        assert_error(call(own, json=body, headers=bearer(outsider_token)), 403, "FORBIDDEN")
        assert_error(call(own, json=body), 401, "AUTH_REQUIRED")
    assert_error(client.get(f"{BASE.format(wid=tenant.wid)}/999999", headers=bearer(tenant.admin.token)),
                 404, "BINDING_NOT_FOUND")
    assert_error(client.get(f"{BASE.format(wid=tenant.wid)}/abc", headers=bearer(tenant.admin.token)),
                 404, "BINDING_NOT_FOUND")
    assert_error(client.get(f"/api/v1/tenants/{tenant.wid}/oauth/other/bindings", headers=bearer(tenant.admin.token)),
                 404, "PROVIDER_NOT_SUPPORTED")
    with ttb.app_context():
        binding = db.session.get(Binding, auth_id)
        assert (binding.alias, binding.status) == ("Main", "active")


def test_remote_revoke_of_a_dead_token_and_tiktok_refusal(ttb, sandbox_clean, bound):
    from webapp.models import ProviderApp

    tenant, app_pk, auth_id, _ = bound
    client = ttb.test_client()
    url = f"{BASE.format(wid=tenant.wid)}/{auth_id}/revoke"
    with ttb.app_context():
        db.session.get(ProviderApp, app_pk).secret = "wrong-secret"  # TikTok answers 40101
        db.session.commit()
    error = assert_error(client.post(url, headers=bearer(tenant.admin.token)), 502, "REVOKE_FAILED")
    assert error["data"]["tiktok_code"] == 40101 and "wrong-secret" not in str(error)
    with ttb.app_context():
        assert db.session.get(Binding, auth_id).status == "active"  # nothing changed
        db.session.get(ProviderApp, app_pk).secret = sandbox_clean.secret
        token = db.session.get(Binding, auth_id).access_token
        db.session.commit()
    sandbox_clean.admin("POST", "tokens/revoke", {"access_token": token})  # the user revoked it at TikTok
    response = client.post(url, headers=bearer(tenant.admin.token))
    assert response.status_code == 200 and response.get_json()["status"] == "revoked"


def test_legacy_binding_sync_route_still_gone(ttb, bound):
    tenant, _, auth_id, _ = bound
    client = ttb.test_client()
    response = client.post(f"{BASE.format(wid=tenant.wid)}/{auth_id}/sync", json={},
                           headers=bearer(tenant.admin.token))
    assert_error(response, 410, "TTB_LEGACY_DISABLED")
