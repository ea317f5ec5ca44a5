"""Mutable sandbox state: dataset, auth codes, tokens, faults and request statistics."""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .datasets import Dataset, load_dataset
from .faults import Faults

AUTH_CODE_TTL = 3600.0  # auth_code: valid 1 hour, single use (TIKTOK_API.md §4.1)


class SandboxClock:
    """The sandbox's notion of "now": real time plus an offset that tests can move forward.

    Auth-code expiry and the fault rate-limit windows read this clock, so a test can jump an
    hour ahead (``POST /_sandbox/clock``) instead of waiting. Request statistics keep real time:
    they measure what the client actually sent.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0

    @property
    def offset(self) -> float:
        return self._offset

    def time(self) -> float:
        return time.time() + self._offset

    def monotonic(self) -> float:
        return time.monotonic() + self._offset

    def set_offset(self, seconds: float) -> None:
        # Never backwards: rate windows hold timestamps and would count "future" requests.
        with self._lock:
            if seconds < self._offset:
                raise ValueError(f"the sandbox clock only moves forward (offset is {self._offset:g} s); "
                                 "POST /_sandbox/reset to start over")
            self._offset = float(seconds)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("advance_seconds must be >= 0")
        with self._lock:
            self._offset += float(seconds)

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0


@dataclass
class Token:
    access_token: str
    advertiser_ids: list[str]
    app_id: str
    created: float = field(default_factory=time.time)
    revoked: bool = False

    def public(self) -> dict[str, Any]:
        return {"access_token": self.access_token, "advertiser_ids": self.advertiser_ids,
                "app_id": self.app_id, "created": self.created, "revoked": self.revoked}


@dataclass
class AuthCode:
    advertiser_ids: list[str]
    created: float = field(default_factory=time.time)
    used: bool = False


class Stats:
    """Request counts, plus the most requests seen inside any sliding one-second window."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.counts: dict[str, int] = {}
            self.codes: dict[str, dict[str, int]] = {}
            self.max_window: dict[str, int] = {}
            self.max_window_overall = 0
            self.first: float | None = None
            self.last: float | None = None
            self._recent: dict[str, deque[float]] = {}
            self._recent_all: deque[float] = deque()

    def record(self, path: str) -> None:
        now = time.monotonic()
        with self._lock:
            self.counts[path] = self.counts.get(path, 0) + 1
            self.first = self.first if self.first is not None else now
            self.last = now
            for key, q in ((path, self._recent.setdefault(path, deque())), (None, self._recent_all)):
                while q and q[0] <= now - 1.0:
                    q.popleft()
                q.append(now)
                if key is None:
                    self.max_window_overall = max(self.max_window_overall, len(q))
                else:
                    self.max_window[key] = max(self.max_window.get(key, 0), len(q))

    def record_code(self, path: str, code: int) -> None:
        with self._lock:
            per = self.codes.setdefault(path, {})
            per[str(code)] = per.get(str(code), 0) + 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(self.counts),
                "total": sum(self.counts.values()),
                "codes": {p: dict(c) for p, c in self.codes.items()},
                "max_window": {"overall": self.max_window_overall, "per_path": dict(self.max_window)},
                "busy_seconds": (self.last - self.first) if self.first is not None and self.last is not None else 0.0,
            }


class SandboxState:
    def __init__(self, dataset: str, app_id: str, secret: str, faults: str | None) -> None:
        self.dataset_name = dataset
        self.app_id = app_id
        self.secret = secret
        self.initial_faults = faults
        self.lock = threading.RLock()
        self.stats = Stats()
        self.default_advertiser_ids: list[str] | None = None
        self.clock = SandboxClock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.dataset: Dataset = load_dataset(self.dataset_name)
            self.faults = Faults.parse(self.initial_faults)
            self.tokens: dict[str, Token] = {}
            self.codes: dict[str, AuthCode] = {}
            self.default_advertiser_ids = None
            self.clock.reset()
            self.stats.reset()

    def clear_faults(self) -> None:
        with self.lock:
            self.faults = Faults()

    def reachable(self, advertiser_ids: list[str] | None) -> list[str]:
        if advertiser_ids is None:
            advertiser_ids = self.default_advertiser_ids
        if advertiser_ids is None:
            return list(self.dataset.advertisers)
        return [a for a in advertiser_ids if a in self.dataset.advertisers]

    def issue_code(self, advertiser_ids: list[str] | None = None) -> str:
        code = secrets.token_hex(16)
        with self.lock:
            self.codes[code] = AuthCode(self.reachable(advertiser_ids), created=self.clock.time())
        return code

    def redeem_code(self, code: str) -> Token | None:
        with self.lock:
            entry = self.codes.get(code)
            if entry is None or entry.used or self.clock.time() - entry.created > AUTH_CODE_TTL:
                return None
            entry.used = True
            return self.issue_token(entry.advertiser_ids)

    def issue_token(self, advertiser_ids: list[str] | None = None) -> Token:
        token = Token(secrets.token_hex(20), self.reachable(advertiser_ids), self.app_id, created=self.clock.time())
        with self.lock:
            self.tokens[token.access_token] = token
        return token
