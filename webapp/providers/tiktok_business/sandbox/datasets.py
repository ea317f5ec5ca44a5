"""Deterministic sandbox datasets: business centers, advertisers, stores, products, campaigns.

Entities are plain dicts (the sandbox's own shape, not TikTok's response shape). Products are
generated on demand from (store seed, index), so a store with 100,000 products costs nothing
until it is listed; edits made through the admin API live in a small overlay.

Dataset ``small`` (tests rely on these facts):
- business centers 7300000000000000001 (owns advertisers ...01-...03) and 7300000000000000002
  (owns ...04-...05); advertisers 7400000000000000001 ... 7400000000000000005;
- stores 7494000000000000001 ... 7494000000000000006; stores 1-4 authorized via BC 1,
  stores 5-6 via BC 2; store 7494000000000000001 has 250 products (the paging store),
  the others 12, 5, 3, 8, 4;
- store visibility (/store/list/): adv1 -> stores 1,2; adv2 -> 1,3; adv3 -> 2,4; adv4 -> 5; adv5 -> 5,6;
- product i (0-based) of a store: NOT_AVAILABLE when i % 10 == 9, OCCUPIED when i % 7 == 6;
- exclusive GMV Max authorization: store 1 -> adv1, store 5 -> adv4;
- campaigns: adv1 has 3 PRODUCT_GMV_MAX + 1 LIVE_GMV_MAX, adv4 has 1 PRODUCT_GMV_MAX.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BC_BASE = 7300000000000000000
ADV_BASE = 7400000000000000000
STORE_BASE = 7494000000000000000
CAMPAIGN_BASE = 1834000000000000000
# Product ids encode (store index, product index) so a lookup needs no table.
PRODUCT_BASE = 1729000000000000000
PRODUCTS_PER_STORE_ID_SPACE = 1_000_000

SMALL_PAGING_STORE_ID = str(STORE_BASE + 1)

_REGIONS = {
    "US": ("USD", "America/Los_Angeles", "Etc/GMT+8", (5, 120)),
    "UK": ("GBP", "Europe/London", "Etc/GMT", (4, 90)),
    "ID": ("IDR", "Asia/Jakarta", "Etc/GMT-7", (15000, 900000)),
    "MY": ("MYR", "Asia/Kuala_Lumpur", "Etc/GMT-8", (10, 400)),
}
_CATEGORIES = [
    "Womenswear > Dresses > Midi Dresses", "Menswear > Tops > Shirts", "Beauty > Skincare > Serums",
    "Home > Kitchen > Cookware", "Sports > Fitness > Yoga Mats", "Bags > Totes",
    "Electronics > Audio > Earbuds", "Toys > Building Blocks", "Food > Snacks > Chips",
    "Baby > Feeding > Bottles",
]
_ADJ = ["Linen", "Classic", "Soft", "Eco", "Pro", "Mini", "Deluxe", "Everyday", "Vintage", "Smart"]
_NOUN = ["Shirt", "Dress", "Serum", "Pan", "Mat", "Tote", "Earbuds", "Blocks", "Chips", "Bottle"]
_BRANDS = ["Acme", "Nimbus", "Kopi Kita", "Borneo Craft", "Thames & Co", "Lotus", "Sunrise", "Orchid"]


def product_id(store_index: int, i: int) -> str:
    return str(PRODUCT_BASE + store_index * PRODUCTS_PER_STORE_ID_SPACE + i)


def generate_product(store: dict[str, Any], i: int, *, realistic: bool = False) -> dict[str, Any]:
    """Product ``i`` of ``store``: a pure function of (store, i)."""
    rng = random.Random(f"{store['store_id']}:{i}")
    currency = store.get("currency", "USD")
    lo, hi = _REGIONS.get(store.get("region", "US"), _REGIONS["US"])[3]
    price = rng.uniform(lo, hi)
    spread = price * rng.choice([0, 0, 0.1, 0.25])
    decimals = 0 if currency == "IDR" else 2
    cat = _CATEGORIES[(i + store["index"]) % len(_CATEGORIES)]
    title = (
        f"{rng.choice(_ADJ)} {cat.split(' > ')[-1].rstrip('s')} #{i + 1}"
        if realistic
        else f"Product {i + 1} of store {store['index']}"
    )
    return {
        "store_id": store["store_id"],
        "item_group_id": product_id(store["index"], i),
        "title": title,
        "product_image_url": f"https://sandbox.example/img/{store['index']}/{i}.jpeg",
        "min_price": f"{price:.{decimals}f}",
        "max_price": f"{price + spread:.{decimals}f}",
        "currency": currency,
        "historical_sales": rng.randint(0, 5000),
        "category": cat,
        "status": "NOT_AVAILABLE" if i % 10 == 9 else "AVAILABLE",
        "gmv_max_ads_status": "OCCUPIED" if i % 7 == 6 else "UNOCCUPIED",
        "is_running_custom_shop_ads": i % 13 == 12,
    }


@dataclass
class ProductCatalog:
    """The products of one store: a generated range plus an edit overlay."""

    store: dict[str, Any]
    count: int = 0
    explicit: list[dict[str, Any]] | None = None  # from a JSON dataset
    realistic: bool = False
    removed: set[str] = field(default_factory=set)
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    added: list[dict[str, Any]] = field(default_factory=list)

    def _base(self, i: int) -> dict[str, Any]:
        if self.explicit is not None:
            return self.explicit[i]
        return generate_product(self.store, i, realistic=self.realistic)

    def _base_len(self) -> int:
        return len(self.explicit) if self.explicit is not None else self.count

    def _base_id(self, i: int) -> str:
        if self.explicit is not None:
            return self.explicit[i]["item_group_id"]
        return product_id(self.store["index"], i)

    def _materialize(self, i: int) -> dict[str, Any]:
        p = self._base(i)
        change = self.changes.get(p["item_group_id"])
        return {**p, **change} if change else p

    def iter_all(self) -> Iterator[dict[str, Any]]:
        for i in range(self._base_len()):
            if self.removed and self._base_id(i) in self.removed:
                continue
            yield self._materialize(i)
        yield from self.added

    def slice(self, start: int, stop: int) -> list[dict[str, Any]]:
        """Visible products [start, stop) without generating the ones before ``start``."""
        out: list[dict[str, Any]] = []
        base_len = self._base_len()
        if not self.removed:
            for i in range(start, min(stop, base_len)):
                out.append(self._materialize(i))
            extra_start = max(0, start - base_len)
            out += self.added[extra_start : max(0, stop - base_len)]
            return out
        pos = 0
        for p in self.iter_all():
            if pos >= stop:
                break
            if pos >= start:
                out.append(p)
            pos += 1
        return out

    def get(self, item_group_id: str) -> dict[str, Any] | None:
        if item_group_id in self.removed:
            return None
        for p in self.added:
            if p["item_group_id"] == item_group_id:
                return p
        if self.explicit is None:
            offset = int(item_group_id) - PRODUCT_BASE - self.store["index"] * PRODUCTS_PER_STORE_ID_SPACE
            if 0 <= offset < self.count:
                return self._materialize(offset)
            return None
        for i, p in enumerate(self.explicit):
            if p["item_group_id"] == item_group_id:
                return self._materialize(i)
        return None

    def visible_count(self) -> int:
        if not self.removed:
            return self._base_len() + len(self.added)
        return sum(1 for _ in self.iter_all())


@dataclass
class Dataset:
    name: str
    business_centers: dict[str, dict[str, Any]]
    advertisers: dict[str, dict[str, Any]]
    stores: dict[str, dict[str, Any]]
    products: dict[str, ProductCatalog]
    campaigns: dict[str, dict[str, Any]]
    user: dict[str, Any]

    def advertiser_stores(self, advertiser_id: str) -> list[dict[str, Any]]:
        return [s for s in self.stores.values() if advertiser_id in s["advertiser_ids"]]

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "business_centers": len(self.business_centers),
            "advertisers": len(self.advertisers),
            "stores": len(self.stores),
            "products": {sid: c.visible_count() for sid, c in self.products.items() if c.visible_count()}
            if len(self.stores) <= 100
            else {"total_stores": len(self.products)},
            "campaigns": len(self.campaigns),
        }


def _bc(index: int, name: str, region: str, company: str) -> dict[str, Any]:
    currency, tz, _, _ = _REGIONS[region]
    return {
        "bc_id": str(BC_BASE + index), "name": name, "company": company, "currency": currency,
        "registered_area": "GB" if region == "UK" else region, "status": "ENABLE", "timezone": tz,
        "type": "NORMAL", "user_role": "ADMIN",
    }


def _adv(index: int, name: str, bc_id: str, region: str) -> dict[str, Any]:
    currency, tz, gmt, _ = _REGIONS[region]
    return {
        "advertiser_id": str(ADV_BASE + index), "name": name, "owner_bc_id": bc_id,
        "currency": currency, "timezone": gmt, "display_timezone": tz,
        "country": "GB" if region == "UK" else region, "company": name.split(" ")[0] + " Ltd",
        "status": "STATUS_ENABLE", "role": "ROLE_CHILD_ADVERTISER", "industry": "291102",
        "language": "en", "advertiser_account_type": "AUCTION", "balance": round(1000 + index * 37.5, 2),
        "create_time": 1700000000 + index * 86400,
    }


def _store(index: int, name: str, bc_id: str, region: str, advertiser_ids: list[str],
           exclusive: str | None) -> dict[str, Any]:
    return {
        "index": index, "store_id": str(STORE_BASE + index), "store_name": name,
        "store_code": f"{region}LC{index:06d}", "store_authorized_bc_id": bc_id, "region": region,
        "targeting_region_codes": ["GB" if region == "UK" else region], "currency": _REGIONS[region][0],
        "advertiser_ids": advertiser_ids, "exclusive_advertiser_id": exclusive,
        "store_status": "ACTIVE", "is_gmv_max_available": True, "store_role": "AD_PROMOTION",
    }


def _campaign(index: int, advertiser_id: str, store_id: str, ptype: str) -> dict[str, Any]:
    return {
        "campaign_id": str(CAMPAIGN_BASE + index), "advertiser_id": advertiser_id, "store_id": store_id,
        "campaign_name": f"{'PGMV' if ptype == 'PRODUCT_GMV_MAX' else 'LGMV'} campaign {index}",
        "promotion_type": ptype, "operation_status": "ENABLE" if index % 4 else "DISABLE",
        "create_time": "2025-07-01 08:00:00", "modify_time": "2025-08-10 02:15:44",
        "objective_type": "PRODUCT_SALES",
        "secondary_status": "CAMPAIGN_STATUS_ENABLE" if index % 4 else "CAMPAIGN_STATUS_DISABLE",
        "roi_protection_compensation_status": "NOT_ELIGIBLE",
    }


def _user() -> dict[str, Any]:
    return {"core_user_id": "7123000011112222333", "display_name": "Sandbox User",
            "email": "s***x@example.com", "create_time": 1690000000,
            "avatar_url": "https://sandbox.example/avatar.jpeg"}


def _assemble(name: str, bcs: list, advs: list, stores: list, counts: dict[int, int],
              campaigns: list, realistic: bool = False) -> Dataset:
    store_map = {s["store_id"]: s for s in stores}
    return Dataset(
        name=name,
        business_centers={b["bc_id"]: b for b in bcs},
        advertisers={a["advertiser_id"]: a for a in advs},
        stores=store_map,
        products={s["store_id"]: ProductCatalog(s, counts.get(s["index"], 0), realistic=realistic) for s in stores},
        campaigns={c["campaign_id"]: c for c in campaigns},
        user=_user(),
    )


def build_small() -> Dataset:
    bc1, bc2 = str(BC_BASE + 1), str(BC_BASE + 2)
    bcs = [_bc(1, "Sandbox BC One", "US", "Sandbox Trading Ltd"), _bc(2, "Sandbox BC Two", "UK", "Sandbox UK Ltd")]
    a = [str(ADV_BASE + i) for i in range(1, 6)]
    advs = [_adv(i, f"Sandbox Advertiser {i}", bc1 if i <= 3 else bc2, "US" if i <= 3 else "UK") for i in range(1, 6)]
    stores = [
        _store(1, "Sandbox Store 1", bc1, "US", [a[0], a[1]], a[0]),
        _store(2, "Sandbox Store 2", bc1, "US", [a[0], a[2]], None),
        _store(3, "Sandbox Store 3", bc1, "US", [a[1]], None),
        _store(4, "Sandbox Store 4", bc1, "US", [a[2]], None),
        _store(5, "Sandbox Store 5", bc2, "UK", [a[3], a[4]], a[3]),
        _store(6, "Sandbox Store 6", bc2, "UK", [a[4]], None),
    ]
    counts = {1: 250, 2: 12, 3: 5, 4: 3, 5: 8, 6: 4}
    s1, s5 = stores[0]["store_id"], stores[4]["store_id"]
    campaigns = [
        _campaign(1, a[0], s1, "PRODUCT_GMV_MAX"), _campaign(2, a[0], s1, "PRODUCT_GMV_MAX"),
        _campaign(3, a[0], s1, "PRODUCT_GMV_MAX"), _campaign(4, a[0], s1, "LIVE_GMV_MAX"),
        _campaign(5, a[3], s5, "PRODUCT_GMV_MAX"),
    ]
    return _assemble("small", bcs, advs, stores, counts, campaigns)


def build_demo() -> Dataset:
    regions = ["US", "UK", "ID", "MY"]
    bcs, advs, stores, campaigns, counts = [], [], [], [], {}
    adv_i = store_i = camp_i = 0
    for b, region in enumerate(regions, start=1):
        brand = _BRANDS[b - 1]
        bc = _bc(b, f"{brand} {region} Business Center", region, f"{brand} Commerce {region}")
        bcs.append(bc)
        region_advs = []
        for k in range(2):
            adv_i += 1
            label = ["Shop Ads", "Brand Ads"][k]
            advs.append(_adv(adv_i, f"{brand} {region} {label}", bc["bc_id"], region))
            region_advs.append(str(ADV_BASE + adv_i))
        for k in range(2):
            store_i += 1
            st = _store(store_i, f"{brand} {['Official Store', 'Outlet'][k]} {region}", bc["bc_id"], region,
                        region_advs if k == 0 else region_advs[:1], region_advs[0] if k == 0 else None)
            stores.append(st)
            counts[store_i] = [180, 45][k]
            camp_i += 1
            campaigns.append(_campaign(camp_i, region_advs[0], st["store_id"], "PRODUCT_GMV_MAX"))
    return _assemble("demo", bcs, advs, stores, counts, campaigns, realistic=True)


def build_large() -> Dataset:
    """50 BCs, 2,000 advertisers, 4,000 stores; store 1 has 100,000 products (generated lazily)."""
    regions = list(_REGIONS)
    bcs = [_bc(b, f"Large BC {b}", regions[b % 4], f"Large Co {b}") for b in range(1, 51)]
    advs = []
    for i in range(1, 2001):
        bc = bcs[(i - 1) % 50]
        advs.append(_adv(i, f"Large Advertiser {i}", bc["bc_id"], regions[((i - 1) % 50) % 4]))
    stores = []
    for s in range(1, 4001):
        adv = advs[(s - 1) % 2000]
        other = advs[s % 2000]["advertiser_id"]
        stores.append(_store(s, f"Large Store {s}", adv["owner_bc_id"], regions[((s - 1) % 2000 % 50) % 4],
                             [adv["advertiser_id"], other], adv["advertiser_id"] if s % 3 == 0 else None))
    counts = {s: (100_000 if s == 1 else 20 + (s * 7919) % 180) for s in range(1, 4001)}
    campaigns = [_campaign(c, advs[(c - 1) % 2000]["advertiser_id"], stores[(c - 1) % 4000]["store_id"],
                           "PRODUCT_GMV_MAX") for c in range(1, 2001)]
    return _assemble("large", bcs, advs, stores, counts, campaigns)


def load_json(path: str | Path) -> Dataset:
    """A dataset file: {"business_centers": [...], "advertisers": [...], "stores": [...],
    "products": [... each with store_id ...], "campaigns": [...]} using the sandbox's entity shapes
    (see _bc/_adv/_store/_campaign for the keys)."""
    raw = json.loads(Path(path).read_text())
    stores = raw.get("stores", [])
    for n, s in enumerate(stores, start=1):
        s.setdefault("index", n)
        s.setdefault("advertiser_ids", [])
        s.setdefault("exclusive_advertiser_id", None)
        s.setdefault("targeting_region_codes", [])
        s.setdefault("store_status", "ACTIVE")
        s.setdefault("is_gmv_max_available", True)
    ds = _assemble(Path(path).stem, raw.get("business_centers", []), raw.get("advertisers", []),
                   stores, {}, raw.get("campaigns", []))
    by_store: dict[str, list] = {}
    for p in raw.get("products", []):
        by_store.setdefault(p["store_id"], []).append(p)
    for sid, cat in ds.products.items():
        cat.explicit = by_store.get(sid, [])
    if raw.get("user"):
        ds.user = raw["user"]
    return ds


BUILDERS: dict[str, Callable[[], Dataset]] = {"small": build_small, "demo": build_demo, "large": build_large}


def load_dataset(name_or_path: str) -> Dataset:
    if name_or_path in BUILDERS:
        return BUILDERS[name_or_path]()
    if Path(name_or_path).is_file():
        return load_json(name_or_path)
    raise ValueError(f"unknown dataset {name_or_path!r}: use small, demo, large or a JSON file path")


def clone(ds: Dataset) -> Dataset:
    return copy.deepcopy(ds)
