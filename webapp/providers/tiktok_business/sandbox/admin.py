"""/_sandbox admin endpoints (JSON): reset, faults, clock, stats, tokens and entity editing."""

from __future__ import annotations

import math
from typing import Any

from flask import Flask, abort, jsonify, request

from .datasets import (
    ADV_BASE,
    BC_BASE,
    CAMPAIGN_BASE,
    PRODUCT_BASE,
    STORE_BASE,
    ProductCatalog,
    _adv,
    _bc,
    _campaign,
    _store,
)
from .faults import Faults
from .state import SandboxState

KINDS = ("business_centers", "advertisers", "stores", "products", "campaigns")
ID_KEYS = {"business_centers": "bc_id", "advertisers": "advertiser_id", "stores": "store_id",
           "products": "item_group_id", "campaigns": "campaign_id"}


def register(app: Flask, state: SandboxState) -> None:
    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}

    @app.post("/_sandbox/reset")
    def reset() -> Any:
        state.reset()
        return jsonify(ok=True, dataset=state.dataset.summary())

    @app.get("/_sandbox/dataset")
    def dataset() -> Any:
        return jsonify(state.dataset.summary())

    @app.get("/_sandbox/stats")
    def stats() -> Any:
        return jsonify(state.stats.snapshot())

    @app.post("/_sandbox/stats/reset")
    def stats_reset() -> Any:
        state.stats.reset()
        return jsonify(ok=True)

    @app.route("/_sandbox/faults", methods=["GET", "POST", "DELETE"])
    def faults() -> Any:
        if request.method == "POST":
            try:
                new = Faults.parse(body()["spec"]) if "spec" in body() else Faults.from_dict(body())
            except (KeyError, ValueError, TypeError, IndexError) as exc:
                return jsonify(error=f"invalid faults: {exc}"), 400
            state.faults = new
        elif request.method == "DELETE":
            state.clear_faults()
        return jsonify(state.faults.to_dict())

    @app.route("/_sandbox/clock", methods=["GET", "POST"])
    def clock() -> Any:
        # {"offset_seconds": 3601} sets the offset from real time; {"advance_seconds": 5} adds to it.
        if request.method == "POST":
            data = body()
            try:
                if "offset_seconds" in data:
                    state.clock.set_offset(_seconds(data["offset_seconds"], "offset_seconds"))
                elif "advance_seconds" in data:
                    state.clock.advance(_seconds(data["advance_seconds"], "advance_seconds"))
                else:
                    raise ValueError("give offset_seconds or advance_seconds")
            except ValueError as exc:
                return jsonify(error=f"invalid clock change: {exc}"), 400
        return jsonify(offset_seconds=state.clock.offset, now=state.clock.time())

    @app.get("/_sandbox/tokens")
    def tokens() -> Any:
        return jsonify(tokens=[t.public() for t in state.tokens.values()])

    @app.post("/_sandbox/tokens")
    def issue_token() -> Any:
        return jsonify(state.issue_token(body().get("advertiser_ids")).public())

    @app.post("/_sandbox/tokens/revoke")
    def revoke() -> Any:
        token = state.tokens.get(body().get("access_token", ""))
        if token is None:
            return jsonify(error="unknown token"), 404
        token.revoked = True
        return jsonify(token.public())

    @app.post("/_sandbox/auth_codes")
    def auth_code() -> Any:
        return jsonify(auth_code=state.issue_code(body().get("advertiser_ids")))

    @app.post("/_sandbox/authorized_advertisers")
    def default_advertisers() -> Any:
        # Which advertisers later OAuth grants reach (null = all of the dataset).
        state.default_advertiser_ids = body().get("advertiser_ids")
        return jsonify(advertiser_ids=state.reachable(None))

    @app.post("/_sandbox/entities/<kind>")
    def add(kind: str) -> Any:
        with state.lock:
            return jsonify(_add(state, _kind(kind), body())), 201

    @app.get("/_sandbox/entities/<kind>/<entity_id>")
    def get(kind: str, entity_id: str) -> Any:
        return jsonify(_find(state, _kind(kind), entity_id))

    @app.patch("/_sandbox/entities/<kind>/<entity_id>")
    def update(kind: str, entity_id: str) -> Any:
        with state.lock:
            return jsonify(_update(state, _kind(kind), entity_id, body()))

    @app.delete("/_sandbox/entities/<kind>/<entity_id>")
    def remove(kind: str, entity_id: str) -> Any:
        with state.lock:
            _remove(state, _kind(kind), entity_id)
        return jsonify(ok=True)


