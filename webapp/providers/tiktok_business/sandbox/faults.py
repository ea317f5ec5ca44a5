"""Fault injection for the sandbox: rate limits, random errors, latency, failing pages.

Spec string (``--faults``), comma-separated ``key=value``:
  rate_limit_qps=5                 more than 5 requests to one path within 1 s -> 40100
  error_rate=0.1                   this share of requests fails randomly (seeded)
  error_codes=50000|51010          codes used by error_rate (default 50000|51010)
  seed=7                           random seed (default 0)
  latency_ms=50                    fixed delay before every API response
  fail_page=/store/product/get/:3[:times[:code]]   page 3 fails; ``times`` omitted/0 = always
  fail_next=/user/info/:2[:code]   the next 2 calls of that path fail (default code 50000)
  repeat_page=/store/product/get/:2    page 2 answers with page 1's body (stalled paging)
  duplicate_page=/store/product/get/:2 page 2 repeats the last item of page 1
  total_drift=/store/product/get/:2    page 2 reports total_number + 1
Several fail_page/fail_next/... entries may be given (repeat the key).
The admin endpoint takes the same keys as JSON (lists for the repeatable ones).
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

REPEATABLE = ("fail_page", "fail_next", "repeat_page", "duplicate_page", "total_drift")
DEFAULT_CODES = (50000, 51010)

MESSAGES = {
    40100: "Requests made too frequently.",
    50000: "System error.",
    51010: "Internal timeout, please retry.",
    50002: "Error processing request.",
}


@dataclass
class PageRule:
    path: str
    page: int
    remaining: int | None = None  # None = persistent
    code: int = 50000


@dataclass
class Faults:
    rate_limit_qps: float | None = None
    error_rate: float = 0.0
    error_codes: tuple[int, ...] = DEFAULT_CODES
    seed: int = 0
    latency_ms: int = 0
    fail_page: list[PageRule] = field(default_factory=list)
    fail_next: list[PageRule] = field(default_factory=list)  # page unused (0)
    repeat_page: list[PageRule] = field(default_factory=list)
    duplicate_page: list[PageRule] = field(default_factory=list)
    total_drift: list[PageRule] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._recent: dict[str, deque[float]] = {}

    # -------------------------------------------------------------- parsing

    @classmethod
    def parse(cls, spec: str | None) -> Faults:
        data: dict[str, Any] = {}
        for part in (spec or "").split(","):
            part = part.strip()
            if not part:
                continue
            key, _, value = part.partition("=")
            key = key.strip()
            if key in REPEATABLE:
                data.setdefault(key, []).append(value.strip())
            else:
                data[key] = value.strip()
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        f = cls(
            rate_limit_qps=float(data["rate_limit_qps"]) if data.get("rate_limit_qps") not in (None, "", 0) else None,
            error_rate=float(data.get("error_rate") or 0),
            error_codes=_codes(data.get("error_codes")),
            seed=int(data.get("seed") or 0),
            latency_ms=int(data.get("latency_ms") or 0),
        )
        for key in REPEATABLE:
            for rule in _as_list(data.get(key)):
                getattr(f, key).append(_rule(rule, key))
        return f

    def to_dict(self) -> dict[str, Any]:
        def rules(rs: list[PageRule]) -> list[dict[str, Any]]:
            return [{"path": r.path, "page": r.page, "remaining": r.remaining, "code": r.code} for r in rs]

        return {
            "rate_limit_qps": self.rate_limit_qps, "error_rate": self.error_rate,
            "error_codes": list(self.error_codes), "seed": self.seed, "latency_ms": self.latency_ms,
            **{k: rules(getattr(self, k)) for k in REPEATABLE},
        }

    # -------------------------------------------------------------- decisions

    def before_request(self, path: str) -> int | None:
        """Latency, rate limit, fail_next, random errors; returns an error code or None."""
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        with self._lock:
            if self.rate_limit_qps:
                now = time.monotonic()
                q = self._recent.setdefault(path, deque())
                while q and q[0] <= now - 1.0:
                    q.popleft()
                if len(q) >= self.rate_limit_qps:
                    return 40100
                q.append(now)
            for rule in self.fail_next:
                if rule.path == path and (rule.remaining or 0) > 0:
                    rule.remaining = (rule.remaining or 0) - 1
                    return rule.code
            if self.error_rate and self._rng.random() < self.error_rate:
                return self._rng.choice(self.error_codes)
        return None

    def page_fault(self, path: str, page: int) -> int | None:
        with self._lock:
            for rule in self.fail_page:
                if rule.path == path and rule.page == page:
                    if rule.remaining is None:
                        return rule.code
                    if rule.remaining > 0:
                        rule.remaining -= 1
                        return rule.code
        return None

    def page_shape(self, kind: str, path: str, page: int) -> bool:
        return any(r.path == path and r.page == page for r in getattr(self, kind))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _codes(value: Any) -> tuple[int, ...]:
    if not value:
        return DEFAULT_CODES
    if isinstance(value, str):
        return tuple(int(v) for v in value.replace(",", "|").split("|") if v)
    return tuple(int(v) for v in value)


def _rule(value: Any, kind: str) -> PageRule:
    if isinstance(value, dict):
        if kind == "fail_next":
            count = int(value.get("count", value.get("remaining", 1)))
            return PageRule(value["path"], 0, count, int(value.get("code", 50000)))
        remaining = value.get("times", value.get("remaining"))
        return PageRule(value["path"], int(value.get("page", 1)), int(remaining) if remaining else None,
                        int(value.get("code", 50000)))
    # "path:N[:x[:y]]" — paths contain no ':'
    parts = str(value).split(":")
    path, nums = parts[0], [int(p) for p in parts[1:] if p]
    if kind == "fail_next":
        return PageRule(path, 0, nums[0] if nums else 1, nums[1] if len(nums) > 1 else 50000)
    times = nums[1] if len(nums) > 1 and nums[1] > 0 else None
    return PageRule(path, nums[0] if nums else 1, times, nums[2] if len(nums) > 2 else 50000)
