"""Sandbox configuration without a server: fault specs, the advertiser bucket, the clock and
JSON dataset validation (every problem reported with its location)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webapp.providers.tiktok_business.sandbox.datasets import DatasetError, load_dataset, load_json
from webapp.providers.tiktok_business.sandbox.faults import Faults, FaultSpecError
from webapp.providers.tiktok_business.sandbox.state import SandboxClock

BC, ADV, STORE = "7300000000000000001", "7400000000000000001", "7494000000000000001"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("rate_limt_qps=5", "unknown fault key(s) rate_limt_qps; known: rate_limit_qps, advertiser_qps"),
        ("latency_ms", "'latency_ms': expected key=value"),
        ("error_rate=often", "error_rate: expected a number, got 'often'"),
        ("error_rate=2", "error_rate: 2 is not between 0 and 1"),
        ("advertiser_qps=-1", "advertiser_qps: must be > 0"),
        ("seed=1.5", "seed: expected an integer, got '1.5'"),
        ("error_codes=50000|oops", "error_codes: expected codes separated by '|'"),
        ("fail_page=/store/product/get/:x", "fail_page: cannot read '/store/product/get/:x'"),
        ("fail_next=user/info:1", "fail_next: path 'user/info' must start and end with '/'"),
        ("repeat_page=/bc/get/:0", "repeat_page: page must be >= 1"),
        ("seed=1,seed=2", "seed: given twice"),
    ],
)
def test_bad_fault_specs_name_the_problem(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError) as info:
        Faults.parse(spec)
    assert message in str(info.value)


def test_fault_json_rejects_unknown_keys_and_bad_rules() -> None:
    with pytest.raises(FaultSpecError, match="unknown fault key"):
        Faults.from_dict({"latency": 5})
    with pytest.raises(FaultSpecError, match=r"fail_next: cannot read .*missing 'path'"):
        Faults.from_dict({"fail_next": [{"count": 2}]})


def test_advertiser_bucket_is_per_advertiser_and_path() -> None:
    f = Faults.parse("advertiser_qps=2")
    assert f.to_dict()["advertiser_qps"] == 2
    assert f.advertiser_limit("/store/list/", ADV, now=100.0) is None
    assert f.advertiser_limit("/store/list/", ADV, now=100.1) is None
    message = f.advertiser_limit("/store/list/", ADV, now=100.2)
    assert message == (f"Advertiser ({ADV})'s QPS (3) reaches QPS limit 2 for current path /store/list/. "
                       "Please retry later.")
    assert f.advertiser_limit("/gmv_max/store/list/", ADV, now=100.2) is None  # other path
    assert f.advertiser_limit("/store/list/", "7400000000000000002", now=100.2) is None  # other advertiser
    assert f.advertiser_limit("/store/list/", ADV, now=101.05) is None  # the first request left the window
    assert Faults().advertiser_limit("/store/list/", ADV) is None  # off by default


def test_clock_moves_forward_only() -> None:
    clock = SandboxClock()
    clock.set_offset(3601)
    clock.advance(1.5)
    assert clock.offset == 3602.5
    with pytest.raises(ValueError, match="only moves forward"):
        clock.set_offset(10)
    with pytest.raises(ValueError, match=">= 0"):
        clock.advance(-1)
    clock.reset()
    assert clock.offset == 0


def _minimal() -> dict:
    return {
        "business_centers": [{"bc_id": BC, "name": "File BC"}],
        "advertisers": [{"advertiser_id": ADV, "name": "File Advertiser", "owner_bc_id": BC}],
        "stores": [{"store_id": STORE, "store_name": "File Store", "store_authorized_bc_id": BC,
                    "advertiser_ids": [ADV]}],
        "products": [{"item_group_id": "1729000000000000001", "store_id": STORE, "title": "Only product"}],
    }


def _write(tmp_path: Path, doc: object, name: str = "shop.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_minimal_file_gets_defaults(tmp_path: Path) -> None:
    ds = load_dataset(str(_write(tmp_path, _minimal())))
    assert ds.name == "shop"
    assert ds.business_centers[BC]["currency"] == "USD" and ds.business_centers[BC]["company"] == "File BC"
    assert ds.advertisers[ADV]["currency"] == "USD" and ds.advertisers[ADV]["status"] == "STATUS_ENABLE"
    assert ds.stores[STORE]["exclusive_advertiser_id"] is None
    (product,) = ds.products[STORE].slice(0, 10)
    assert product["min_price"] == product["max_price"] == "9.99" and product["status"] == "AVAILABLE"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("advertisers"), "advertisers: required (a list, may be empty)"),
        (lambda d: d.update(advertiser=[]), "unknown top-level key(s) advertiser"),
        (lambda d: d.update(stores={}), "stores: must be a list, got an object"),
        (lambda d: d["business_centers"][0].update(bc_id=7300000000000000001),
         "business_centers[0].bc_id: must be a string of digits (TikTok IDs are JSON strings)"),
        (lambda d: d["business_centers"].append({"bc_id": BC, "name": "Again"}),
         f"business_centers[1].bc_id: duplicate '{BC}'"),
        (lambda d: d["advertisers"][0].pop("name"), "advertisers[0]: missing name"),
        (lambda d: d["advertisers"][0].update(owner_bc_id="7300000000000000009"),
         "advertisers[0].owner_bc_id: unknown business center '7300000000000000009'"),
        (lambda d: d["stores"][0].update(store_authorized_bc_id="7300000000000000009"),
         "stores[0].store_authorized_bc_id: unknown business center '7300000000000000009'"),
        (lambda d: d["stores"][0].update(advertiser_ids=["7400000000000000009"]),
         "stores[0].advertiser_ids: unknown advertiser '7400000000000000009'"),
        (lambda d: d["stores"][0].update(exclusive_advertiser_id="7400000000000000002"),
         "stores[0].exclusive_advertiser_id: '7400000000000000002' must be one of the store's advertiser_ids"),
        (lambda d: d["stores"][0].update(region="FR"), "stores[0].region: must be one of US, UK, ID, MY"),
        (lambda d: d["stores"][0].update(product_count=5),
         f"products[0].store_id: store '{STORE}' has product_count; list its products or generate them"),
        (lambda d: d["products"][0].update(store_id="7494000000000000009"),
         "products[0].store_id: unknown store '7494000000000000009'"),
        (lambda d: d["products"][0].update(min_price=9.99),
         'products[0].min_price: must be a decimal string like "9.99"'),
        (lambda d: d["products"][0].update(status="ON_SALE"),
         "products[0].status: must be one of AVAILABLE, NOT_AVAILABLE"),
        (lambda d: d.update(campaigns=[{"campaign_id": "1834000000000000001", "advertiser_id": ADV,
                                        "campaign_name": "c", "promotion_type": "PRODUCT"}]),
         "campaigns[0].promotion_type: must be one of PRODUCT_GMV_MAX, LIVE_GMV_MAX"),
        (lambda d: d.update(user="me"), "user: must be an object"),
    ],
)
def test_invalid_files_report_the_location(tmp_path: Path, change, message: str) -> None:
    doc = _minimal()
    change(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(DatasetError) as info:
        load_json(path)
    text = str(info.value)
    assert text.startswith(f"dataset file {path} is invalid:")
    assert message in text


def test_all_problems_are_listed_at_once(tmp_path: Path) -> None:
    doc = _minimal()
    doc["advertisers"][0]["owner_bc_id"] = "7300000000000000009"
    doc["products"][0]["status"] = "GONE"
    with pytest.raises(DatasetError) as info:
        load_json(_write(tmp_path, doc))
    assert "advertisers[0].owner_bc_id" in str(info.value) and "products[0].status" in str(info.value)


def test_unreadable_and_unknown_datasets(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"business_centers": [\n')
    with pytest.raises(DatasetError, match=r"broken.json: not valid JSON \(Expecting value at line 2, column 1\)"):
        load_dataset(str(broken))
    with pytest.raises(DatasetError, match="the top level must be a JSON object, got a list"):
        load_json(_write(tmp_path, [1, 2]))
    with pytest.raises(DatasetError, match="missing.json does not exist"):
        load_dataset(str(tmp_path / "missing.json"))
    with pytest.raises(DatasetError, match="unknown dataset 'huge': use small, demo, large or a JSON file path"):
        load_dataset("huge")
