"""The TikTok client against the sandbox over real HTTP: contract, paging, retries, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.fixtures.sandbox import Recorder
from webapp.providers.tiktok_business import (
    AuthCodeError,
    BadRequestError,
    PaginationError,
    PermissionDeniedError,
    RateLimitedError,
    TikTokClient,
    TokenInvalidError,
    TransientError,
)

BC1, BC2 = "7300000000000000001", "7300000000000000002"
ADV1, ADV4 = "7400000000000000001", "7400000000000000004"
STORE1 = "7494000000000000001"  # the 250-product store
PRODUCTS = "/store/product/get/"

# Parameters per endpoint as listed on the official reference pages (flattened children removed).
REFERENCE_PARAMS = {
    "/bc/get/": ({"bc_id", "page", "page_size"}, set()),
    "/bc/asset/get/": ({"bc_id", "asset_type", "filtering", "page", "page_size"}, {"bc_id", "asset_type"}),
    "/advertiser/info/": ({"advertiser_ids", "fields"}, {"advertiser_ids"}),
    "/store/list/": ({"advertiser_id", "store_id", "store_type"}, {"advertiser_id"}),
    PRODUCTS: ({"bc_id", "store_id", "filtering", "advertiser_id", "sort_field", "sort_type", "page", "page_size"},
               {"bc_id", "store_id"}),
    "/gmv_max/store/list/": ({"advertiser_id"}, {"advertiser_id"}),
    "/gmv_max/exclusive_authorization/get/": ({"store_id", "store_authorized_bc_id", "advertiser_id"},
                                              {"store_id", "store_authorized_bc_id", "advertiser_id"}),
    "/gmv_max/campaign/get/": ({"advertiser_id", "fields", "filtering", "page", "page_size"},
                               {"advertiser_id", "filtering"}),
    "/oauth2/access_token/": ({"app_id", "secret", "auth_code"}, {"app_id", "secret", "auth_code"}),
    "/oauth2/revoke_token/": ({"app_id", "secret", "access_token"}, {"app_id", "secret", "access_token"}),
    "/oauth2/advertiser/get/": ({"app_id", "secret"}, {"app_id", "secret"}),
    "/user/info/": (set(), set()),
}
JSON_PARAMS = {"filtering", "advertiser_ids", "fields"}




@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(sandbox_clean, recorder) -> Iterator[TikTokClient]:
    token = sandbox_clean.issue_token()
    http = httpx.Client(timeout=10, event_hooks={"request": [recorder]})
    with TikTokClient(sandbox_clean.base_url, token, http=http, sleep=lambda s: None) as c:
        yield c
    http.close()


def _calls(recorder: Recorder, base_url: str) -> list[tuple[str, str, dict, httpx.Request]]:
    out = []
    for r in recorder.requests:
        path = urlsplit(str(r.url)).path.removeprefix(urlsplit(base_url).path)
        params = dict(parse_qsl(urlsplit(str(r.url)).query))
        if r.method == "POST":
            params.update(json.loads(r.content))
        out.append((r.method, path, params, r))
    return out


def test_every_request_matches_reference_parameters(sandbox_clean, recorder) -> None:
    token = sandbox_clean.issue_token(via_oauth=True)
    http = httpx.Client(timeout=10, event_hooks={"request": [recorder]})
    c = TikTokClient(sandbox_clean.base_url, token, http=http)
    code = sandbox_clean.authorize()
    c.exchange_auth_code(sandbox_clean.app_id, sandbox_clean.secret, code)
    c.get_authorized_advertisers(sandbox_clean.app_id, sandbox_clean.secret)
    c.get_user_info()
    list(c.iter_business_centers())
    list(c.iter_bc_assets(BC1, "ADVERTISER", filtering={"keyword": "Sandbox"}))
    c.get_advertiser_info([ADV1], fields=["name", "currency"])
    c.list_stores(ADV1)
    list(c.iter_store_products(bc_id=BC1, store_id=STORE1, advertiser_id=ADV1))
    c.list_gmv_max_stores(ADV1)
    c.get_exclusive_authorization(store_id=STORE1, store_authorized_bc_id=BC1, advertiser_id=ADV1)
    list(c.iter_gmv_max_campaigns(ADV1))
    c.revoke_token(sandbox_clean.app_id, sandbox_clean.secret, token)
    seen = set()
    for method, path, params, req in _calls(recorder, sandbox_clean.base_url):
        allowed, required = REFERENCE_PARAMS[path]
        seen.add(path)
        assert path.endswith("/")
        assert set(params) <= allowed, (path, set(params) - allowed)
        assert required <= set(params), (path, required - set(params))
        for name in JSON_PARAMS & set(params):
            if method == "GET":
                json.loads(params[name])  # JSON text, not repeated keys
        if path == "/oauth2/access_token/":
            assert "Access-Token" not in req.headers
        else:
            assert req.headers["Access-Token"] == token
        if method == "POST":
            assert req.headers["Content-Type"] == "application/json"
    assert seen == set(REFERENCE_PARAMS)
    product_call = next(p for _, path, p, _ in _calls(recorder, sandbox_clean.base_url) if path == PRODUCTS)
    assert json.loads(product_call["filtering"]) == {"ad_creation_eligible": "GMV_MAX"}
    assert product_call["page_size"] == "100"
    http.close()


def test_products_paginate_250_in_3_pages(client, sandbox_clean) -> None:
    pages = list(client.iter_store_products(bc_id=BC1, store_id=STORE1, advertiser_id=ADV1))
    assert [len(p.items) for p in pages] == [100, 100, 50]
    ids = [p.item_group_id for page in pages for p in page.items]
    assert len(set(ids)) == 250
    assert all(p.gmv_max_ads_status in ("OCCUPIED", "UNOCCUPIED") for page in pages for p in page.items)
    assert {p.status for page in pages for p in page.items} == {"AVAILABLE", "NOT_AVAILABLE"}
    assert isinstance(pages[0].items[0].min_price, str)
    assert sandbox_clean.stats()["requests"][PRODUCTS] == 3


def test_products_without_eligibility_omit_gmv_status(client) -> None:
    page = next(client.iter_store_products(bc_id=BC1, store_id=STORE1, eligibility=None))
    assert page.items[0].gmv_max_ads_status is None


@pytest.mark.parametrize("code", [40100, 51010])
def test_retry_then_success(client, sandbox_clean, code) -> None:
    sandbox_clean.set_faults({"fail_next": [{"path": "/user/info/", "count": 2, "code": code}]})
    assert client.get_user_info().core_user_id
    assert sandbox_clean.stats()["codes"]["/user/info/"] == {str(code): 2, "0": 1}


def test_retries_exhausted_raise_with_request_id(sandbox_clean) -> None:
    sandbox_clean.set_faults({"fail_next": [{"path": "/user/info/", "count": 10, "code": 50000}]})
    c = TikTokClient(sandbox_clean.base_url, sandbox_clean.issue_token(), max_retries=2, sleep=lambda s: None)
    with pytest.raises(TransientError) as info:
        c.get_user_info()
    assert info.value.code == 50000 and info.value.request_id
    assert sandbox_clean.stats()["requests"]["/user/info/"] == 3


def test_rate_limited_raises_after_retries(sandbox_clean) -> None:
    sandbox_clean.set_faults({"fail_next": [{"path": "/user/info/", "count": 10, "code": 40100}]})
    c = TikTokClient(sandbox_clean.base_url, sandbox_clean.issue_token(), max_retries=1, sleep=lambda s: None)
    with pytest.raises(RateLimitedError):
        c.get_user_info()


def test_revoked_token_is_not_retried(client, sandbox_clean) -> None:
    token = sandbox_clean.admin("GET", "tokens")["tokens"][0]["access_token"]
    sandbox_clean.admin("POST", "tokens/revoke", {"access_token": token})
    with pytest.raises(TokenInvalidError) as info:
        client.list_stores(ADV1)
    assert info.value.code == 40105 and info.value.request_id
    assert token not in str(info.value)
    assert sandbox_clean.stats()["requests"]["/store/list/"] == 1


def test_missing_token_is_40104(sandbox_clean) -> None:
    with pytest.raises(TokenInvalidError) as info:
        TikTokClient(sandbox_clean.base_url).get_user_info()
    assert info.value.code == 40104


def test_persistent_page_failure_raises_not_short_list(client, sandbox_clean) -> None:
    sandbox_clean.set_faults(f"fail_page={PRODUCTS}:3")
    got = []
    with pytest.raises(TransientError):
        for page in client.iter_store_products(bc_id=BC1, store_id=STORE1, advertiser_id=ADV1):
            got += page.items
    assert len(got) == 200
    assert sandbox_clean.stats()["requests"][PRODUCTS] == 2 + 5  # page 3: first try + 4 retries


def test_page_failure_that_recovers(client, sandbox_clean) -> None:
    sandbox_clean.set_faults(f"fail_page={PRODUCTS}:2:2:51010")
    pages = list(client.iter_store_products(bc_id=BC1, store_id=STORE1, advertiser_id=ADV1))
    assert sum(len(p.items) for p in pages) == 250


@pytest.mark.parametrize("kind", ["repeat_page", "duplicate_page", "total_drift"])
def test_inconsistent_pages_raise_pagination_error(client, sandbox_clean, kind) -> None:
    sandbox_clean.set_faults(f"{kind}={PRODUCTS}:2")
    with pytest.raises(PaginationError):
        list(client.iter_store_products(bc_id=BC1, store_id=STORE1, advertiser_id=ADV1))


def test_permission_and_bad_request(client, sandbox_clean) -> None:
    with pytest.raises(PermissionDeniedError):
        list(client.iter_store_products(bc_id=BC2, store_id=STORE1, advertiser_id=ADV1))
    limited = TikTokClient(sandbox_clean.base_url, sandbox_clean.issue_token([ADV4]))
    with pytest.raises(PermissionDeniedError):
        limited.list_stores(ADV1)
    with pytest.raises(BadRequestError, match="Missing required field"):
        client.request("GET", "/store/list/", params={})
    with pytest.raises(BadRequestError, match="JSON"):
        client.request("GET", "/advertiser/info/", params={"advertiser_ids": "7400000000000000001"})
    with pytest.raises(BadRequestError, match="page_size"):
        client.request("GET", PRODUCTS, params={"bc_id": BC1, "store_id": STORE1, "page_size": 101})
    assert sandbox_clean.stats()["requests"]["/store/list/"] == 2  # no retries


def test_missing_trailing_slash_is_plain_404(sandbox_clean) -> None:
    resp = httpx.get(sandbox_clean.base_url + "/user/info", headers={"Access-Token": "x"})
    assert resp.status_code == 404
    assert httpx.get(sandbox_clean.base_url + "/nope/").status_code == 404


def test_oauth_flow_and_auth_code_single_use(sandbox_clean) -> None:
    page = httpx.get(sandbox_clean.portal_url + "/auth", params={
        "app_id": sandbox_clean.app_id, "state": "xyz", "redirect_uri": "http://127.0.0.1:9/cb"})
    assert page.status_code == 200 and "Authorize" in page.text and "<form" in page.text
    resp = httpx.post(sandbox_clean.portal_url + "/auth", data={
        "app_id": sandbox_clean.app_id, "state": "xyz", "redirect_uri": "http://127.0.0.1:9/cb"})
    assert resp.status_code == 302
    q = httpx.URL(resp.headers["location"]).params
    assert q["auth_code"] == q["code"] and q["state"] == "xyz"
    c = TikTokClient(sandbox_clean.base_url)
    with pytest.raises(AuthCodeError) as info:
        c.exchange_auth_code(sandbox_clean.app_id, "wrong-secret", q["auth_code"])
    assert info.value.code == 40101 and "wrong-secret" not in str(info.value)
    with pytest.raises(AuthCodeError) as info:
        c.exchange_auth_code("123", sandbox_clean.secret, q["auth_code"])
    assert info.value.code == 40113
    tok = c.exchange_auth_code(sandbox_clean.app_id, sandbox_clean.secret, q["auth_code"])
    assert len(tok.advertiser_ids) == 5 and tok.scope
    with pytest.raises(AuthCodeError) as info:
        c.exchange_auth_code(sandbox_clean.app_id, sandbox_clean.secret, q["auth_code"])
    assert info.value.code == 40110
    authed = TikTokClient(sandbox_clean.base_url, tok.access_token)
    assert len(authed.get_authorized_advertisers(sandbox_clean.app_id, sandbox_clean.secret)) == 5
    revoked = authed.revoke_token(sandbox_clean.app_id, sandbox_clean.secret, tok.access_token)
    assert revoked.advertiser_ids == tok.advertiser_ids
    with pytest.raises(TokenInvalidError):
        authed.get_user_info()


def test_small_dataset_facts(client) -> None:
    bcs = [b for p in client.iter_business_centers() for b in p.items]
    assert {b.bc_info.bc_id for b in bcs} == {BC1, BC2}
    advs = [a for p in client.iter_bc_assets(BC1, "ADVERTISER") for a in p.items]
    assert len(advs) == 3
    infos = client.get_advertiser_info([f"74000000000000000{i:02d}" for i in range(1, 6)])
    assert [i.owner_bc_id for i in infos] == [BC1, BC1, BC1, BC2, BC2]
    assert [s.store_id for s in client.list_stores(ADV1)] == [STORE1, "7494000000000000002"]
    assert client.get_exclusive_authorization(store_id=STORE1, store_authorized_bc_id=BC1,
                                              advertiser_id=ADV1).authorization_status == "EFFECTIVE"
    other = client.get_exclusive_authorization(store_id=STORE1, store_authorized_bc_id=BC1,
                                               advertiser_id="7400000000000000002")
    assert other.authorization_status == "UNAUTHORIZED"
    assert sum(len(p.items) for p in client.iter_gmv_max_campaigns(ADV1)) == 3
    assert sum(len(p.items) for p in client.iter_gmv_max_campaigns(ADV1, ("LIVE_GMV_MAX",))) == 1


def test_admin_entity_changes_are_visible(client, sandbox_clean) -> None:
    sandbox_clean.admin("PATCH", f"entities/stores/{STORE1}", {"store_name": "Renamed"})
    sandbox_clean.admin("POST", "entities/products", {"store_id": "7494000000000000002", "title": "Added"})
    first = next(client.iter_store_products(bc_id=BC1, store_id=STORE1, advertiser_id=ADV1)).items[0]
    sandbox_clean.admin("DELETE", f"entities/products/{first.item_group_id}")
    sandbox_clean.admin("DELETE", "entities/advertisers/7400000000000000003")
    assert client.list_stores(ADV1)[0].store_name == "Renamed"
    products = [p for page in client.iter_store_products(bc_id=BC1, store_id=STORE1, advertiser_id=ADV1)
                for p in page.items]
    assert len(products) == 249 and first.item_group_id not in {p.item_group_id for p in products}
    store2 = [p for page in client.iter_store_products(bc_id=BC1, store_id="7494000000000000002",
                                                       advertiser_id=ADV1) for p in page.items]
    assert len(store2) == 13 and store2[-1].title == "Added"
    assert len([a for p in client.iter_bc_assets(BC1, "ADVERTISER") for a in p.items]) == 2


def test_advertiser_info_batches_of_50(sandbox_clean, recorder) -> None:
    for _ in range(55):
        sandbox_clean.admin("POST", "entities/advertisers", {"owner_bc_id": BC1})
    token = sandbox_clean.issue_token()
    http = httpx.Client(timeout=10, event_hooks={"request": [recorder]})
    c = TikTokClient(sandbox_clean.base_url, token, http=http)
    ids = c.get_authorized_advertisers(sandbox_clean.app_id, sandbox_clean.secret)
    infos = c.get_advertiser_info([a.advertiser_id for a in ids])
    assert len(infos) == 60
    calls = [p for _, path, p, _ in _calls(recorder, sandbox_clean.base_url) if path == "/advertiser/info/"]
    assert [len(json.loads(p["advertiser_ids"])) for p in calls] == [50, 10]
    http.close()
