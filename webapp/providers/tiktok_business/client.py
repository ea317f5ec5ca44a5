"""HTTP client for the TikTok API for Business (Marketing API v1.3).

Knows the envelope, parameter encoding, retries, rate limiting and pagination; knows nothing
about Flask, the database or bindings. One instance per access token (or none for the OAuth
exchange).
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from .errors import SENSITIVE_KEYS, BadRequestError, TikTokError, TransientError, error_for_code, redact
from .models import (
    AccessTokenData,
    AdvertiserInfo,
    AuthorizedAdvertiser,
    BcAsset,
    BusinessCenterItem,
    ExclusiveAuthorization,
    GmvMaxCampaign,
    GmvMaxStore,
    PageInfo,
    RevokeTokenData,
    Store,
    StoreProduct,
    UserInfo,
)
from .paging import Page, iter_pages
from .ratelimit import NullRateLimiter, RateLimiter

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

# Documented maximum page_size per paginated endpoint.
MAX_PAGE_SIZE = {
    "/bc/get/": 50,
    "/bc/asset/get/": 50,
    "/bc/asset/admin/get/": 50,
    "/store/product/get/": 100,
    "/gmv_max/campaign/get/": 100,
    "/gmv_max/report/get/": 1000,
}
ADVERTISER_INFO_BATCH = 50
PRODUCT_ELIGIBILITY = ("GMV_MAX", "CUSTOM_SHOP_ADS")


_SENSITIVE_QUERY = re.compile(
    r"([?&](?:" + "|".join(re.escape(k) for k in sorted(SENSITIVE_KEYS)) + r")=)[^&#\s\"']*", re.IGNORECASE
)


def redact_url(url: object) -> str:
    """``url`` as text with the values of sensitive query parameters (``secret=`` …) masked."""
    return _SENSITIVE_QUERY.sub(r"\1***", str(url))


class _RedactQueryFilter(logging.Filter):
    """httpx logs every request URL at INFO; /oauth2/advertiser/get/ sends the app secret in the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(redact_url(a) if isinstance(a, (httpx.URL, str)) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_url(record.msg)
        return True


def _install_log_redaction() -> None:
    # A filter on the library's own logger runs before any handler (ours, pytest's caplog, Sentry).
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactQueryFilter) for f in logger.filters):
            logger.addFilter(_RedactQueryFilter())


_install_log_redaction()


