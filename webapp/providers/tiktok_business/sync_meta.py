"""`ttb.sync.meta`: mirror one binding's business centers, advertisers, stores and their links.

The chain (PRODUCT.md §5): `bc/get` (every page) → `oauth2/advertiser/get` → `advertiser/info` in
batches of ≤ 50 → `store/list` (+ `gmv_max/store/list` where the token allows) per advertiser.

Writes are bulk upserts per page/batch, committed as they go, so a killed worker leaves consistent
rows and a re-run converges (the unique keys make duplicates impossible).

Behaviour worth knowing:
- Removal only follows a *complete* listing. Any TikTok error while listing an entity type (a failed
  or inconsistent page, one advertiser's `store/list` failing, one `advertiser/info` batch failing)
  means nothing of that type is removed in this run. Links are removed only when both the
  advertiser and the store listings were complete; links of a removed advertiser/store go with it.
- BC ↔ advertiser relation, from what the chain tells us:
  OWNER   — `advertiser/info` says owner_bc_id == the BC;
  PARTNER — the advertiser reaches a store authorized via a BC that is not its owner BC (that BC
            shares its store with an advertiser it does not own);
  UNKNOWN — as PARTNER, but the advertiser's owner_bc_id is hidden from this token, so the BC might
            be its owner or a partner.
  AUTHORIZER is never inferred: it would need `/bc/asset/admin/get/` relation data, not in the chain.
- GMV Max fields (store_status, is_gmv_max_available, thumbnail_url, exclusive_advertiser_id) come
  from `gmv_max/store/list`; when the token may not call it (40001) they are skipped silently and
  the stored values are kept. Other failures there are recorded (status partial) but do not make
  the store listing incomplete.
- A dead token (40102/40104/40105/40106) raises TokenInvalidError: the caller marks the binding.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models.base import utcnow
from webapp.models.providers import Binding
from webapp.models.ttb import Advertiser, AdvertiserStoreLink, BcAdvertiserLink, BusinessCenter, Store

from .client import TikTokClient
from .errors import PaginationError, PermissionDeniedError, TikTokError, TokenInvalidError
from .upsert import Tally, bump_revision, mark_removed, mark_removed_where, sync_rows

Progress = Callable[[str, int, int], None]

INFO_BATCH = 50  # advertiser/info accepts ≤ 50 ids per call in our contract
STORE_BATCH = 50  # advertisers whose stores are written (and committed) together
BC_PAGE_SIZE = 50

ADVERTISER_INFO_FIELDS = ("advertiser_id", "name", "status", "currency", "timezone", "display_timezone",
                          "country", "industry", "company", "owner_bc_id")
BC_FIELDS = ("name", "company", "currency", "registered_area", "status", "timezone", "type", "user_role")
ADVERTISER_FIELDS = ("name", "status", "currency", "timezone", "display_timezone", "country_code", "industry",
                     "company", "owner_bc_id")
STORE_FIELDS = ("name", "store_type", "store_code", "store_authorized_bc_id", "targeting_region_codes",
                "store_status", "is_gmv_max_available", "exclusive_advertiser_id", "thumbnail_url")
ADV_STORE_LINK_FIELDS = ("store_authorized_bc_id",)
BC_ADV_LINK_FIELDS = ("relation",)

RELATION_OWNER, RELATION_PARTNER, RELATION_UNKNOWN = "OWNER", "PARTNER", "UNKNOWN"


@dataclass
class SyncResult:
    summary: dict  # {"bc": {added, removed, unchanged, updated}, "advertisers": {...}, "stores": {...}, "partial"}
    counts: dict  # {"bc", "advertisers", "stores", "bc_advertiser_links", "advertiser_store_links", "requests"}
    timings: dict  # seconds per phase, plus "total"
    errors: list[dict]  # [{stage, code, message, request_id}]
    completed: list[str] = field(default_factory=list)  # phases that finished without an error

    @property
    def status(self) -> str:
        if not self.errors:
            return "success"
        return "partial" if self.completed else "failed"


def _noop_progress(phase: str, done: int, total: int) -> None:
    return None


def sync_meta(
    session: Session,
    binding: Binding,
    client: TikTokClient,
    *,
    app_id: str,
    secret: str,
    progress: Progress | None = None,
) -> SyncResult:
    """Mirror the binding's metadata. Raises TokenInvalidError when TikTok says the token is dead."""
    return _MetaSync(session, binding, client, app_id, secret, progress or _noop_progress).run()


