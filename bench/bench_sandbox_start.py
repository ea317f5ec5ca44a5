"""Sandbox start-up cost: the ``large`` dataset (2,000 advertisers, 4,000 stores, a store of
100,000 products) against ``small``. Products are generated lazily, so ``large`` should start in
roughly constant time; this prints the numbers instead of asserting them in tests.

Measures, per dataset (median of --repeat runs):
  build   create_sandbox_app(dataset)
  answer  build + serve on a free port + first /bc/get/ and one far product page over HTTP

    .venv/bin/python -m bench.bench_sandbox_start [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx

from webapp.providers.tiktok_business.sandbox import create_sandbox_app, serve_in_thread

BC1, ADV1, STORE1 = "7300000000000000001", "7400000000000000001", "7494000000000000001"


def build_seconds(dataset: str) -> float:
    t0 = time.perf_counter()
    create_sandbox_app(dataset)
    return time.perf_counter() - t0


def answer_seconds(dataset: str) -> float:
    t0 = time.perf_counter()
    root_url, shutdown = serve_in_thread(create_sandbox_app(dataset))
    try:
        with httpx.Client(base_url=root_url, timeout=30) as http:
            token = http.post("/_sandbox/tokens", json={}).json()["access_token"]
            headers = {"Access-Token": token}
            assert http.get("/open_api/v1.3/bc/get/", headers=headers).json()["code"] == 0
            # The last page of store 1 at page_size 100: page 3 in small (250 products), 1,000 in large.
            total = http.get("/open_api/v1.3/store/product/get/", headers=headers,
                             params={"bc_id": BC1, "store_id": STORE1, "page_size": 1}).json()
            last = max(1, -(-total["data"]["page_info"]["total_number"] // 100))
            page = http.get("/open_api/v1.3/store/product/get/", headers=headers,
                            params={"bc_id": BC1, "store_id": STORE1, "page": last, "page_size": 100}).json()
            assert page["code"] == 0 and page["data"]["store_products"]
        return time.perf_counter() - t0
    finally:
        shutdown()  # not timed: werkzeug's shutdown polls every 0.5 s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    ns = parser.parse_args()
    create_sandbox_app("small")  # warm imports so the first measurement is not the import cost
    results: dict[str, dict[str, float]] = {}
    for dataset in ("small", "large"):
        results[dataset] = {
            "build": statistics.median(build_seconds(dataset) for _ in range(ns.repeat)),
            "answer": statistics.median(answer_seconds(dataset) for _ in range(ns.repeat)),
        }
    print(f"repeat={ns.repeat} (medians)")
    for dataset, r in results.items():
        print(f"{dataset:>5}: build {r['build'] * 1000:8.1f} ms   "
              f"build+serve+first answers {r['answer'] * 1000:8.1f} ms")
    small, large = results["small"], results["large"]
    print(f"large/small ratio: build {large['build'] / small['build']:.1f}x, "
          f"first answers {large['answer'] / small['answer']:.1f}x")


if __name__ == "__main__":
    main()
