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

JSON dataset files (``create_sandbox_app(dataset="/path/file.json")``, ``flask ttb sandbox --dataset PATH``)
---------------------------------------------------------------------------------------------------
One JSON object (UTF-8). Every ID is a JSON *string of digits* (as TikTok sends them) and unique
within its kind. Keys marked (required) must be present; the others take the default shown.
Extra keys on an entity are kept and, for products, returned as-is by /store/product/get/.

    {
      "name": "my-shop",                       default: the file name without ".json"
      "business_centers": [                    (required; may be [])
        {"bc_id": "7300000000000000001",      (required)
         "name": "Acme BC",                    (required)
         "company": <name>, "currency": "USD", "registered_area": "US", "timezone": "Etc/GMT",
         "status": "ENABLE", "type": "NORMAL", "user_role": "ADMIN"}],
      "advertisers": [                         (required; may be [])
        {"advertiser_id": "7400000000000000001",   (required)
         "name": "Acme US Shop Ads",               (required)
         "owner_bc_id": "7300000000000000001",     (required; a bc_id above)
         "currency": <owner BC's>, "country": <owner BC's registered_area>, "timezone": "Etc/GMT",
         "display_timezone": "Etc/GMT", "company": <name>, "status": "STATUS_ENABLE",
         "role": "ROLE_CHILD_ADVERTISER", "advertiser_account_type": "AUCTION", "balance": 0.0,
         "create_time": 1700000000, "industry": "", "language": "en"}],
      "stores": [
        {"store_id": "7494000000000000001",        (required)
         "store_name": "Acme Official Store",      (required)
         "store_authorized_bc_id": "7300000000000000001",   (required; a bc_id above)
         "advertiser_ids": [],                 advertisers that see the store in /store/list/
         "exclusive_advertiser_id": null,      GMV Max exclusive holder; one of advertiser_ids
         "region": "US",                       US | UK | ID | MY (sets currency and price range)
         "product_count": 0,                   N > 0: generate N deterministic products (no "products" entries)
         "store_code": null, "targeting_region_codes": [<region>], "store_status": "ACTIVE",
         "is_gmv_max_available": true, "store_role": "AD_PROMOTION"}],
      "products": [                            listed in this order by /store/product/get/
        {"item_group_id": "1729000000000000001",   (required)
         "store_id": "7494000000000000001",        (required; a store without product_count)
         "title": "Linen Shirt",                   (required)
         "min_price": "9.99", "max_price": <min_price>,   decimal strings
         "currency": <store's>, "status": "AVAILABLE" | "NOT_AVAILABLE",
         "gmv_max_ads_status": "UNOCCUPIED" | "OCCUPIED", "is_running_custom_shop_ads": false,
         "historical_sales": 0, "category": "", "product_image_url": null}],
      "campaigns": [
        {"campaign_id": "1834000000000000001",     (required)
         "advertiser_id": "7400000000000000001",   (required; an advertiser above)
         "campaign_name": "Spring sale",           (required)
         "store_id": null, "promotion_type": "PRODUCT_GMV_MAX" | "LIVE_GMV_MAX",
         "operation_status": "ENABLE", "secondary_status": "CAMPAIGN_STATUS_ENABLE",
         "create_time": "2025-07-01 08:00:00", "modify_time": "2025-07-01 08:00:00",
         "objective_type": "PRODUCT_SALES", "roi_protection_compensation_status": "NOT_ELIGIBLE"}],
      "user": {"core_user_id": "...", "display_name": "..."}   /user/info/; merged over the sandbox user
    }

Problems raise DatasetError (a ValueError) listing each one with its location, e.g.
``stores[1].store_authorized_bc_id: unknown business center '7300000000000000009'``.
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


class DatasetError(ValueError):
    """A dataset name or file that cannot be used; the message lists every problem found."""


MAX_REPORTED_ERRORS = 20
_TOP_KEYS = ("name", "business_centers", "advertisers", "stores", "products", "campaigns", "user")
_PRODUCT_STATUSES = ("AVAILABLE", "NOT_AVAILABLE")
_GMV_MAX_STATUSES = ("OCCUPIED", "UNOCCUPIED")
_PROMOTION_TYPES = ("PRODUCT_GMV_MAX", "LIVE_GMV_MAX")


