"""Unit tests (no I/O): error mapping, redaction, GET encoding, fail-closed paging, fault specs."""

from __future__ import annotations

import pytest

from webapp.providers.tiktok_business.client import encode_params
from webapp.providers.tiktok_business.errors import (
    AuthCodeError,
    BadRequestError,
    PaginationError,
    PermissionDeniedError,
    RateLimitedError,
    TikTokError,
    TokenInvalidError,
    TransientError,
    error_for_code,
    redact,
)
from webapp.providers.tiktok_business.models import PageInfo
from webapp.providers.tiktok_business.paging import iter_pages
from webapp.providers.tiktok_business.sandbox.faults import Faults


@pytest.mark.parametrize(
    ("code", "message", "cls"),
    [
        (40100, "Requests made too frequently.", RateLimitedError),
        (40016, "", RateLimitedError),
        (40133, "Advertiser QPS reaches limit", RateLimitedError),
        (40000, "Requests too frequent, slow down", RateLimitedError),
        (40000, "Parameters invalid", BadRequestError),
        (50000, "System error.", TransientError),
        (50002, "", TransientError),
        (51010, "", TransientError),
        (52404, "", TransientError),
        (51305, "", TransientError),
        (60001, "", TransientError),
        (40102, "", TokenInvalidError),
        (40104, "", TokenInvalidError),
        (40105, "", TokenInvalidError),
        (40106, "", TokenInvalidError),
        (40001, "", PermissionDeniedError),
        (40002, "Missing required field(s): x.", BadRequestError),
        (40101, "", AuthCodeError),
        (40110, "", AuthCodeError),
        (40113, "", AuthCodeError),
        (40300, "", BadRequestError),
    ],
)
def test_error_mapping(code: int, message: str, cls: type[TikTokError]) -> None:
    err = error_for_code(code, message, path="/x/", request_id="rid-1")
    assert type(err) is cls
    assert err.code == code and err.request_id == "rid-1" and err.path == "/x/"
    assert err.retryable is (cls in (RateLimitedError, TransientError))
    assert "rid-1" in str(err)


def test_auth_code_error_is_bad_request() -> None:
    assert issubclass(AuthCodeError, BadRequestError)


def test_redact_keys_and_known_values() -> None:
    value = {"secret": "s3cr3t", "nested": [{"access_token": "tok123456"}], "msg": "token tok123456 bad",
             "Access-Token": "x"}
    out = redact(value, ["tok123456"])
    assert out == {"secret": "***", "nested": [{"access_token": "***"}], "msg": "token *** bad",
                   "Access-Token": "***"}


def test_encode_params_scalars_plain_arrays_json() -> None:
    out = encode_params({"advertiser_id": "1", "page": 2, "enable": True, "ids": ["1", "2"],
                         "filtering": {"a": ["B"]}, "skip": None, "tup": ("x",)})
    assert out == {"advertiser_id": "1", "page": "2", "enable": "true", "ids": '["1","2"]',
                   "filtering": '{"a":["B"]}', "tup": '["x"]'}


def _pages(pages: dict[int, tuple[list[int], dict]]):
    def fetch(n: int):
        items, info = pages[n]
        return items, PageInfo(**info), f"rid{n}"
    return fetch


def _info(page: int, total: int, size: int = 2) -> dict:
    return {"page": page, "page_size": size, "total_number": total, "total_page": -(-total // size)}


def test_paging_happy_path() -> None:
    fetch = _pages({1: ([1, 2], _info(1, 5)), 2: ([3, 4], _info(2, 5)), 3: ([5], _info(3, 5))})
    pages = list(iter_pages(fetch, page_size=2, key=lambda x: x))
    assert [p.items for p in pages] == [[1, 2], [3, 4], [5]]
    assert pages[-1].request_id == "rid3"


def test_paging_empty_listing() -> None:
    fetch = _pages({1: ([], {"page": 1, "page_size": 2, "total_number": 0, "total_page": 0})})
    assert [p.items for p in iter_pages(fetch, page_size=2, key=lambda x: x)] == [[]]


@pytest.mark.parametrize(
    ("pages", "reason"),
    [
        ({1: ([1, 2], _info(1, 4)), 2: ([1, 2], _info(1, 4))}, "stalled"),
        ({1: ([1, 2], _info(1, 4)), 2: ([2, 3], _info(2, 4))}, "duplicate"),
        ({1: ([1, 2], _info(1, 4)), 2: ([3, 4], _info(2, 5))}, "total_number"),
        ({1: ([1, 2], _info(1, 6)), 2: ([], _info(2, 6))}, "empty"),
        ({1: ([1], _info(1, 4)), 2: ([3, 4], _info(2, 4))}, "short page"),
        ({1: ([1, 2], _info(1, 3)), 2: ([], _info(2, 3))}, "empty"),
        ({1: ([1, 2], {"page": 1, "page_size": 2, "total_number": 5, "total_page": 1})}, "in total"),
    ],
)
def test_paging_fails_closed(pages: dict, reason: str) -> None:
    with pytest.raises(PaginationError, match=reason):
        list(iter_pages(_pages(pages), page_size=2, key=lambda x: x))


def test_fault_spec_parsing() -> None:
    f = Faults.parse("rate_limit_qps=5,error_rate=0.1,error_codes=50000|51010,latency_ms=50,"
                     "fail_page=/store/product/get/:3,fail_page=/bc/get/:2:2:51010,fail_next=/user/info/:2:40100")
    assert f.rate_limit_qps == 5 and f.error_rate == 0.1 and f.error_codes == (50000, 51010)
    assert f.latency_ms == 50
    assert [(r.path, r.page, r.remaining, r.code) for r in f.fail_page] == [
        ("/store/product/get/", 3, None, 50000), ("/bc/get/", 2, 2, 51010)]
    assert [(r.path, r.remaining, r.code) for r in f.fail_next] == [("/user/info/", 2, 40100)]
    assert f.page_fault("/bc/get/", 2) == 51010
    assert f.page_fault("/bc/get/", 2) == 51010
    assert f.page_fault("/bc/get/", 2) is None
    assert f.page_fault("/store/product/get/", 3) == 50000  # persistent


def test_random_errors_are_seeded() -> None:
    f1, f2 = Faults.parse("error_rate=0.5,seed=3"), Faults.parse("error_rate=0.5,seed=3")
    assert [f1.before_request("/p/") for _ in range(20)] == [f2.before_request("/p/") for _ in range(20)]
