"""The fake TikTok API for Business endpoints: parameter validation and handlers.

Each endpoint declares its parameters (type + required) so validation behaves the same way
everywhere: missing -> 40002 "Missing required field(s): X.", arrays/objects must be JSON text
in GET query strings, repeated keys are rejected, page_size is range-checked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .state import SandboxState, Token


class ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def missing(name: str) -> ApiError:
    return ApiError(40002, f"Missing required field(s): {name}.")


@dataclass
class Ctx:
    state: SandboxState
    params: dict[str, Any]
    token: Token | None
    path: str

    def page(self) -> tuple[int, int]:
        return self.params.get("page", 1), self.params.get("page_size", 10)

    def require_advertiser(self, advertiser_id: str) -> dict[str, Any]:
        if self.token is None or advertiser_id not in self.token.advertiser_ids:
            raise ApiError(40001, f"No permission to operate advertiser {advertiser_id}.")
        adv = self.state.dataset.advertisers.get(advertiser_id)
        if adv is None:
            raise ApiError(40001, f"No permission to operate advertiser {advertiser_id}.")
        return adv


Handler = Callable[[Ctx], dict[str, Any]]


@dataclass
class Endpoint:
    method: str
    handler: Handler
    params: dict[str, str] = field(default_factory=dict)  # name -> str|int|bool|array|object
    required: tuple[str, ...] = ()
    max_page_size: int | None = None
    needs_token: bool = True


ENDPOINTS: dict[str, Endpoint] = {}


def endpoint(path: str, method: str = "GET", *, params: dict[str, str] | None = None,
             required: tuple[str, ...] = (), max_page_size: int | None = None,
             needs_token: bool = True) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ps = dict(params or {})
        if max_page_size:
            ps.update(page="int", page_size="int")
        ENDPOINTS[path] = Endpoint(method, fn, ps, required, max_page_size, needs_token)
        return fn
    return register


# ------------------------------------------------------------------ parsing


def parse_params(ep: Endpoint, raw: dict[str, Any], from_query: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, kind in ep.params.items():
        if name not in raw or raw[name] in (None, ""):
            continue
        value = raw[name]
        if from_query and isinstance(value, list):
            if len(value) > 1:
                raise ApiError(40002, f"{name}: repeated parameter; pass a JSON array instead.")
            value = value[0]
        out[name] = _coerce(name, kind, value, from_query)
    for name in ep.required:
        if name not in out:
            raise missing(name)
    if ep.max_page_size:
        page = out.setdefault("page", 1)
        size = out.setdefault("page_size", 10)
        if page < 1:
            raise ApiError(40002, "page: value must be >= 1.")
        if not 1 <= size <= ep.max_page_size:
            raise ApiError(40002, f"page_size: value must be between 1 and {ep.max_page_size}.")
    return out


def _coerce(name: str, kind: str, value: Any, from_query: bool) -> Any:
    if kind in ("array", "object"):
        if from_query or isinstance(value, str):
            try:
                value = json.loads(value)
            except (TypeError, ValueError):
                raise ApiError(40002, f"{name}: invalid JSON; arrays and objects must be JSON-encoded.") from None
        expected = list if kind == "array" else dict
        if not isinstance(value, expected):
            raise ApiError(40002, f"{name}: must be a JSON {kind}.")
        return value
    if kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(40002, f"{name}: must be an integer.") from None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise ApiError(40002, f"{name}: must be true or false.")
    return str(value)


def paginate(ctx: Ctx, total: int, slicer: Callable[[int, int], list[dict[str, Any]]]) -> tuple[list, dict]:
    page, size = ctx.page()
    start = (page - 1) * size
    items = slicer(start, start + size) if start < total else []
    info = {"page": page, "page_size": size, "total_number": total,
            "total_page": math.ceil(total / size) if total else 0}
    return items, info


def check_app(ctx: Ctx) -> None:
    app_id, secret = ctx.params["app_id"], ctx.params["secret"]
    if app_id != ctx.state.app_id:
        raise ApiError(40113, "App does not exist or app_id is inconsistent.")
    if secret != ctx.state.secret:
        raise ApiError(40101, "Invalid auth params: app_id and secret do not match.")


# ------------------------------------------------------------------ OAuth


@endpoint("/oauth2/access_token/", "POST", params={"app_id": "str", "secret": "str", "auth_code": "str"},
          required=("app_id", "secret", "auth_code"), needs_token=False)
def access_token(ctx: Ctx) -> dict[str, Any]:
    check_app(ctx)
    token = ctx.state.redeem_code(ctx.params["auth_code"])
    if token is None:
        raise ApiError(40110, "Invalid authorization code: it is expired, used or cancelled.")
    return {"access_token": token.access_token, "advertiser_ids": token.advertiser_ids, "scope": [4, 5, 6, 9]}


@endpoint("/oauth2/revoke_token/", "POST", params={"app_id": "str", "secret": "str", "access_token": "str"},
          required=("app_id", "secret", "access_token"))
def revoke_token(ctx: Ctx) -> dict[str, Any]:
    check_app(ctx)
    with ctx.state.lock:
        target = ctx.state.tokens.get(ctx.params["access_token"])
        if target is None or target.revoked:
            raise ApiError(40105, "Access token is incorrect or has been revoked.")
        target.revoked = True
    return {"app_id": ctx.state.app_id, "advertiser_ids": target.advertiser_ids}


@endpoint("/oauth2/advertiser/get/", params={"app_id": "str", "secret": "str"}, required=("app_id", "secret"))
def authorized_advertisers(ctx: Ctx) -> dict[str, Any]:
    check_app(ctx)
    ds = ctx.state.dataset
    assert ctx.token is not None
    return {"list": [{"advertiser_id": a, "advertiser_name": ds.advertisers[a]["name"]}
                     for a in ctx.token.advertiser_ids if a in ds.advertisers]}


@endpoint("/user/info/")
def user_info(ctx: Ctx) -> dict[str, Any]:
    return dict(ctx.state.dataset.user)


# ------------------------------------------------------------------ Business Center


def visible_bcs(ctx: Ctx) -> list[dict[str, Any]]:
    ds = ctx.state.dataset
    reach = set(ctx.token.advertiser_ids if ctx.token else ())
    ids = {ds.advertisers[a]["owner_bc_id"] for a in reach if a in ds.advertisers}
    ids |= {s["store_authorized_bc_id"] for s in ds.stores.values() if reach & set(s["advertiser_ids"])}
    return [b for b in ds.business_centers.values() if b["bc_id"] in ids]


@endpoint("/bc/get/", params={"bc_id": "str"}, max_page_size=50)
def bc_get(ctx: Ctx) -> dict[str, Any]:
    bcs = visible_bcs(ctx)
    if "bc_id" in ctx.params:
        bcs = [b for b in bcs if b["bc_id"] == ctx.params["bc_id"]]
    items, info = paginate(ctx, len(bcs), lambda a, b: bcs[a:b])
    keys = ("bc_id", "name", "company", "currency", "registered_area", "status", "timezone", "type")
    return {"list": [{"bc_info": {k: bc.get(k) for k in keys}, "user_role": bc.get("user_role", "ADMIN"),
                      "ext_user_role": {"finance_role": "MANAGER"}} for bc in items],
            "page_info": info}


ASSET_TYPES = ("ADVERTISER", "CATALOG", "TIKTOK_SHOP", "PIXEL", "LEAD", "TT_ACCOUNT")


@endpoint("/bc/asset/get/", params={"bc_id": "str", "asset_type": "str", "filtering": "object"},
          required=("bc_id", "asset_type"), max_page_size=50)
def bc_asset_get(ctx: Ctx) -> dict[str, Any]:
    bc_id, asset_type = ctx.params["bc_id"], ctx.params["asset_type"]
    if asset_type not in ASSET_TYPES:
        raise ApiError(40002, f"asset_type: invalid enum value {asset_type}.")
    bc = next((b for b in visible_bcs(ctx) if b["bc_id"] == bc_id), None)
    if bc is None:
        raise ApiError(40001, f"No permission to access Business Center {bc_id}.")
    ds = ctx.state.dataset
    keyword = (ctx.params.get("filtering") or {}).get("keyword")
    assets: list[dict[str, Any]] = []
    null_roles = {"advertiser_account_type": None, "advertiser_role": None, "catalog_role": None,
                  "ad_creation_eligible": None, "store_role": None, "tt_account_roles": None}
    if asset_type == "ADVERTISER":
        reach = set(ctx.token.advertiser_ids if ctx.token else ())
        for a in ds.advertisers.values():
            if a["owner_bc_id"] == bc_id and a["advertiser_id"] in reach:
                assets.append({"asset_type": "ADVERTISER", "asset_id": a["advertiser_id"], "asset_name": a["name"],
                               **null_roles, "advertiser_account_type": "AUCTION", "advertiser_role": "ADMIN",
                               "owner_bc_name": bc["name"]})
    elif asset_type == "TIKTOK_SHOP":
        for s in ds.stores.values():
            if s["store_authorized_bc_id"] == bc_id:
                assets.append({"asset_type": "TIKTOK_SHOP", "asset_id": s["store_id"], "asset_name": s["store_name"],
                               **null_roles, "store_role": "AD_PROMOTION", "owner_bc_name": bc["name"]})
    if keyword:
        assets = [x for x in assets if keyword.lower() in (x["asset_name"] or "").lower()]
    items, info = paginate(ctx, len(assets), lambda a, b: assets[a:b])
    return {"list": items, "page_info": info}


ADVERTISER_FIELDS = (
    "telephone_number", "contacter", "currency", "cellphone_number", "timezone", "advertiser_id", "role",
    "company", "status", "description", "rejection_reason", "address", "name", "language", "industry",
    "license_no", "email", "license_url", "country", "balance", "create_time", "display_timezone",
    "owner_bc_id", "company_name_editable",
)


@endpoint("/advertiser/info/", params={"advertiser_ids": "array", "fields": "array"}, required=("advertiser_ids",))
def advertiser_info(ctx: Ctx) -> dict[str, Any]:
    ids = [str(a) for a in ctx.params["advertiser_ids"]]
    if len(ids) > 100:
        raise ApiError(40002, "advertiser_ids: too many IDs, max 100.")
    fields = ctx.params.get("fields")
    if fields:
        bad = [f for f in fields if f not in ADVERTISER_FIELDS]
        if bad:
            raise ApiError(40002, f"fields: invalid value(s) {', '.join(map(str, bad))}.")
    out = []
    for advertiser_id in ids:
        a = ctx.require_advertiser(advertiser_id)
        row = {k: a.get(k) for k in ADVERTISER_FIELDS if k != "company_name_editable"}
        row.update(advertiser_account_type=a.get("advertiser_account_type", "AUCTION"), description="",
                   rejection_reason="", address=None, contacter="Sa******er", email="s***x@example.com",
                   cellphone_number=None, telephone_number=None, license_no="", license_url=None)
        if fields:
            row = {k: (a.get(k, False) if k == "company_name_editable" else row.get(k)) for k in fields}
            row["advertiser_id"] = advertiser_id
        out.append(row)
    return {"list": out}


# ------------------------------------------------------------------ Stores & products


@endpoint("/store/list/", params={"advertiser_id": "str", "store_id": "str", "store_type": "str"},
          required=("advertiser_id",))
def store_list(ctx: Ctx) -> dict[str, Any]:
    advertiser_id = ctx.params["advertiser_id"]
    ctx.require_advertiser(advertiser_id)
    stores = ctx.state.dataset.advertiser_stores(advertiser_id)
    if "store_id" in ctx.params:
        stores = [s for s in stores if s["store_id"] == ctx.params["store_id"]]
    return {"stores": [{"store_id": s["store_id"], "store_type": "TIKTOK_SHOP", "store_name": s["store_name"],
                        "store_code": s.get("store_code"), "store_authorized_bc_id": s["store_authorized_bc_id"],
                        "catalog_id": None, "targeting_region_codes": s.get("targeting_region_codes", []),
                        "tiktok_account_binding_status": None} for s in stores]}


@endpoint("/store/product/get/", params={"bc_id": "str", "store_id": "str", "filtering": "object",
                                         "advertiser_id": "str", "sort_field": "str", "sort_type": "str"},
          required=("bc_id", "store_id"), max_page_size=100)
def store_products(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    ds = ctx.state.dataset
    filtering = p.get("filtering") or {}
    eligible = filtering.get("ad_creation_eligible")
    if eligible is not None and eligible not in ("GMV_MAX", "CUSTOM_SHOP_ADS"):
        raise ApiError(40002, f"filtering.ad_creation_eligible: invalid enum value {eligible}.")
    if eligible and "advertiser_id" not in p:
        raise missing("advertiser_id")
    group_ids = filtering.get("item_group_ids")
    if group_ids is not None and (not isinstance(group_ids, list) or len(group_ids) > 10):
        raise ApiError(40002, "filtering.item_group_ids: must be an array of at most 10 IDs.")
    store = ds.stores.get(p["store_id"])
    if store is None or visible_bcs(ctx) == [] or store["store_authorized_bc_id"] != p["bc_id"]:
        raise ApiError(40001, "No permission to access the store with this Business Center.")
    if "advertiser_id" in p:
        ctx.require_advertiser(p["advertiser_id"])
        if p["advertiser_id"] not in store["advertiser_ids"]:
            raise ApiError(40001, "The advertiser has no access to this store.")
    catalog = ds.products[store["store_id"]]
    name = filtering.get("product_name")
    sort_field = p.get("sort_field")
    if sort_field and sort_field not in ("min_price", "historical_sales"):
        raise ApiError(40002, f"sort_field: invalid enum value {sort_field}.")
    if group_ids is not None or name or sort_field:
        rows = ([catalog.get(str(g)) for g in group_ids] if group_ids is not None else list(catalog.iter_all()))
        rows = [r for r in rows if r is not None and (not name or name.lower() in r["title"].lower())]
        if sort_field:
            rows.sort(key=lambda r: float(r[sort_field]), reverse=p.get("sort_type", "DESC") == "DESC")
        total, slicer = len(rows), (lambda a, b: rows[a:b])
    else:
        total, slicer = catalog.visible_count(), catalog.slice
    items, info = paginate(ctx, total, slicer)
    out = []
    for r in items:
        row = {k: v for k, v in r.items() if k not in ("gmv_max_ads_status", "is_running_custom_shop_ads")}
        row["catalog_id"] = None
        if eligible:
            row["gmv_max_ads_status"] = r.get("gmv_max_ads_status", "UNOCCUPIED")
        if eligible == "GMV_MAX":
            row["is_running_custom_shop_ads"] = r.get("is_running_custom_shop_ads", False)
        out.append(row)
    return {"store_products": out, "page_info": info}


# ------------------------------------------------------------------ GMV Max


@endpoint("/gmv_max/store/list/", params={"advertiser_id": "str"}, required=("advertiser_id",))
def gmv_max_store_list(ctx: Ctx) -> dict[str, Any]:
    advertiser_id = ctx.params["advertiser_id"]
    ctx.require_advertiser(advertiser_id)
    ds = ctx.state.dataset
    out = []
    for s in ds.advertiser_stores(advertiser_id):
        bc = ds.business_centers.get(s["store_authorized_bc_id"], {})
        excl = ds.advertisers.get(s.get("exclusive_advertiser_id") or "")
        out.append({
            "store_id": s["store_id"], "store_name": s["store_name"], "store_code": s.get("store_code"),
            "thumbnail_url": f"https://sandbox.example/shop/{s['store_id']}.jpeg",
            "store_status": s.get("store_status", "ACTIVE"), "store_role": s.get("store_role", "AD_PROMOTION"),
            "targeting_region_codes": s.get("targeting_region_codes", []),
            "is_gmv_max_available": s.get("is_gmv_max_available", True),
            "store_authorized_bc_id": s["store_authorized_bc_id"], "is_owner_bc": True,
            "store_authorized_bc_info": {"bc_id": bc.get("bc_id"), "bc_name": bc.get("name"),
                                         "bc_profile_image": "https://sandbox.example/bc.png",
                                         "user_role": bc.get("user_role", "ADMIN")},
            "exclusive_authorized_advertiser_info": (
                {"advertiser_id": excl["advertiser_id"], "advertiser_name": excl["name"],
                 "advertiser_status": excl.get("status", "STATUS_ENABLE")} if excl else None),
        })
    return {"store_list": out}


@endpoint("/gmv_max/exclusive_authorization/get/",
          params={"store_id": "str", "store_authorized_bc_id": "str", "advertiser_id": "str"},
          required=("store_id", "store_authorized_bc_id", "advertiser_id"))
def exclusive_authorization(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    adv = ctx.require_advertiser(p["advertiser_id"])
    store = ctx.state.dataset.stores.get(p["store_id"])
    if store is None or store["store_authorized_bc_id"] != p["store_authorized_bc_id"]:
        raise ApiError(40001, "No permission to access the store with this Business Center.")
    holder = store.get("exclusive_advertiser_id")
    out: dict[str, Any] = {"store_id": store["store_id"], "advertiser_id": adv["advertiser_id"]}
    if holder == adv["advertiser_id"]:
        out.update(authorization_status="EFFECTIVE", identity_id=str(7350000000000000000 + store["index"]))
    elif adv["advertiser_id"] in store.get("previous_exclusive_advertiser_ids", []):
        out["authorization_status"] = "INEFFECTIVE"
    else:
        out["authorization_status"] = "UNAUTHORIZED"
    if out["authorization_status"] != "UNAUTHORIZED":
        out.update(advertiser_name=adv["name"], advertiser_status=adv.get("status", "STATUS_ENABLE"))
    return out


CAMPAIGN_FIELDS = ("advertiser_id", "campaign_id", "campaign_name", "operation_status", "create_time",
                   "modify_time", "objective_type", "secondary_status", "roi_protection_compensation_status")


@endpoint("/gmv_max/campaign/get/", params={"advertiser_id": "str", "fields": "array", "filtering": "object"},
          required=("advertiser_id", "filtering"), max_page_size=100)
def gmv_max_campaigns(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    ctx.require_advertiser(p["advertiser_id"])
    f = p["filtering"]
    types = f.get("gmv_max_promotion_types")
    if not types:
        raise missing("filtering.gmv_max_promotion_types")
    if not isinstance(types, list) or any(t not in ("PRODUCT_GMV_MAX", "LIVE_GMV_MAX") for t in types):
        raise ApiError(40002, "filtering.gmv_max_promotion_types: invalid enum value.")
    store_ids = f.get("store_ids")
    if store_ids is not None and len(store_ids) > 10:
        raise ApiError(40002, "filtering.store_ids: max size 10.")
    campaign_ids = f.get("campaign_ids")
    if campaign_ids is not None and len(campaign_ids) > 100:
        raise ApiError(40002, "filtering.campaign_ids: max size 100.")
    rows = [c for c in ctx.state.dataset.campaigns.values()
            if c["advertiser_id"] == p["advertiser_id"] and c["promotion_type"] in types
            and (store_ids is None or c["store_id"] in store_ids)
            and (campaign_ids is None or c["campaign_id"] in campaign_ids)
            and (not f.get("campaign_name") or f["campaign_name"].lower() in c["campaign_name"].lower())]
    fields = p.get("fields") or CAMPAIGN_FIELDS
    items, info = paginate(ctx, len(rows), lambda a, b: rows[a:b])
    return {"list": [{k: c.get(k) for k in fields} for c in items], "page_info": info}
