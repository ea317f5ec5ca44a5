"""Fault injection for the sandbox: rate limits, random errors, latency, failing pages.

Spec string (``--faults``), comma-separated ``key=value``:
  rate_limit_qps=5                 more than 5 requests to one path within 1 s -> 40100 (app bucket)
  advertiser_qps=2                 more than 2 requests for one advertiser_id to one path within 1 s
                                   -> 40133 "Advertiser (ID)'s QPS (n) reaches QPS limit m for current path…"
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
Unknown keys and malformed values raise FaultSpecError (a ValueError) naming the culprit.

Rate windows read the sandbox clock (``clock`` / ``now`` arguments), so moving the clock
forward through ``POST /_sandbox/clock`` also empties them.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REPEATABLE = ("fail_page", "fail_next", "repeat_page", "duplicate_page", "total_drift")
SCALARS = ("rate_limit_qps", "advertiser_qps", "error_rate", "error_codes", "seed", "latency_ms")
KNOWN_KEYS = SCALARS + REPEATABLE
DEFAULT_CODES = (50000, 51010)

MESSAGES = {
    40100: "Requests made too frequently.",
    50000: "System error.",
    51010: "Internal timeout, please retry.",
    50002: "Error processing request.",
}


class FaultSpecError(ValueError):
    """A fault spec that cannot be understood; the message says which key and why."""


@dataclass
class PageRule:
    path: str
    page: int
    remaining: int | None = None  # None = persistent
    code: int = 50000


@dataclass
class Faults:
    rate_limit_qps: float | None = None
    advertiser_qps: float | None = None
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
        self._recent_adv: dict[tuple[str, str], deque[float]] = {}

    # -------------------------------------------------------------- parsing

    @classmethod
    def parse(cls, spec: str | None) -> Faults:
        data: dict[str, Any] = {}
        for part in (spec or "").split(","):
            part = part.strip()
            if not part:
                continue
            key, sep, value = part.partition("=")
            key = key.strip()
            if not sep:
                raise FaultSpecError(f"{part!r}: expected key=value")
            if key in REPEATABLE:
                data.setdefault(key, []).append(value.strip())
            else:
                if key in data:
                    raise FaultSpecError(f"{key}: given twice")
                data[key] = value.strip()
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        if not isinstance(data, dict):
            raise FaultSpecError("faults must be a JSON object")
        unknown = sorted(set(data) - set(KNOWN_KEYS))
        if unknown:
            raise FaultSpecError(f"unknown fault key(s) {', '.join(unknown)}; known: {', '.join(KNOWN_KEYS)}")
        error_rate = _number(data, "error_rate", float) or 0.0
        if not 0.0 <= error_rate <= 1.0:
            raise FaultSpecError(f"error_rate: {error_rate:g} is not between 0 and 1")
        f = cls(
            rate_limit_qps=_qps(data, "rate_limit_qps"),
            advertiser_qps=_qps(data, "advertiser_qps"),
            error_rate=error_rate,
            error_codes=_codes(data.get("error_codes")),
            seed=_number(data, "seed", int) or 0,
            latency_ms=_number(data, "latency_ms", int) or 0,
        )
        if f.latency_ms < 0:
            raise FaultSpecError("latency_ms: must be >= 0")
        for key in REPEATABLE:
            for rule in _as_list(data.get(key)):
                try:
                    getattr(f, key).append(_rule(rule, key))
                except FaultSpecError:
                    raise
                except (KeyError, ValueError, TypeError, IndexError) as exc:
                    raise FaultSpecError(f"{key}: cannot read {rule!r} ({_why(exc)}); expected {_FORMS[key]}") from None
        return f

    def to_dict(self) -> dict[str, Any]:
        def rules(rs: list[PageRule]) -> list[dict[str, Any]]:
            return [{"path": r.path, "page": r.page, "remaining": r.remaining, "code": r.code} for r in rs]

        return {
            "rate_limit_qps": self.rate_limit_qps, "advertiser_qps": self.advertiser_qps,
            "error_rate": self.error_rate, "error_codes": list(self.error_codes), "seed": self.seed,
            "latency_ms": self.latency_ms, **{k: rules(getattr(self, k)) for k in REPEATABLE},
        }

    # -------------------------------------------------------------- decisions

    def before_request(self, path: str, clock: Callable[[], float] = time.monotonic) -> int | None:
        """Latency, rate limit, fail_next, random errors; returns an error code or None."""
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        now = clock()  # after the delay: the request "arrives" now
        with self._lock:
            if self.rate_limit_qps and not _take(self._recent.setdefault(path, deque()), now, self.rate_limit_qps):
                return 40100
            for rule in self.fail_next:
                if rule.path == path and (rule.remaining or 0) > 0:
                    rule.remaining = (rule.remaining or 0) - 1
                    return rule.code
            if self.error_rate and self._rng.random() < self.error_rate:
                return self._rng.choice(self.error_codes)
        return None

    def advertiser_limit(self, path: str, advertiser_id: str, now: float | None = None) -> str | None:
        """The 40133 message when ``advertiser_id`` exceeded ``advertiser_qps`` on ``path``, else None.

        A per-(advertiser, path) sliding one-second window; refused requests do not count.
        """
        if not self.advertiser_qps:
            return None
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._recent_adv.setdefault((advertiser_id, path), deque())
            if _take(q, now, self.advertiser_qps):
                return None
            limit = f"{self.advertiser_qps:g}"
            return (f"Advertiser ({advertiser_id})'s QPS ({len(q) + 1}) reaches QPS limit {limit} "
                    f"for current path {path}. Please retry later.")

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


def _take(q: deque[float], now: float, qps: float) -> bool:
    """Sliding one-second window: record ``now`` and return True when under ``qps``."""
    while q and q[0] <= now - 1.0:
        q.popleft()
    if len(q) >= qps:
        return False
    q.append(now)
    return True


_FORMS = {
    "fail_page": "PATH:PAGE[:TIMES[:CODE]] or {path, page, times, code}",
    "fail_next": "PATH:COUNT[:CODE] or {path, count, code}",
    "repeat_page": "PATH:PAGE or {path, page}",
    "duplicate_page": "PATH:PAGE or {path, page}",
    "total_drift": "PATH:PAGE or {path, page}",
}


def _why(exc: BaseException) -> str:
    return f"missing {exc}" if isinstance(exc, KeyError) else str(exc)


def _number(data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise FaultSpecError(f"{key}: expected a number, got {value!r}")
    try:
        return kind(value)
    except (TypeError, ValueError):
        what = "an integer" if kind is int else "a number"
        raise FaultSpecError(f"{key}: expected {what}, got {value!r}") from None


def _qps(data: dict[str, Any], key: str) -> float | None:
    value = _number(data, key, float)
    if value is None or value == 0:
        return None  # 0 / empty = off
    if value < 0:
        raise FaultSpecError(f"{key}: must be > 0 (or 0 to switch it off)")
    return value


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _codes(value: Any) -> tuple[int, ...]:
    if not value:
        return DEFAULT_CODES
    try:
        if isinstance(value, str):
            return tuple(int(v) for v in value.replace(",", "|").split("|") if v)
        return tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise FaultSpecError(f"error_codes: expected codes separated by '|', e.g. 50000|51010; got {value!r}") from None


def _rule(value: Any, kind: str) -> PageRule:
    if isinstance(value, dict):
        if kind == "fail_next":
            count = int(value.get("count", value.get("remaining", 1)))
            rule = PageRule(value["path"], 0, count, int(value.get("code", 50000)))
        else:
            remaining = value.get("times", value.get("remaining"))
            rule = PageRule(value["path"], int(value.get("page", 1)), int(remaining) if remaining else None,
                            int(value.get("code", 50000)))
    else:
        # "path:N[:x[:y]]" — paths contain no ':'
        parts = str(value).split(":")
        path, nums = parts[0], [int(p) for p in parts[1:] if p]
        if kind == "fail_next":
            rule = PageRule(path, 0, nums[0] if nums else 1, nums[1] if len(nums) > 1 else 50000)
        else:
            times = nums[1] if len(nums) > 1 and nums[1] > 0 else None
            rule = PageRule(path, nums[0] if nums else 1, times, nums[2] if len(nums) > 2 else 50000)
    if not (isinstance(rule.path, str) and rule.path.startswith("/") and rule.path.endswith("/")):
        raise FaultSpecError(f"{kind}: path {rule.path!r} must start and end with '/' (e.g. /store/product/get/)")
    if kind != "fail_next" and rule.page < 1:
        raise FaultSpecError(f"{kind}: page must be >= 1")
    return rule