def load_json(path: str | Path) -> Dataset:
    """Read a dataset file (format: see "JSON dataset files" in the module docstring).

    Raises DatasetError naming the file and every problem (up to 20), e.g.
    ``stores[1].store_authorized_bc_id: unknown business center '7300000000000000009'``.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DatasetError(f"dataset file {file}: cannot read it ({reason})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"dataset file {file}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    return dataset_from_dict(raw, default_name=file.stem, source=f"dataset file {file}")


def dataset_from_dict(raw: Any, *, default_name: str = "custom", source: str = "dataset") -> Dataset:
    """Validate a parsed dataset document, fill defaults and build the Dataset."""
    errors: list[str] = []
    if not isinstance(raw, dict):
        raise DatasetError(f"{source} is invalid: the top level must be a JSON object, got {_kind_of(raw)}")
    unknown = sorted(set(raw) - set(_TOP_KEYS))
    if unknown:
        errors.append(f"unknown top-level key(s) {', '.join(unknown)}; allowed: {', '.join(_TOP_KEYS)}")
    for key in ("business_centers", "advertisers"):
        if key not in raw:
            errors.append(f"{key}: required (a list, may be empty)")

    bcs = [
        {"company": b["name"], "currency": "USD", "registered_area": "US", "status": "ENABLE",
         "timezone": "Etc/GMT", "type": "NORMAL", "user_role": "ADMIN", **b}
        for _, b in _entities(raw, "business_centers", "bc_id", ("name",), errors)
    ]
    bc_by_id = {b["bc_id"]: b for b in bcs}

    # An entity with a bad reference still counts as known below, so one mistake gives one message.
    advs = []
    for n, a in _entities(raw, "advertisers", "advertiser_id", ("name", "owner_bc_id"), errors):
        owner = bc_by_id.get(a["owner_bc_id"])
        if owner is None:
            errors.append(f"advertisers[{n}].owner_bc_id: unknown business center {a['owner_bc_id']!r}")
            owner = {"currency": "USD", "registered_area": "US"}
        advs.append({"currency": owner["currency"], "timezone": "Etc/GMT", "display_timezone": "Etc/GMT",
                     "country": owner["registered_area"], "company": a["name"], "status": "STATUS_ENABLE",
                     "role": "ROLE_CHILD_ADVERTISER", "industry": "", "language": "en",
                     "advertiser_account_type": "AUCTION", "balance": 0.0, "create_time": 1700000000, **a})
    adv_ids = {a["advertiser_id"] for a in advs}

    stores, counts = [], {}
    for n, st in _entities(raw, "stores", "store_id", ("store_name", "store_authorized_bc_id"), errors):
        where = f"stores[{n}]"
        ok = True
        if st["store_authorized_bc_id"] not in bc_by_id:
            errors.append(f"{where}.store_authorized_bc_id: unknown business center {st['store_authorized_bc_id']!r}")
            ok = False
        linked = st.get("advertiser_ids", [])
        if not isinstance(linked, list) or not all(isinstance(x, str) for x in linked):
            errors.append(f"{where}.advertiser_ids: must be a list of advertiser_id strings")
            ok, linked = False, []
        for x in linked:
            if x not in adv_ids:
                errors.append(f"{where}.advertiser_ids: unknown advertiser {x!r}")
                ok = False
        exclusive = st.get("exclusive_advertiser_id")
        if exclusive is not None and exclusive not in linked:
            errors.append(f"{where}.exclusive_advertiser_id: {exclusive!r} must be one of the store's advertiser_ids")
            ok = False
        count = st.get("product_count", 0)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            errors.append(f"{where}.product_count: must be an integer >= 0")
            ok = False
        region = st.get("region", "US")
        if region not in _REGIONS:
            errors.append(f"{where}.region: must be one of {', '.join(_REGIONS)}")
            ok = False
        index = len(stores) + 1  # product ids of generated products derive from it
        currency = _REGIONS.get(region, _REGIONS["US"])[0]
        entity = {"store_code": None, "region": region, "currency": currency,
                  "targeting_region_codes": ["GB" if region == "UK" else region], "advertiser_ids": list(linked),
                  "exclusive_advertiser_id": None, "store_status": "ACTIVE", "is_gmv_max_available": True,
                  "store_role": "AD_PROMOTION", **{k: v for k, v in st.items() if k != "product_count"},
                  "index": index}
        stores.append(entity)
        counts[index] = count if ok else 0
    store_by_id = {st["store_id"]: st for st in stores}

    by_store: dict[str, list[dict[str, Any]]] = {}
    for n, pr in _entities(raw, "products", "item_group_id", ("store_id", "title"), errors):
        where = f"products[{n}]"
        store = store_by_id.get(pr["store_id"])
        if store is None:
            errors.append(f"{where}.store_id: unknown store {pr['store_id']!r}")
            continue
        if counts.get(store["index"]):
            errors.append(f"{where}.store_id: store {pr['store_id']!r} has product_count; list its products "
                          "or generate them, not both")
            continue
        product = {"product_image_url": None, "min_price": "9.99", "currency": store["currency"],
                   "historical_sales": 0, "category": "", "status": "AVAILABLE",
                   "gmv_max_ads_status": "UNOCCUPIED", "is_running_custom_shop_ads": False, **pr}
        product.setdefault("max_price", product["min_price"])
        bad = _product_problem(product)
        if bad:
            errors.append(f"{where}.{bad}")
            continue
        by_store.setdefault(store["store_id"], []).append(product)

    campaigns = []
    for n, c in _entities(raw, "campaigns", "campaign_id", ("advertiser_id", "campaign_name"), errors):
        where = f"campaigns[{n}]"
        if c["advertiser_id"] not in adv_ids:
            errors.append(f"{where}.advertiser_id: unknown advertiser {c['advertiser_id']!r}")
        elif c.get("store_id") is not None and c["store_id"] not in store_by_id:
            errors.append(f"{where}.store_id: unknown store {c['store_id']!r}")
        elif c.get("promotion_type", "PRODUCT_GMV_MAX") not in _PROMOTION_TYPES:
            errors.append(f"{where}.promotion_type: must be one of {', '.join(_PROMOTION_TYPES)}")
        else:
            campaigns.append({"store_id": None, "promotion_type": "PRODUCT_GMV_MAX", "operation_status": "ENABLE",
                              "create_time": "2025-07-01 08:00:00", "modify_time": "2025-07-01 08:00:00",
                              "objective_type": "PRODUCT_SALES", "secondary_status": "CAMPAIGN_STATUS_ENABLE",
                              "roi_protection_compensation_status": "NOT_ELIGIBLE", **c})

    user = raw.get("user")
    if user is not None and not isinstance(user, dict):
        errors.append("user: must be an object")
    name = raw.get("name", default_name)
    if not isinstance(name, str) or not name:
        errors.append("name: must be a non-empty string")

    if errors:
        shown = "\n".join(f"  - {e}" for e in errors[:MAX_REPORTED_ERRORS])
        more = f"\n  ... and {len(errors) - MAX_REPORTED_ERRORS} more" if len(errors) > MAX_REPORTED_ERRORS else ""
        raise DatasetError(f"{source} is invalid:\n{shown}{more}")

    ds = _assemble(name, bcs, advs, stores, counts, campaigns)
    for sid, catalog in ds.products.items():
        if not counts.get(catalog.store["index"]):
            catalog.explicit = by_store.get(sid, [])
    if user:
        ds.user = {**ds.user, **user}
    return ds


def _kind_of(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and value.isdigit()


def _entities(raw: dict[str, Any], key: str, id_key: str, required: tuple[str, ...],
              errors: list[str]) -> list[tuple[int, dict[str, Any]]]:
    """(position, item) for the well-formed items of list ``key``; problems go to ``errors``."""
    items = raw.get(key, [])
    if not isinstance(items, list):
        errors.append(f"{key}: must be a list, got {_kind_of(items)}")
        return []
    out, seen = [], set()
    for n, item in enumerate(items):
        where = f"{key}[{n}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: must be an object, got {_kind_of(item)}")
            continue
        missing = [k for k in (id_key, *required) if item.get(k) in (None, "")]
        if missing:
            errors.append(f"{where}: missing {', '.join(missing)}")
            continue
        ident = item[id_key]
        if not _is_id(ident):
            errors.append(f"{where}.{id_key}: must be a string of digits (TikTok IDs are JSON strings), got {ident!r}")
            continue
        refs = [k for k in required if k.endswith("_id") and not _is_id(item[k])]
        if refs:
            errors.append(f"{where}.{refs[0]}: must be a string of digits, got {item[refs[0]]!r}")
            continue
        if ident in seen:
            errors.append(f"{where}.{id_key}: duplicate {ident!r}")
            continue
        seen.add(ident)
        out.append((n, item))
    return out


def _product_problem(product: dict[str, Any]) -> str | None:
    for key in ("min_price", "max_price"):
        value = product[key]
        try:
            ok = isinstance(value, str) and float(value) >= 0
        except ValueError:
            ok = False
        if not ok:
            return f'{key}: must be a decimal string like "9.99" (TikTok sends prices as strings), got {value!r}'
    if product["status"] not in _PRODUCT_STATUSES:
        return f"status: must be one of {', '.join(_PRODUCT_STATUSES)}"
    if product["gmv_max_ads_status"] not in _GMV_MAX_STATUSES:
        return f"gmv_max_ads_status: must be one of {', '.join(_GMV_MAX_STATUSES)}"
    return None


BUILDERS: dict[str, Callable[[], Dataset]] = {"small": build_small, "demo": build_demo, "large": build_large}


def load_dataset(name_or_path: str) -> Dataset:
    """A built-in dataset by name, or a JSON dataset file by path (DatasetError when neither works)."""
    if name_or_path in BUILDERS:
        return BUILDERS[name_or_path]()
    path = Path(name_or_path)
    if path.is_file():
        return load_json(path)
    if path.suffix.lower() == ".json" or "/" in name_or_path or "\\" in name_or_path:
        raise DatasetError(f"dataset file {name_or_path} does not exist")
    raise DatasetError(f"unknown dataset {name_or_path!r}: use small, demo, large or a JSON file path")


def clone(ds: Dataset) -> Dataset:
    return copy.deepcopy(ds)
