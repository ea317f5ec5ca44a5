"""Metadata sync (ttb.sync.meta) at 1× and 10× size: time per entity, growth ratio, peak memory.

The sandbox runs in this process (a thread) with two datasets: the full `large` one (50 BCs,
2,000 advertisers, 4,000 stores) and an exact 1/10 subset of it (5 BCs, 200 advertisers, 400
stores, written to a JSON dataset file). Each size is synced twice (initial, then an unchanged
re-sync) into its own fresh MariaDB database, by a child process so the RSS high-water mark is
the sync's alone. No rate limiter (NullRateLimiter): we measure our code, not TikTok's quota.

"our time" = sync wall time minus the time spent inside TikTok client calls (HTTP + sandbox), i.e.
the DB reads/writes and Python work of the sync itself; that is what should grow linearly.

    .venv/bin/python -m bench.bench_sync_meta [--mysql-url mysql+pymysql://root@127.0.0.1:3306]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

SANDBOX_APP_ID = "7000000000000000001"
SANDBOX_SECRET = "sandbox-secret"
CRYPTO_KEY = "uQwcOuFWiWuGtgnz1cGkFw3Zf4xR-5GZ2iLrZ6wq1VQ="  # bench-only key for the throwaway database


def write_subset(path: Path, fraction: int = 10) -> dict[str, int]:
    """Write 1/fraction of the `large` dataset (BCs 1..50/fraction, their advertisers and stores)."""
    from webapp.providers.tiktok_business.sandbox.datasets import build_large

    ds = build_large()
    bcs = list(ds.business_centers.values())[: len(ds.business_centers) // fraction]
    bc_ids = {b["bc_id"] for b in bcs}
    advs = [a for a in ds.advertisers.values() if a["owner_bc_id"] in bc_ids]
    adv_ids = {a["advertiser_id"] for a in advs}
    stores = []
    for s in ds.stores.values():
        linked = [a for a in s["advertiser_ids"] if a in adv_ids]
        if s["store_authorized_bc_id"] in bc_ids and linked:
            stores.append({**s, "advertiser_ids": linked})
    path.write_text(json.dumps({"business_centers": bcs, "advertisers": advs, "stores": stores}))
    return {"bc": len(bcs), "advertisers": len(advs), "stores": len(stores)}


def index_sandbox_store_lookup() -> None:
    """The sandbox finds an advertiser's stores by scanning every store (O(stores) per call, so
    O(n²) per sync). Give it an index so the fake server does not dominate the measurement."""
    from webapp.providers.tiktok_business.sandbox.datasets import Dataset

    def advertiser_stores(self: Any, advertiser_id: str) -> list[dict[str, Any]]:
        index = self.__dict__.get("_bench_index")
        if index is None:
            index = {}
            for s in self.stores.values():
                for a in s["advertiser_ids"]:
                    index.setdefault(a, []).append(s)
            self.__dict__["_bench_index"] = index
        return index.get(advertiser_id, [])

    Dataset.advertiser_stores = advertiser_stores  # type: ignore[method-assign]


PATH_PHASE = {"/bc/get/": "business_centers", "/oauth2/advertiser/get/": "advertisers",
              "/advertiser/info/": "advertisers", "/store/list/": "stores", "/gmv_max/store/list/": "stores"}


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()


class RssSampler:
    """Samples this process's RSS every 10 ms while the block runs: start value and high-water mark."""

    def __init__(self) -> None:
        self.start = self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> RssSampler:
        self.start = self.peak = rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


