"""Shared Redis rate limiter under load: N processes hammer the sandbox through one budget.

Prints the most requests the sandbox saw in any one-second window, utilisation of the
configured QPS, and an unlimited baseline measured in the same run.

    .venv/bin/python -m bench.bench_ratelimit [--processes 4] [--qps 10] [--seconds 5]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time
import uuid
from typing import Any

import httpx
import redis

from webapp.providers.tiktok_business import NullRateLimiter, RedisRateLimiter, TikTokClient
from webapp.providers.tiktok_business.sandbox import create_sandbox_app, serve_in_thread

REDIS_URL = "redis://127.0.0.1:6379/15"


def hammer(base_url: str, token: str, redis_url: str | None, prefix: str, qps: float, seconds: float,
           ready, results) -> None:
    """One worker process: once every worker has imported and connected (the barrier), call
    /user/info/ for ``seconds``; put the number of calls on ``results``."""
    limiter: Any = NullRateLimiter()
    if redis_url:
        limiter = RedisRateLimiter(redis.Redis.from_url(redis_url), qps=qps, key_prefix=prefix)
    n = 0
    with TikTokClient(base_url, token, limiter=limiter, max_retries=0) as client:
        ready.wait()
        stop_at = time.monotonic() + seconds
        while time.monotonic() < stop_at:
            client.get_user_info()
            n += 1
    results.put(n)


def run(root_url: str, token: str, *, processes: int, qps: float, seconds: float,
        limited: bool = True, redis_url: str = REDIS_URL) -> dict[str, float]:
    """Run one load round against a running sandbox; return max window and utilisation."""
    httpx.post(root_url + "/_sandbox/stats/reset").raise_for_status()
    prefix = f"bench:ttb:{uuid.uuid4().hex[:8]}"
    ctx = mp.get_context("spawn")
    # Spawned processes can take seconds to import on a loaded machine; the barrier starts the
    # measured window only when all of them are ready, so slow start-up never counts as idle time.
    ready = ctx.Barrier(processes)
    results = ctx.Queue()
    args = (root_url + "/open_api/v1.3", token, redis_url if limited else None, prefix, qps, seconds, ready, results)
    workers = [ctx.Process(target=hammer, args=args) for _ in range(processes)]
    try:
        for worker in workers:
            worker.start()
        counts = [results.get(timeout=120 + seconds) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
        r = redis.Redis.from_url(redis_url)
        for key in r.scan_iter(match=prefix + ":*"):
            r.delete(key)
    stats = httpx.get(root_url + "/_sandbox/stats").json()
    total = sum(counts)
    return {
        "requests": total,
        "max_window": stats["max_window"]["overall"],
        "achieved_qps": total / seconds,
        "utilisation": total / (qps * seconds),
        "errors": sum(n for codes in stats["codes"].values() for c, n in codes.items() if c != "0"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--qps", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=5)
    ns = parser.parse_args()
    root_url, shutdown = serve_in_thread(create_sandbox_app("small"))
    try:
        token = httpx.post(root_url + "/_sandbox/tokens", json={}).json()["access_token"]
        base = run(root_url, token, processes=ns.processes, qps=ns.qps, seconds=ns.seconds, limited=False)
        lim = run(root_url, token, processes=ns.processes, qps=ns.qps, seconds=ns.seconds)
    finally:
        shutdown()
    print(f"processes={ns.processes} configured_qps={ns.qps:g} seconds={ns.seconds:g}")
    print(f"unlimited baseline: {base['requests']} requests, {base['achieved_qps']:.1f} req/s, "
          f"max in any 1 s window {base['max_window']}")
    print(f"shared limiter:     {lim['requests']} requests, {lim['achieved_qps']:.2f} req/s, "
          f"max in any 1 s window {lim['max_window']} (limit {ns.qps:g}), "
          f"utilisation {lim['utilisation']:.0%}, errors {lim['errors']}")
    print(f"limiter/baseline throughput ratio: {lim['achieved_qps'] / max(base['achieved_qps'], 1e-9):.3f}")


if __name__ == "__main__":
    main()
