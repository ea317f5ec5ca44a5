"""Legacy TikTok routes (2025-11-12 breaking change): any method → 410 TTB_LEGACY_DISABLED, and only them."""

from __future__ import annotations

import pytest

from tests.helpers import assert_error, bearer

LEGACY = [
    "/api/v1/tenants/{wid}/providers/tiktok-business/business-centers",
    "/api/v1/tenants/{wid}/providers/tiktok-business/advertisers",
    "/api/v1/tenants/{wid}/providers/tiktok_business/stores",
    "/api/v1/tenants/{wid}/providers/tiktok-business/products",
    "/api/v1/tenants/{wid}/providers/tiktok-business/advertisers/123/stores",
    "/api/v1/tenants/{wid}/ttb",
    "/api/v1/tenants/{wid}/ttb/sync",
    "/api/v1/tenants/{wid}/ttb/business-centers/1/advertisers",
    "/api/v1/tenants/{wid}/oauth/tiktok-business/bindings/5/sync",
    "/api/v1/tenants/{wid}/oauth/tiktok-business/bindings/5/sync/status",
    "/api/v1/tenants/{wid}/oauth/tiktok-business/bindings/5/sync/runs/9",
]


@pytest.mark.parametrize("path", LEGACY)
def test_legacy_routes_are_gone(client, factory, path):
    t = factory.tenant()
    for method in ("get", "post", "put", "patch", "delete"):
        resp = getattr(client, method)(path.format(wid=t.wid), json={}, headers=bearer(t.admin.token))
        err = assert_error(resp, 410, "TTB_LEGACY_DISABLED")
        assert "accounts" in err["message"]
    assert_error(client.get(path.format(wid=t.wid)), 410, "TTB_LEGACY_DISABLED")


def test_live_routes_next_to_the_legacy_ones_are_not_caught(client, factory):
    t = factory.tenant()
    h = bearer(t.admin.token)
    # account-scoped routes and the bindings management routes belong to other areas
    for path in (f"/api/v1/tenants/{t.wid}/providers/tiktok-business/accounts/999/sync-runs",
                 f"/api/v1/tenants/{t.wid}/oauth/tiktok-business/bindings/999",
                 f"/api/v1/tenants/{t.wid}/oauth/tiktok-business/bindings/999/syncs",
                 f"/api/v1/tenants/{t.wid}/providers/tiktok-business/shops"):
        assert client.get(path, headers=h).status_code != 410, path