def _seconds(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number of seconds")
    return float(value)


def _kind(kind: str) -> str:
    if kind not in KINDS:
        abort(404)
    return kind


def _find(state: SandboxState, kind: str, entity_id: str) -> dict[str, Any]:
    ds = state.dataset
    if kind == "products":
        for catalog in ds.products.values():
            p = catalog.get(entity_id)
            if p is not None:
                return p
        abort(404)
    entity = getattr(ds, kind).get(entity_id)
    if entity is None:
        abort(404)
    return entity


def _next_id(existing: dict[str, Any], base: int) -> str:
    n = max([int(k) - base for k in existing if k.isdigit()] + [0]) + 1
    return str(base + n)


def _add(state: SandboxState, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    ds = state.dataset
    if kind == "business_centers":
        new_id = data.get("bc_id") or _next_id(ds.business_centers, BC_BASE)
        entity = {**_bc(1, data.get("name", "New BC"), "US", "New Co"), **data, "bc_id": new_id}
    elif kind == "advertisers":
        new_id = data.get("advertiser_id") or _next_id(ds.advertisers, ADV_BASE)
        bc_id = data.get("owner_bc_id") or next(iter(ds.business_centers), "")
        entity = {**_adv(int(new_id) - ADV_BASE, data.get("name", "New Advertiser"), bc_id, "US"), **data,
                  "advertiser_id": new_id}
        # A new account is reachable by tokens issued for "all advertisers".
        for token in state.tokens.values():
            if data.get("grant_existing_tokens", True) and not token.revoked:
                token.advertiser_ids.append(new_id)
    elif kind == "stores":
        new_id = data.get("store_id") or _next_id(ds.stores, STORE_BASE)
        index = max([s["index"] for s in ds.stores.values()] + [0]) + 1
        bc_id = data.get("store_authorized_bc_id") or next(iter(ds.business_centers), "")
        entity = {**_store(index, data.get("store_name", f"New Store {index}"), bc_id, "US",
                           list(data.get("advertiser_ids", [])), None), **data, "store_id": new_id, "index": index}
        ds.products[new_id] = ProductCatalog(entity, int(data.get("product_count", 0)))
    elif kind == "products":
        catalog = ds.products.get(data.get("store_id", ""))
        if catalog is None:
            abort(400, "store_id unknown")
        # Added products get ids far above the generated range so they never collide.
        n_added = sum(len(c.added) for c in ds.products.values())
        new_id = data.get("item_group_id") or str(PRODUCT_BASE + 900_000_000_000 + n_added + 1)
        entity = {"store_id": catalog.store["store_id"], "title": "New Product", "product_image_url": None,
                  "min_price": "9.99", "max_price": "9.99", "currency": catalog.store.get("currency", "USD"),
                  "historical_sales": 0, "category": "Misc", "status": "AVAILABLE",
                  "gmv_max_ads_status": "UNOCCUPIED", "is_running_custom_shop_ads": False, **data,
                  "item_group_id": new_id}
        catalog.added.append(entity)
        catalog.removed.discard(new_id)
        return entity
    else:
        new_id = data.get("campaign_id") or _next_id(ds.campaigns, CAMPAIGN_BASE)
        entity = {**_campaign(int(new_id) - CAMPAIGN_BASE, data.get("advertiser_id", ""), data.get("store_id", ""),
                              data.get("promotion_type", "PRODUCT_GMV_MAX")), **data, "campaign_id": new_id}
    getattr(ds, kind)[new_id] = entity
    return entity


def _update(state: SandboxState, kind: str, entity_id: str, data: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in data.items() if k != ID_KEYS[kind]}
    if kind == "products":
        for catalog in state.dataset.products.values():
            for p in catalog.added:
                if p["item_group_id"] == entity_id:
                    p.update(data)
                    return p
            if catalog.get(entity_id) is not None:
                catalog.changes.setdefault(entity_id, {}).update(data)
                return catalog.get(entity_id) or {}
        abort(404)
    entity = _find(state, kind, entity_id)
    if kind == "stores" and "exclusive_advertiser_id" in data:
        prev = entity.get("exclusive_advertiser_id")
        if prev and prev != data["exclusive_advertiser_id"]:
            entity.setdefault("previous_exclusive_advertiser_ids", []).append(prev)
    entity.update(data)
    return entity


def _remove(state: SandboxState, kind: str, entity_id: str) -> None:
    ds = state.dataset
    if kind == "products":
        for catalog in ds.products.values():
            before = len(catalog.added)
            catalog.added = [p for p in catalog.added if p["item_group_id"] != entity_id]
            if len(catalog.added) != before:
                return
            if catalog.get(entity_id) is not None:
                catalog.removed.add(entity_id)
                return
        abort(404)
    if getattr(ds, kind).pop(entity_id, None) is None:
        abort(404)
    if kind == "advertisers":
        for s in ds.stores.values():
            if entity_id in s["advertiser_ids"]:
                s["advertiser_ids"].remove(entity_id)
        for token in state.tokens.values():
            if entity_id in token.advertiser_ids:
                token.advertiser_ids.remove(entity_id)
    elif kind == "stores":
        ds.products.pop(entity_id, None)
