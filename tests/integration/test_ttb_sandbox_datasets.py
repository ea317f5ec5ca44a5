"""Sandbox datasets over HTTP: a JSON dataset file served through the client, and the lazily
generated ``large`` dataset giving the same ids in every app instance and process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.sandbox import SandboxServer, serving
from webapp.providers.tiktok_business import TikTokClient
from webapp.providers.tiktok_business.sandbox import create_sandbox_app
from webapp.providers.tiktok_business.sandbox.datasets import build_large

ROOT = Path(__file__).resolve().parents[2]
BC1, BC2 = "7300000000000000101", "7300000000000000102"
ADV1, ADV2 = "7400000000000000101", "7400000000000000102"
LISTED, GENERATED = "7494000000000000101", "7494000000000000102"

DATASET = {
    "name": "file-shop",
    "business_centers": [{"bc_id": BC1, "name": "File BC US"},
                         {"bc_id": BC2, "name": "File BC UK", "currency": "GBP", "registered_area": "GB"}],
    "advertisers": [{"advertiser_id": ADV1, "name": "File Ads US", "owner_bc_id": BC1},
                    {"advertiser_id": ADV2, "name": "File Ads UK", "owner_bc_id": BC2}],
    "stores": [
        {"store_id": LISTED, "store_name": "Listed Store", "store_authorized_bc_id": BC1,
         "advertiser_ids": [ADV1], "exclusive_advertiser_id": ADV1, "store_code": "USFILE01"},
        {"store_id": GENERATED, "store_name": "Generated Store", "store_authorized_bc_id": BC2,
         "advertiser_ids": [ADV1, ADV2], "region": "UK", "product_count": 7},
    ],
    "products": [
        {"item_group_id": f"17290000000000001{i:02d}", "store_id": LISTED, "title": f"Listed product {i}",
         "min_price": f"{i}.50", "status": "NOT_AVAILABLE" if i == 3 else "AVAILABLE"}
        for i in range(1, 6)
    ],
    "campaigns": [{"campaign_id": "1834000000000000101", "advertiser_id": ADV1, "store_id": LISTED,
                   "campaign_name": "File campaign"}],
    "user": {"display_name": "File Owner"},
}


@pytest.fixture
def file_sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    path = tmp_path / "file-shop.json"
    path.write_text(json.dumps(DATASET, indent=2))
    with serving(create_sandbox_app(dataset=str(path))) as server:
        yield server


def test_json_dataset_is_served_through_the_client(file_sandbox: SandboxServer) -> None:
    token = file_sandbox.issue_token(via_oauth=True)
    client = TikTokClient(file_sandbox.base_url, token)
    assert file_sandbox.admin("GET", "dataset")["name"] == "file-shop"
    assert client.get_user_info().display_name == "File Owner"
    assert sorted(a.advertiser_id for a in client.get_authorized_advertisers(file_sandbox.app_id,
                                                                              file_sandbox.secret)) == [ADV1, ADV2]
    bcs = [b.bc_info for page in client.iter_business_centers() for b in page.items]
    assert [(b.bc_id, b.currency) for b in bcs] == [(BC1, "USD"), (BC2, "GBP")]
    assert [i.currency for i in client.get_advertiser_info([ADV1, ADV2])] == ["USD", "GBP"]
    assert [(s.store_id, s.store_code) for s in client.list_stores(ADV1)] == [(LISTED, "USFILE01"),
                                                                              (GENERATED, None)]

    pages = list(client.iter_store_products(bc_id=BC1, store_id=LISTED, advertiser_id=ADV1, page_size=2))
    assert [len(p.items) for p in pages] == [2, 2, 1]
    products = [p for page in pages for p in page.items]
    assert [p.title for p in products] == [f"Listed product {i}" for i in range(1, 6)]
    assert (products[2].status, products[2].min_price, products[2].max_price) == ("NOT_AVAILABLE", "3.50", "3.50")

    generated = [p for page in client.iter_store_products(bc_id=BC2, store_id=GENERATED, advertiser_id=ADV2)
                 for p in page.items]
    assert len(generated) == 7 and {p.currency for p in generated} == {"GBP"}

    assert client.get_exclusive_authorization(store_id=LISTED, store_authorized_bc_id=BC1,
                                              advertiser_id=ADV1).authorization_status == "EFFECTIVE"
    campaigns = [c for page in client.iter_gmv_max_campaigns(ADV1) for c in page.items]
    assert [c.campaign_name for c in campaigns] == ["File campaign"]


def test_reset_reloads_the_file(file_sandbox: SandboxServer) -> None:
    file_sandbox.admin("DELETE", f"entities/stores/{LISTED}")
    assert file_sandbox.admin("GET", "dataset")["stores"] == 1
    file_sandbox.reset()
    assert file_sandbox.admin("GET", "dataset")["stores"] == 2


def test_invalid_file_is_refused_at_start(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**DATASET, "stores": [{**DATASET["stores"][0], "store_authorized_bc_id": "1"}]}))
    with pytest.raises(ValueError, match=r"stores\[0\].store_authorized_bc_id: unknown business center '1'"):
        create_sandbox_app(dataset=str(path))


# ---------------------------------------------------------------------------- large dataset

LARGE_BC1, LARGE_ADV1, LARGE_STORE1 = "7300000000000000001", "7400000000000000001", "7494000000000000001"
FAR_PAGE = 537  # products 53,600-53,699 of the 100,000-product store: generated only when asked


def _large_view(server: SandboxServer) -> dict:
    client = TikTokClient(server.base_url, server.issue_token())
    bcs = [b.bc_info.bc_id for page in client.iter_business_centers() for b in page.items]
    data, _ = client.request("GET", "/store/product/get/", params={
        "bc_id": LARGE_BC1, "store_id": LARGE_STORE1, "advertiser_id": LARGE_ADV1,
        "filtering": {"ad_creation_eligible": "GMV_MAX"}, "page": FAR_PAGE, "page_size": 100})
    return {
        "bcs": bcs,
        "stores": [s.store_id for s in client.list_stores("7400000000000000777")],
        "products": [(p["item_group_id"], p["title"], p["min_price"], p["historical_sales"])
                     for p in data["store_products"]],
        "total": data["page_info"]["total_number"],
    }


def test_large_dataset_is_the_same_in_two_app_instances() -> None:
    views = []
    for _ in range(2):
        with serving(create_sandbox_app("large")) as server:
            views.append(_large_view(server))
    first, second = views
    assert first == second
    assert len(first["bcs"]) == 50 and first["total"] == 100_000 and len(first["products"]) == 100
    assert first["products"][0][0] == str(1729000000000000000 + 1_000_000 + 53_600)


def large_fingerprint() -> list:
    """Some ids and generated values of a freshly built ``large`` dataset (JSON-ready)."""
    ds = build_large()
    products = ds.products[LARGE_STORE1].slice(99_990, 100_000)
    return [sorted(ds.stores)[:5], sorted(ds.advertisers)[-3:],
            [[p["item_group_id"], p["title"], p["min_price"], p["historical_sales"]] for p in products]]


def test_large_dataset_is_the_same_in_another_process() -> None:
    """Generation must not depend on per-process state such as hash randomisation."""
    script = ("import json; from tests.integration.test_ttb_sandbox_datasets import large_fingerprint; "
              "print(json.dumps(large_fingerprint()))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # this process runs with another (random) seed
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=True)
    here = large_fingerprint()
    assert json.loads(run.stdout) == here
    assert here[2][-1][0] == str(1729000000000000000 + 1_000_000 + 99_999)