def sync_child(mysql_url: str, base_url: str, token: str, label: str, queue: Any) -> None:
    """In a fresh process: make a database, migrate, bind, sync twice; report timings and RSS."""
    import pymysql
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Binding, ProviderApp, User
    from webapp.providers.tiktok_business import NullRateLimiter, TikTokClient
    from webapp.providers.tiktok_business.sync_meta import sync_meta
    from webapp.tenancy import create_user, create_workspace

    class TimedClient(TikTokClient):
        """Accumulates the time spent inside TikTok calls (HTTP round trip + sandbox), per phase."""

        spent: dict[str, float] = {}

        def request(self, method: str, path: str, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return super().request(method, path, **kwargs)
            finally:
                phase = PATH_PHASE.get(path, "other")
                TimedClient.spent[phase] = TimedClient.spent.get(phase, 0.0) + time.perf_counter() - t0

    host = httpx.URL(mysql_url.replace("mysql+pymysql", "http"))
    name = f"gmv_bench_{label}_{uuid.uuid4().hex[:6]}"
    admin = pymysql.connect(host=host.host, port=host.port or 3306, user=host.username or "root",
                            password=host.password or "")
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        app = create_app({"DATABASE_URL": f"{mysql_url}/{name}?charset=utf8mb4", "CRYPTO_KEYS": CRYPTO_KEY,
                          "SECRET_KEY": "bench", "REDIS_URL": "redis://127.0.0.1:6379/7", "TESTING": True})
        runs = []
        with app.app_context():
            upgrade()
            user = create_user(db.session, email="bench@example.com", password="correct horse battery")
            db.session.flush()
            ws = create_workspace(db.session, name="Bench", owner=db.session.get(User, user.id))
            papp = ProviderApp(name="Sandbox", app_id=SANDBOX_APP_ID, secret=SANDBOX_SECRET,
                               redirect_uri="http://127.0.0.1/cb")
            db.session.add(papp)
            db.session.flush()
            binding = Binding(workspace_id=ws.id, provider_app_id=papp.id, access_token=token,
                              token_fingerprint=uuid.uuid4().hex, scope=[], advertiser_ids=[])
            db.session.add(binding)
            db.session.commit()
            for kind in ("initial", "resync"):
                TimedClient.spent = {}
                sampler = RssSampler()
                with TimedClient(base_url, token, limiter=NullRateLimiter(), sleep=lambda s: None) as client:
                    t0 = time.perf_counter()
                    with sampler:
                        result = sync_meta(db.session, db.session.get(Binding, binding.id), client,
                                           app_id=SANDBOX_APP_ID, secret=SANDBOX_SECRET, progress=lambda *a: None)
                    wall = time.perf_counter() - t0
                runs.append({"kind": kind, "status": result.status, "wall": wall, "client": dict(TimedClient.spent),
                             "timings": result.timings, "counts": result.counts, "summary": result.summary,
                             "rss_start": sampler.start, "rss_peak": sampler.peak})
            db.session.remove()
            db.engine.dispose()
        queue.put({"runs": runs, "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


def measure(mysql_url: str, dataset: str, label: str) -> dict[str, Any]:
    from webapp.providers.tiktok_business.sandbox import create_sandbox_app, serve_in_thread

    sandbox = create_sandbox_app(dataset, app_id=SANDBOX_APP_ID, secret=SANDBOX_SECRET)
    root, shutdown = serve_in_thread(sandbox)
    try:
        token = httpx.post(root + "/_sandbox/tokens", json={}).json()["access_token"]
        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        proc = ctx.Process(target=sync_child, args=(mysql_url, root + "/open_api/v1.3", token, label, queue))
        proc.start()
        out = queue.get(timeout=1800)
        proc.join()
        out["sandbox_requests"] = httpx.get(root + "/_sandbox/stats").json()["total"]
        return out
    finally:
        shutdown()


PHASES = (("bc", "business_centers"), ("advertisers", "advertisers"), ("stores", "stores"))
MIB = 1024 * 1024


def per_entity(run: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """entity -> (phase seconds per entity, our-code seconds per entity = phase minus TikTok calls)."""
    out = {}
    for entity, phase in PHASES:
        n = max(1, run["counts"][entity])
        total = run["timings"][phase]
        out[entity] = (total / n, (total - run["client"].get(phase, 0.0)) / n)
    return out


def report(results: dict[str, dict[str, Any]]) -> None:
    small, big = results["1x"], results["10x"]
    for label, res in results.items():
        print(f"\n== {label}: sandbox saw {res['sandbox_requests']} requests; "
              f"ru_maxrss of the sync process {res['ru_maxrss_kb'] / 1024:.1f} MiB")
        for run in res["runs"]:
            c = run["counts"]
            in_calls = sum(run["client"].values())
            print(f"  {run['kind']:8s} {run['status']:8s} bc={c['bc']} advertisers={c['advertisers']} "
                  f"stores={c['stores']} links={c['bc_advertiser_links']}+{c['advertiser_store_links']} "
                  f"requests={c['requests']}  wall {run['wall']:.2f}s = TikTok calls {in_calls:.2f}s "
                  f"+ our code {run['wall'] - in_calls:.2f}s")
            start, peak = run["rss_start"] / MIB, run["rss_peak"] / MIB
            print(f"           RSS during sync: start {start:.1f} MiB, peak {peak:.1f} MiB (+{peak - start:.1f} MiB)")
            print("           phases: " + ", ".join(f"{k} {v:.3f}s" for k, v in run["timings"].items()))
            print("           summary: " + json.dumps(run["summary"]))
    print("\nper-entity time, 10x vs 1x (phase = whole phase incl. TikTok calls; ours = phase minus TikTok calls):")
    for i, kind in enumerate(("initial", "resync")):
        a, b = per_entity(small["runs"][i]), per_entity(big["runs"][i])
        for entity in a:
            (pa, oa), (pb, ob) = a[entity], b[entity]
            print(f"  {kind:8s} {entity:12s} phase 1x {pa * 1000:7.3f} ms 10x {pb * 1000:7.3f} ms ratio {pb / pa:5.2f}"
                  f"  | ours 1x {oa * 1000:7.3f} ms 10x {ob * 1000:7.3f} ms ratio {ob / oa:5.2f}")
    for i, kind in enumerate(("initial", "resync")):
        ra, rb = small["runs"][i], big["runs"][i]
        ents_a = sum(ra["counts"][e] for e, _ in PHASES)
        ents_b = sum(rb["counts"][e] for e, _ in PHASES)
        ours_a = (ra["wall"] - sum(ra["client"].values())) / ents_a
        ours_b = (rb["wall"] - sum(rb["client"].values())) / ents_b
        print(f"  {kind:8s} all entities: wall/entity ratio {(rb['wall'] / ents_b) / (ra['wall'] / ents_a):.2f}; "
              f"our code/entity 1x {ours_a * 1000:.3f} ms 10x {ours_b * 1000:.3f} ms ratio {ours_b / ours_a:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mysql-url", default="mysql+pymysql://root@127.0.0.1:3306")
    parser.add_argument("--no-index", action="store_true", help="keep the sandbox's O(stores) store lookup")
    args = parser.parse_args()
    if not args.no_index:
        index_sandbox_store_lookup()
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "large_tenth.json"
        sizes = write_subset(subset)
        print(f"1x dataset (1/10 of large): {sizes}; 10x dataset: large (50 BCs, 2000 advertisers, 4000 stores)")
        results = {"1x": measure(args.mysql_url, str(subset), "1x"), "10x": measure(args.mysql_url, "large", "10x")}
    report(results)


if __name__ == "__main__":
    main()