def encode_params(params: Mapping[str, Any]) -> dict[str, str]:
    """TikTok GET convention: scalars as text, arrays/objects as compact JSON text."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple, dict)):
            out[key] = json.dumps(list(value) if isinstance(value, tuple) else value, separators=(",", ":"))
        else:
            out[key] = str(value)
    return out


class TikTokClient:
    def __init__(
        self,
        base_url: str,
        access_token: str | None = None,
        *,
        timeout: float = 15.0,
        limiter: RateLimiter | None = None,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = access_token
        self._limiter: RateLimiter = limiter or NullRateLimiter()
        self._max_retries = max_retries
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._sleep = sleep
        self._own_http = http is None
        self._http = http or httpx.Client(timeout=timeout)
        self._secrets: list[str] = [access_token] if access_token else []

    def __repr__(self) -> str:  # never show the token
        return f"TikTokClient(base_url={self.base_url!r}, token={'set' if self._token else 'none'})"

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def __enter__(self) -> TikTokClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- transport

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        token: str | None = None,
        use_token: bool = True,
        advertiser_id: str | None = None,
    ) -> tuple[dict[str, Any], str | None]:
        """Call ``path`` and return ``(data, request_id)``; raise TikTokError subclasses.

        Retries rate-limit and transient failures with exponential backoff and jitter.
        """
        if not (path.startswith("/") and path.endswith("/")):
            raise ValueError(f"TikTok paths start and end with '/': {path!r}")
        headers: dict[str, str] = {}
        tok = token or self._token
        if use_token and tok:
            headers["Access-Token"] = tok
        sensitive = ("secret", "access_token", "auth_code")
        secrets = [*self._secrets, tok]
        secrets += [str(v) for k, v in {**(params or {}), **(body or {})}.items() if k in sensitive]
        attempt = 0
        while True:
            self._limiter.acquire(path, advertiser_id)
            try:
                return self._once(method, path, params, body, headers, secrets)
            except TikTokError as exc:
                if exc.code == 40100:
                    # Our shared budget let this through yet TikTok refused: everyone backs off.
                    self._limiter.penalize()
                if not exc.retryable or attempt >= self._max_retries:
                    log.warning(
                        "tiktok call failed path=%s code=%s request_id=%s attempts=%d",
                        path, exc.code, exc.request_id, attempt + 1,
                    )
                    raise
                delay = self._backoff(attempt)
                log.info(
                    "tiktok retry path=%s code=%s request_id=%s attempt=%d delay=%.2fs",
                    path, exc.code, exc.request_id, attempt + 1, delay,
                )
                self._sleep(delay)
                attempt += 1

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self._backoff_max, self._backoff_base * (2**attempt))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _once(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
        headers: dict[str, str],
        secrets: list[str | None],
    ) -> tuple[dict[str, Any], str | None]:
        url = self.base_url + path
        try:
            if method == "GET":
                resp = self._http.get(url, params=encode_params(params or {}), headers=headers)
            else:
                resp = self._http.request(
                    method, url, params=encode_params(params or {}), json=dict(body or {}), headers=headers
                )
        except httpx.TimeoutException as exc:
            raise TransientError(f"timeout: {type(exc).__name__}", path=path) from None
        except httpx.TransportError as exc:
            raise TransientError(f"connection error: {type(exc).__name__}", path=path) from None
        if resp.status_code >= 500:
            raise TransientError(f"HTTP {resp.status_code}", path=path, http_status=resp.status_code)
        if resp.status_code == 429:
            raise error_for_code(40100, "HTTP 429 too many requests", path=path, request_id=None)
        if resp.status_code != 200:
            raise BadRequestError(f"HTTP {resp.status_code}", path=path, http_status=resp.status_code)
        try:
            envelope = resp.json()
        except ValueError:
            raise TransientError("response is not JSON", path=path, http_status=200) from None
        if not isinstance(envelope, dict) or "code" not in envelope:
            raise TransientError("response has no envelope", path=path, http_status=200)
        request_id = envelope.get("request_id")
        code = envelope.get("code")
        if code != 0:
            message = redact(str(envelope.get("message") or ""), secrets)
            raise error_for_code(int(code), message, path=path, request_id=request_id)
        data = envelope.get("data")
        return (data if isinstance(data, dict) else {}), request_id

    def _get(
        self, path: str, params: Mapping[str, Any], *, advertiser_id: str | None = None
    ) -> tuple[dict[str, Any], str | None]:
        return self.request("GET", path, params=params, advertiser_id=advertiser_id)

    def _parse(self, model: type[M], value: Any, path: str, request_id: str | None) -> M:
        try:
            return model.model_validate(value)
        except ValueError as exc:
            raise BadRequestError(
                f"unexpected response shape: {exc.__class__.__name__}", path=path, request_id=request_id
            ) from None

    def _parse_list(self, model: type[M], values: Any, path: str, request_id: str | None) -> list[M]:
        return [self._parse(model, v, path, request_id) for v in (values or [])]

    def _paged(
        self,
        path: str,
        params: Mapping[str, Any],
        list_key: str,
        model: type[M],
        key: Callable[[M], Any],
        page_size: int,
        advertiser_id: str | None = None,
    ) -> Iterator[Page[M]]:
        size = max(1, min(page_size, MAX_PAGE_SIZE[path]))

        def fetch(page_no: int) -> tuple[list[M], PageInfo, str | None]:
            data, rid = self._get(path, {**params, "page": page_no, "page_size": size}, advertiser_id=advertiser_id)
            info = data.get("page_info")
            page_info = self._parse(PageInfo, info, path, rid) if isinstance(info, dict) else None
            return self._parse_list(model, data.get(list_key), path, rid), page_info, rid  # type: ignore[return-value]

        return iter_pages(fetch, page_size=size, key=key, path=path)

    # ---------------------------------------------------------------- OAuth

    def exchange_auth_code(self, app_id: str, secret: str, auth_code: str) -> AccessTokenData:
        path = "/oauth2/access_token/"
        body = {"app_id": app_id, "secret": secret, "auth_code": auth_code}
        data, rid = self.request("POST", path, body=body, use_token=False)
        return self._parse(AccessTokenData, data, path, rid)

    def revoke_token(self, app_id: str, secret: str, access_token: str) -> RevokeTokenData:
        """Revoke ``access_token``; it is also the ``Access-Token`` header, as in the reference example.

        The reference page (Revoke_a_long-term_access_token.json) requires the header and its curl
        example sends the same ``{{access_token}}`` in header and body. Using the token being revoked
        (not this client's own token, which may belong to another binding) keeps the call valid for
        exactly as long as the token we want rid of.
        """
        path = "/oauth2/revoke_token/"
        data, rid = self.request(
            "POST", path, body={"app_id": app_id, "secret": secret, "access_token": access_token},
            token=access_token,
        )
        return self._parse(RevokeTokenData, data, path, rid)

    def get_authorized_advertisers(self, app_id: str, secret: str) -> list[AuthorizedAdvertiser]:
        path = "/oauth2/advertiser/get/"
        data, rid = self._get(path, {"app_id": app_id, "secret": secret})
        return self._parse_list(AuthorizedAdvertiser, data.get("list"), path, rid)

    def get_user_info(self) -> UserInfo:
        path = "/user/info/"
        data, rid = self._get(path, {})
        return self._parse(UserInfo, data, path, rid)

    # ---------------------------------------------------------------- Business Center

    def iter_business_centers(self, page_size: int = 50) -> Iterator[Page[BusinessCenterItem]]:
        return self._paged("/bc/get/", {}, "list", BusinessCenterItem, lambda b: b.bc_info.bc_id, page_size)

    def iter_bc_assets(
        self, bc_id: str, asset_type: str, page_size: int = 50, filtering: Mapping[str, Any] | None = None
    ) -> Iterator[Page[BcAsset]]:
        params = {"bc_id": bc_id, "asset_type": asset_type, "filtering": dict(filtering) if filtering else None}
        return self._paged("/bc/asset/get/", params, "list", BcAsset, lambda a: (a.asset_type, a.asset_id), page_size)

    def get_advertiser_info(
        self, advertiser_ids: Sequence[str], fields: Sequence[str] | None = None
    ) -> list[AdvertiserInfo]:
        path = "/advertiser/info/"
        ids = list(dict.fromkeys(str(a) for a in advertiser_ids))
        out: list[AdvertiserInfo] = []
        for start in range(0, len(ids), ADVERTISER_INFO_BATCH):
            batch = ids[start : start + ADVERTISER_INFO_BATCH]
            params = {"advertiser_ids": batch, "fields": list(fields) if fields else None}
            data, rid = self._get(path, params)
            out += self._parse_list(AdvertiserInfo, data.get("list"), path, rid)
        return out

    # ---------------------------------------------------------------- Stores & products

    def list_stores(self, advertiser_id: str) -> list[Store]:
        path = "/store/list/"
        data, rid = self._get(path, {"advertiser_id": advertiser_id}, advertiser_id=advertiser_id)
        return self._parse_list(Store, data.get("stores"), path, rid)

    def iter_store_products(
        self,
        *,
        bc_id: str,
        store_id: str,
        advertiser_id: str | None = None,
        eligibility: str | None = "GMV_MAX",
        page_size: int = 100,
    ) -> Iterator[Page[StoreProduct]]:
        if eligibility is not None:
            if eligibility not in PRODUCT_ELIGIBILITY:
                raise ValueError(f"eligibility must be one of {PRODUCT_ELIGIBILITY} or None")
            if not advertiser_id:
                raise ValueError("advertiser_id is required when eligibility is given")
        params = {
            "bc_id": bc_id,
            "store_id": store_id,
            "advertiser_id": advertiser_id,
            "filtering": {"ad_creation_eligible": eligibility} if eligibility else None,
        }
        return self._paged(
            "/store/product/get/", params, "store_products", StoreProduct,
            lambda p: p.item_group_id, page_size, advertiser_id=advertiser_id,
        )

    # ---------------------------------------------------------------- GMV Max

    def list_gmv_max_stores(self, advertiser_id: str) -> list[GmvMaxStore]:
        path = "/gmv_max/store/list/"
        data, rid = self._get(path, {"advertiser_id": advertiser_id}, advertiser_id=advertiser_id)
        return self._parse_list(GmvMaxStore, data.get("store_list"), path, rid)

    def get_exclusive_authorization(
        self, *, store_id: str, store_authorized_bc_id: str, advertiser_id: str
    ) -> ExclusiveAuthorization:
        path = "/gmv_max/exclusive_authorization/get/"
        params = {
            "store_id": store_id, "store_authorized_bc_id": store_authorized_bc_id, "advertiser_id": advertiser_id,
        }
        data, rid = self._get(path, params, advertiser_id=advertiser_id)
        return self._parse(ExclusiveAuthorization, data, path, rid)

    def iter_gmv_max_campaigns(
        self, advertiser_id: str, promotion_types: Sequence[str] = ("PRODUCT_GMV_MAX",), page_size: int = 100
    ) -> Iterator[Page[GmvMaxCampaign]]:
        params = {"advertiser_id": advertiser_id, "filtering": {"gmv_max_promotion_types": list(promotion_types)}}
        return self._paged(
            "/gmv_max/campaign/get/", params, "list", GmvMaxCampaign,
            lambda c: c.campaign_id, page_size, advertiser_id=advertiser_id,
        )
