"""The per-binding lock in Redis: one writer per binding at a time (meta and products never overlap).

The value is an owner token `run-<run_id>:<random>`, so only the owner can extend or release it
(compare-and-set in Lua) and the watchdog can free the lock of a run it declared lost without
waiting for the TTL. A crashed owner's lock disappears by itself when the TTL runs out."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

import redis

DEFAULT_TTL_SECONDS = 60

# KEYS[1] lock key; ARGV[1] owner token.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
# KEYS[1] lock key; ARGV[1] owner token; ARGV[2] ttl in ms.
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
# KEYS[1] lock key; ARGV[1] owner prefix (`run-<id>:`): frees the lock of a run known to be dead.
_RELEASE_PREFIX = """
local value = redis.call('get', KEYS[1])
if value and string.sub(value, 1, string.len(ARGV[1])) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def lock_key(prefix: str, binding_id: int) -> str:
    return f"{prefix}:lock:binding:{binding_id}"


def owner_prefix(run_id: int) -> str:
    return f"run-{run_id}:"


class BindingLock:
    """Acquire with `acquire(wait_seconds)`, keep alive with `start_heartbeat()`, always `release()`."""

    def __init__(self, client: redis.Redis, prefix: str, binding_id: int, run_id: int, *,
                 ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        self.client = client
        self.key = lock_key(prefix, binding_id)
        self.token = owner_prefix(run_id) + secrets.token_hex(8)
        self.ttl_ms = ttl_seconds * 1000
        self.acquired = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def try_acquire(self) -> bool:
        self.acquired = bool(self.client.set(self.key, self.token, nx=True, px=self.ttl_ms))
        return self.acquired

    def acquire(self, wait_seconds: float, *, on_wait: Callable[[], None] | None = None) -> bool:
        """Wait (bounded) for the lock, polling with backoff: a second run waits instead of failing."""
        deadline = time.monotonic() + wait_seconds
        delay = 0.1
        while not self.try_acquire():
            if time.monotonic() >= deadline:
                return False
            if on_wait is not None:
                on_wait()
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 1.5, 2.0)
        return True

    def extend(self) -> bool:
        return bool(self.client.eval(_EXTEND, 1, self.key, self.token, self.ttl_ms))

    def release(self) -> bool:
        self.stop_heartbeat()
        if not self.acquired:
            return False
        self.acquired = False
        return bool(self.client.eval(_RELEASE, 1, self.key, self.token))

    def start_heartbeat(self, interval: float | None = None) -> None:
        interval = interval or self.ttl_ms / 1000 / 3
        self._stop.clear()

        def beat() -> None:
            while not self._stop.wait(interval):
                try:
                    self.extend()
                except redis.RedisError:
                    pass  # transient: the next beat tries again before the TTL runs out

        self._thread = threading.Thread(target=beat, name=f"lock-heartbeat-{self.key}", daemon=True)
        self._thread.start()

    def stop_heartbeat(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def release_lock_of_run(client: redis.Redis, prefix: str, binding_id: int, run_id: int) -> bool:
    """Free the binding's lock if the given (dead) run holds it."""
    return bool(client.eval(_RELEASE_PREFIX, 1, lock_key(prefix, binding_id), owner_prefix(run_id)))
