"""GET /providers and /providers/{provider}/accounts: rows, labels, counts from the mirror, paging,
provider spellings, access rules, and that listing never enqueues anything."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.helpers import assert_error, bearer
from webapp.extensions import db
from webapp.models import Advertiser, ProviderApp, Store, SyncRun, utcnow
from webapp.providers.tiktok_business.oauth import upsert_binding


@pytest.fixture
def seeded(app, factory):
    tenant = factory.tenant()
    with app.app_context():
        pa = ProviderApp(name="App", app_id="A", secret="S", redirect_uri="http://x/cb")
        db.session.add(pa)
        db.session.flush()
        first, _ = upsert_binding(db.session, workspace_id=tenant.wid, provider_app_id=pa.id, access_token="t1",
                                  scope=[], advertiser_ids=[], alias="Shop US")
        second, _ = upsert_binding(db.session, workspace_id=tenant.wid, provider_app_id=pa.id, access_token="t2",
                                   scope=[], advertiser_ids=[])
        common = {"workspace_id": tenant.wid, "binding_id": first.id}
        db.session.add_all([Advertiser(advertiser_id="1", **common), Advertiser(advertiser_id="2", **common),
                            Advertiser(advertiser_id="3", removed_at=utcnow(), **common),
                            Store(store_id="9", **common)])
        db.session.commit()
        return tenant, first.id, second.id, pa.id


def test_the_seed_curl_examples(client, seeded):
    tenant, first, second, _ = seeded
    # curl -H "Authorization: Bearer $TOKEN" $BASE/api/v1/tenants/$WID/providers
    response = client.get(f"/api/v1/tenants/{tenant.wid}/providers", headers=bearer(tenant.member.token))
    assert response.status_code == 200
    assert response.get_json() == {"items": [
        {"provider": "tiktok-business", "auth_id": first, "label": "Shop US", "status": "active"},
        {"provider": "tiktok-business", "auth_id": second, "label": f"TikTok Business #{second}", "status": "active"},
    ], "page": 1, "page_size": 20, "total": 2}
    # curl -H "Authorization: Bearer $TOKEN" $BASE/api/v1/tenants/$WID/providers/tiktok-business/accounts
    response = client.get(f"/api/v1/tenants/{tenant.wid}/providers/tiktok-business/accounts",
                          headers=bearer(tenant.member.token))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["page"], body["page_size"], body["total"]) == (1, 20, 2)
    one, two = body["items"]
    assert set(one) == {"auth_id", "label", "status", "created_at", "last_synced_at", "advertiser_count",
                        "store_count"}
    assert (one["auth_id"], one["label"], one["advertiser_count"], one["store_count"]) == (first, "Shop US", 2, 1)
    assert (two["auth_id"], two["advertiser_count"], two["store_count"], two["last_synced_at"]) == (second, 0, 0, None)
    assert one["created_at"].endswith("Z")


def test_paging_spellings_and_errors(client, seeded):
    tenant, first, second, _ = seeded
    headers = bearer(tenant.member.token)
    base = f"/api/v1/tenants/{tenant.wid}/providers"
    page2 = client.get(f"{base}/tiktok_business/accounts?page=2&page_size=1", headers=headers).get_json()
    assert [i["auth_id"] for i in page2["items"]] == [second] and page2["total"] == 2
    assert client.get(f"{base}?page=3&page_size=1", headers=headers).get_json()["items"] == []
    assert_error(client.get(f"{base}?page_size=101", headers=headers), 422, "VALIDATION_ERROR")
    assert_error(client.get(f"{base}/tiktok-business/accounts?page=0", headers=headers), 422, "VALIDATION_ERROR")
    assert_error(client.get(f"{base}/facebook/accounts", headers=headers), 404, "PROVIDER_NOT_SUPPORTED")


def test_access_rules_and_isolation(client, seeded, factory):
    tenant, *_ = seeded
    other = factory.tenant("Other")
    for path in ("providers", "providers/tiktok-business/accounts"):
        assert_error(client.get(f"/api/v1/tenants/{tenant.wid}/{path}"), 401, "AUTH_REQUIRED")
        assert_error(client.get(f"/api/v1/tenants/{tenant.wid}/{path}", headers=bearer(other.admin.token)),
                     403, "FORBIDDEN")
        assert client.get(f"/api/v1/tenants/{other.wid}/{path}",
                          headers=bearer(other.admin.token)).get_json()["items"] == []


def test_listing_never_enqueues(client, seeded, redis_client):
    tenant, *_ = seeded
    before = sorted(redis_client.keys("*rq:*"))
    for path in ("providers", "providers/tiktok-business/accounts"):
        assert client.get(f"/api/v1/tenants/{tenant.wid}/{path}", headers=bearer(tenant.admin.token)).status_code == 200
    with client.application.app_context():
        assert db.session.execute(select(func.count(SyncRun.id))).scalar_one() == 0
    assert sorted(redis_client.keys("*rq:*")) == before
