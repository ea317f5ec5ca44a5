"""The account-scoped mirror lists: business centers, advertisers, stores (after a real sync)."""

from __future__ import annotations

import pytest

from tests.helpers import assert_error, bearer
from tests.integration.test_sync_meta import ADV, BC1, BC2, STORE, make_binding, run_sync


@pytest.fixture
def synced(app, factory, sandbox_clean):
    tenant = factory.tenant()
    binding_id = make_binding(app, tenant.wid, sandbox_clean.issue_token(), sandbox_clean.app_id,
                              sandbox_clean.secret)
    assert run_sync(app, sandbox_clean, binding_id).status == "success"
    return tenant, binding_id


def url(wid: int, auth_id, what: str, provider: str = "tiktok-business") -> str:
    return f"/api/v1/tenants/{wid}/providers/{provider}/accounts/{auth_id}/{what}"


def test_lists_and_filters(client, synced):
    tenant, auth_id = synced
    headers = bearer(tenant.member.token)

    bcs = client.get(url(tenant.wid, auth_id, "business-centers"), headers=headers)
    assert bcs.status_code == 200
    assert [(b["bc_id"], b["name"]) for b in bcs.get_json()["items"]] == [(BC1, "Sandbox BC One"),
                                                                          (BC2, "Sandbox BC Two")]

    advs = client.get(url(tenant.wid, auth_id, "advertisers"), headers=headers).get_json()["items"]
    assert [a["advertiser_id"] for a in advs] == ADV
    first = advs[0]
    assert {k: first[k] for k in ("name", "status", "currency", "timezone", "display_timezone", "country_code",
                                  "industry", "bc_id")} == {
        "name": "Sandbox Advertiser 1", "status": "STATUS_ENABLE", "currency": "USD", "timezone": "Etc/GMT+8",
        "display_timezone": "America/Los_Angeles", "country_code": "US", "industry": "291102", "bc_id": BC1}

    only_bc2 = client.get(url(tenant.wid, auth_id, "advertisers") + f"?owner_bc_id={BC2}", headers=headers)
    assert [a["advertiser_id"] for a in only_bc2.get_json()["items"]] == ADV[3:]
    assert {a["bc_id"] for a in only_bc2.get_json()["items"]} == {BC2}

    stores = client.get(url(tenant.wid, auth_id, "stores"), headers=headers).get_json()["items"]
    assert [s["store_id"] for s in stores] == STORE
    s1 = stores[0]
    assert {k: s1[k] for k in ("name", "store_type", "store_code", "store_authorized_bc_id", "targeting_region_codes",
                               "advertiser_ids", "is_gmv_max_available", "store_status")} == {
        "name": "Sandbox Store 1", "store_type": "TIKTOK_SHOP", "store_code": "USLC000001",
        "store_authorized_bc_id": BC1, "targeting_region_codes": ["US"], "advertiser_ids": [ADV[0], ADV[1]],
        "is_gmv_max_available": True, "store_status": "ACTIVE"}

    adv1 = client.get(url(tenant.wid, auth_id, "stores") + f"?advertiser_id={ADV[0]}", headers=headers)
    assert [s["store_id"] for s in adv1.get_json()["items"]] == STORE[:2]
    nothing = client.get(url(tenant.wid, auth_id, "stores") + "?advertiser_id=123", headers=headers)
    assert nothing.status_code == 200 and nothing.get_json() == {"items": []}


def test_search_sort_and_the_underscore_provider_spelling(client, synced):
    tenant, auth_id = synced
    headers = bearer(tenant.member.token)
    desc = client.get(url(tenant.wid, auth_id, "stores", "tiktok_business") + "?sort=-name", headers=headers)
    assert [s["store_id"] for s in desc.get_json()["items"]] == STORE[::-1]
    found = client.get(url(tenant.wid, auth_id, "advertisers") + "?q=advertiser 4", headers=headers)
    assert [a["advertiser_id"] for a in found.get_json()["items"]] == [ADV[3]]
    bad = client.get(url(tenant.wid, auth_id, "advertisers") + "?sort=balance", headers=headers)
    assert_error(bad, 422, "VALIDATION_ERROR")
    renamed = client.get(url(tenant.wid, auth_id, "stores") + "?shop_id=1", headers=headers)
    assert_error(renamed, 422, "VALIDATION_ERROR")


def test_removed_rows_are_hidden(app, client, synced, sandbox_clean):
    tenant, auth_id = synced
    headers = bearer(tenant.member.token)
    sandbox_clean.admin("DELETE", f"entities/advertisers/{ADV[2]}")  # takes store 4 (adv3 only) with it
    assert run_sync(app, sandbox_clean, auth_id).summary["advertisers"]["removed"] == 1

    advs = client.get(url(tenant.wid, auth_id, "advertisers"), headers=headers).get_json()["items"]
    assert ADV[2] not in [a["advertiser_id"] for a in advs]
    stores = client.get(url(tenant.wid, auth_id, "stores"), headers=headers).get_json()["items"]
    assert [s["store_id"] for s in stores] == [STORE[0], STORE[1], STORE[2], STORE[4], STORE[5]]
    assert next(s for s in stores if s["store_id"] == STORE[1])["advertiser_ids"] == [ADV[0]]
    by_removed = client.get(url(tenant.wid, auth_id, "stores") + f"?advertiser_id={ADV[2]}", headers=headers)
    assert by_removed.get_json() == {"items": []}


def test_isolation(client, factory, synced):
    tenant, auth_id = synced
    other = factory.tenant("Other")

    for what in ("business-centers", "advertisers", "stores"):
        assert_error(client.get(url(tenant.wid, auth_id, what)), 401, "AUTH_REQUIRED")
        # A member of another workspace is not a member here.
        assert_error(client.get(url(tenant.wid, auth_id, what), headers=bearer(other.owner.token)), 403, "FORBIDDEN")
        # In their own workspace, this tenant's binding does not exist.
        assert_error(client.get(url(other.wid, auth_id, what), headers=bearer(other.owner.token)), 404,
                     "BINDING_NOT_FOUND")
        assert_error(client.get(url(tenant.wid, "999999", what), headers=bearer(tenant.member.token)), 404,
                     "BINDING_NOT_FOUND")
        assert_error(client.get(url(tenant.wid, "abc", what), headers=bearer(tenant.member.token)), 404,
                     "BINDING_NOT_FOUND")
        assert_error(client.get(url(tenant.wid, auth_id, what, "facebook"), headers=bearer(tenant.member.token)),
                     404, "PROVIDER_NOT_SUPPORTED")