class _MetaSync:
    def __init__(self, session: Session, binding: Binding, client: TikTokClient, app_id: str, secret: str,
                 progress: Progress) -> None:
        self.session = session
        self.binding = binding
        # Plain values: commits expire ORM objects and we do not want a reload per batch.
        self.binding_id = binding.id
        self.workspace_id = binding.workspace_id
        self.client = client
        self.app_id = app_id
        self.secret = secret
        self.progress = progress
        self.now = utcnow()
        self.tallies = {"bc": Tally(), "advertisers": Tally(), "stores": Tally()}
        self.link_tallies = {"bc_advertiser_links": Tally(), "advertiser_store_links": Tally()}
        self.errors: list[dict[str, Any]] = []
        self.completed: list[str] = []
        self.timings: dict[str, float] = {}
        self.requests = 0
        self._advertisers_complete = False
        self.seen: dict[str, set[tuple[str, ...]]] = {
            "bc": set(), "advertisers": set(), "stores": set(), "bc_advertiser_links": set(),
            "advertiser_store_links": set(),
        }

    # ---------------------------------------------------------------- helpers

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self.requests += 1
        return fn(*args, **kwargs)

    def _record(self, stage: str, exc: TikTokError) -> None:
        if isinstance(exc, TokenInvalidError):
            raise exc
        code: Any = exc.code
        if code is None:
            code = "PAGINATION_ERROR" if isinstance(exc, PaginationError) else type(exc).__name__
        self.errors.append({"stage": stage, "code": code, "message": exc.message[:500],
                            "request_id": exc.request_id})

    def _sync(self, model: Any, entity: str, rows: Iterable[dict[str, Any]], keys: tuple[str, ...],
              fields: tuple[str, ...]) -> None:
        tally = self.tallies.get(entity) or self.link_tallies[entity]
        sync_rows(self.session, model, rows, binding_id=self.binding_id, workspace_id=self.workspace_id,
                  keys=keys, fields=fields, now=self.now, tally=tally, seen=self.seen[entity])

    def _remove(self, model: Any, entity: str, keys: tuple[str, ...]) -> list[tuple[str, ...]]:
        tally = self.tallies.get(entity) or self.link_tallies[entity]
        return mark_removed(self.session, model, binding_id=self.binding_id, keys=keys, seen=self.seen[entity],
                            now=self.now, tally=tally)

    # ---------------------------------------------------------------- run

    def run(self) -> SyncResult:
        started = time.perf_counter()
        try:
            self._timed("business_centers", self._business_centers)
            authorized = self._timed("advertisers", self._advertisers)
            if authorized is not None:
                self._timed("stores", lambda: self._stores(authorized))
            self._timed("revisions", self._finish)
        except BaseException:
            self.session.rollback()
            raise
        self.timings["total"] = round(time.perf_counter() - started, 4)
        summary: dict[str, Any] = {k: t.as_dict() for k, t in self.tallies.items()}
        result = SyncResult(
            summary=summary,
            counts={
                "bc": len(self.seen["bc"]), "advertisers": len(self.seen["advertisers"]),
                "stores": len(self.seen["stores"]), "bc_advertiser_links": len(self.seen["bc_advertiser_links"]),
                "advertiser_store_links": len(self.seen["advertiser_store_links"]), "requests": self.requests,
            },
            timings=self.timings,
            errors=self.errors,
            completed=self.completed,
        )
        summary["partial"] = result.status == "partial"
        return result

    def _timed(self, phase: str, fn: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        try:
            return fn()
        finally:
            self.timings[phase] = round(time.perf_counter() - t0, 4)

    # ---------------------------------------------------------------- business centers

    def _business_centers(self) -> None:
        done = 0
        try:
            # The generator fetches one page per step: count each step (the failing one too).
            self.requests += 1
            for page in self.client.iter_business_centers(page_size=BC_PAGE_SIZE):
                if page.page < page.total_page:
                    self.requests += 1
                rows = [{"bc_id": item.bc_info.bc_id, "name": item.bc_info.name, "company": item.bc_info.company,
                         "currency": item.bc_info.currency, "registered_area": item.bc_info.registered_area,
                         "status": item.bc_info.status, "timezone": item.bc_info.timezone,
                         "type": item.bc_info.type, "user_role": item.user_role} for item in page.items]
                self._sync(BusinessCenter, "bc", rows, ("bc_id",), BC_FIELDS)
                self.session.commit()
                done += len(rows)
                self.progress("business_centers", done, page.total_number)
        except TikTokError as exc:
            self.session.rollback()
            self._record("business_centers", exc)
            return
        self._remove(BusinessCenter, "bc", ("bc_id",))
        self.session.commit()
        self.completed.append("business_centers")

    # ---------------------------------------------------------------- advertisers

    def _advertisers(self) -> list[str] | None:
        """Authorized advertiser ids (None when the list itself failed), details written in batches."""
        try:
            authorized = self._call(self.client.get_authorized_advertisers, self.app_id, self.secret)
        except TikTokError as exc:
            self._record("advertisers", exc)
            return None
        names = {a.advertiser_id: a.advertiser_name for a in authorized}
        ids = list(names)
        self.progress("advertisers", len(ids), len(ids))
        if list(self.binding.advertiser_ids or []) != ids:
            self.binding.advertiser_ids = ids

        complete = True
        for start in range(0, len(ids), INFO_BATCH):
            batch = ids[start : start + INFO_BATCH]
            rows: dict[str, dict[str, Any]] = {}
            try:
                for info in self._call(self.client.get_advertiser_info, batch, fields=ADVERTISER_INFO_FIELDS):
                    if info.advertiser_id in names:
                        rows[info.advertiser_id] = {
                            "advertiser_id": info.advertiser_id, "name": info.name or names[info.advertiser_id],
                            "status": info.status, "currency": info.currency, "timezone": info.timezone,
                            "display_timezone": info.display_timezone, "country_code": info.country,
                            "industry": info.industry, "company": info.company, "owner_bc_id": info.owner_bc_id,
                        }
            except TikTokError as exc:
                self._record("advertiser_info", exc)
                complete = False
            # Accounts without details (failed batch, or missing from the answer) still exist: the
            # authorized list says so. Only their name is known; stored details are kept.
            for adv_id in batch:
                rows.setdefault(adv_id, {"advertiser_id": adv_id, "name": names[adv_id]})
            self._sync(Advertiser, "advertisers", rows.values(), ("advertiser_id",), ADVERTISER_FIELDS)
            owner_links = [{"advertiser_id": r["advertiser_id"], "bc_id": r["owner_bc_id"], "relation": RELATION_OWNER}
                           for r in rows.values() if r.get("owner_bc_id")]
            self._sync(BcAdvertiserLink, "bc_advertiser_links", owner_links, ("advertiser_id", "bc_id"),
                       BC_ADV_LINK_FIELDS)
            self.session.commit()
            self.progress("advertiser_info", min(start + INFO_BATCH, len(ids)), len(ids))

        if complete:
            gone = [k[0] for k in self._remove(Advertiser, "advertisers", ("advertiser_id",))]
            if gone:  # their links are gone with them, whatever the store listing says
                for model in (BcAdvertiserLink, AdvertiserStoreLink):
                    mark_removed_where(self.session, model, binding_id=self.binding_id, column="advertiser_id",
                                       values=gone, now=self.now)
            self.completed.append("advertisers")
        self.session.commit()
        self._advertisers_complete = complete
        return ids

    # ---------------------------------------------------------------- stores

    def _owner_bcs(self) -> dict[str, str | None]:
        stmt = select(Advertiser.advertiser_id, Advertiser.owner_bc_id).where(
            Advertiser.binding_id == self.binding_id, Advertiser.removed_at.is_(None))
        return {a: b for a, b in self.session.execute(stmt)}

    def _stores(self, advertiser_ids: list[str]) -> None:
        owners = self._owner_bcs()
        complete = True
        total = len(advertiser_ids)
        self.progress("stores", 0, total)
        for start in range(0, total, STORE_BATCH):
            stores: dict[str, dict[str, Any]] = {}
            links: list[dict[str, Any]] = []
            bc_links: list[dict[str, Any]] = []
            for adv_id in advertiser_ids[start : start + STORE_BATCH]:
                try:
                    listed = self._call(self.client.list_stores, adv_id)
                except TikTokError as exc:
                    self._record("stores", exc)
                    complete = False
                    continue
                gmv: dict[str, Any] = {}
                try:
                    gmv = {s.store_id: s for s in self._call(self.client.list_gmv_max_stores, adv_id)}
                except PermissionDeniedError:
                    pass  # this account may not use GMV Max: not a failure of the run
                except TikTokError as exc:
                    self._record("gmv_max_stores", exc)
                for s in listed:
                    row: dict[str, Any] = {
                        "store_id": s.store_id, "name": s.store_name, "store_type": s.store_type,
                        "store_code": s.store_code, "store_authorized_bc_id": s.store_authorized_bc_id,
                        "targeting_region_codes": list(s.targeting_region_codes or []),
                    }
                    g = gmv.get(s.store_id)
                    if g is not None:
                        excl = g.exclusive_authorized_advertiser_info
                        row.update(store_status=g.store_status, is_gmv_max_available=g.is_gmv_max_available,
                                   thumbnail_url=g.thumbnail_url,
                                   exclusive_advertiser_id=excl.advertiser_id if excl else None)
                    prev = stores.get(s.store_id)
                    if prev is None or ("is_gmv_max_available" in row and "is_gmv_max_available" not in prev):
                        stores[s.store_id] = row
                    links.append({"advertiser_id": adv_id, "store_id": s.store_id,
                                  "store_authorized_bc_id": s.store_authorized_bc_id})
                    bc = s.store_authorized_bc_id
                    owner = owners.get(adv_id)
                    if bc and bc != owner:
                        bc_links.append({"advertiser_id": adv_id, "bc_id": bc,
                                         "relation": RELATION_PARTNER if owner else RELATION_UNKNOWN})
            self._sync(Store, "stores", stores.values(), ("store_id",), STORE_FIELDS)
            self._sync(AdvertiserStoreLink, "advertiser_store_links", links, ("advertiser_id", "store_id"),
                       ADV_STORE_LINK_FIELDS)
            self._sync(BcAdvertiserLink, "bc_advertiser_links", bc_links, ("advertiser_id", "bc_id"),
                       BC_ADV_LINK_FIELDS)
            self.session.commit()
            self.progress("stores", min(start + STORE_BATCH, total), total)

        if complete:
            gone = [k[0] for k in self._remove(Store, "stores", ("store_id",))]
            if gone:
                mark_removed_where(self.session, AdvertiserStoreLink, binding_id=self.binding_id, column="store_id",
                                   values=gone, now=self.now)
            self._remove(AdvertiserStoreLink, "advertiser_store_links", ("advertiser_id", "store_id"))
            if self._advertisers_complete:
                self._remove(BcAdvertiserLink, "bc_advertiser_links", ("advertiser_id", "bc_id"))
            self.completed.append("stores")
        self.session.commit()

    # ---------------------------------------------------------------- finish

    def _finish(self) -> None:
        links = self.link_tallies
        changed = {
            "business_centers": self.tallies["bc"].changed,
            # The options ETag covers the links too, so a changed link bumps the entity it hangs from.
            "advertisers": self.tallies["advertisers"].changed or links["bc_advertiser_links"].changed,
            "stores": self.tallies["stores"].changed or links["advertiser_store_links"].changed,
        }
        for resource, did_change in changed.items():
            if did_change:
                bump_revision(self.session, self.binding_id, resource, self.now)
        if self.completed:
            self.binding.last_synced_at = self.now
        self.session.commit()
