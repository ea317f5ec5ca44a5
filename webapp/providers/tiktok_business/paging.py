"""Offset pagination (``page`` / ``page_size`` / ``page_info``) that fails closed.

TikTok list endpoints have no cursor; if the data shifts between page calls, or the server
misbehaves, a naive loop silently returns a short or duplicated list. Downstream sync code
deletes rows that are "missing", so a short list is worse than an error: every inconsistency
raises PaginationError instead.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from .errors import PaginationError
from .models import PageInfo

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    page_size: int
    total_number: int
    total_page: int
    request_id: str | None = None


# fetch(page_number) -> (items, page_info, request_id)
FetchPage = Callable[[int], "tuple[list[T], PageInfo, str | None]"]


def iter_pages(
    fetch: FetchPage,
    *,
    page_size: int,
    key: Callable[[T], Hashable],
    path: str = "",
) -> Iterator[Page[T]]:
    """Yield pages 1..total_page, validating each one against the first.

    Only item keys are remembered (for duplicate detection), never the items themselves.
    """
    seen: set[Hashable] = set()
    expected_total: int | None = None
    page_no = 1
    while True:
        items, info, request_id = fetch(page_no)

        def fail(reason: str, request_id: str | None = request_id) -> PaginationError:
            return PaginationError(reason, path=path, request_id=request_id)

        if info is None:
            raise fail(f"page {page_no}: response has no page_info")
        if info.page != page_no:
            raise fail(f"stalled pagination: asked page {page_no}, got page {info.page}")
        if expected_total is None:
            expected_total = info.total_number
        elif info.total_number != expected_total:
            raise fail(
                f"total_number changed from {expected_total} to {info.total_number} at page {page_no}"
            )
        if len(items) > page_size:
            raise fail(f"page {page_no} has {len(items)} items, more than page_size {page_size}")
        for item in items:
            k = key(item)
            if k in seen:
                raise fail(f"duplicate item {k!r} on page {page_no}")
            seen.add(k)
        last = page_no >= info.total_page or info.total_page == 0
        if not items and not (last and expected_total == 0):
            raise fail(f"page {page_no} of {info.total_page} is empty")
        # The server may cap page_size below what we asked; judge fullness by what it used.
        full = min(page_size, info.page_size or page_size)
        if not last and len(items) < full:
            raise fail(f"short page {page_no} ({len(items)} < {full}) before the last page")
        yield Page(
            items=items,
            page=info.page,
            page_size=info.page_size,
            total_number=info.total_number,
            total_page=info.total_page,
            request_id=request_id,
        )
        if last:
            if len(seen) != expected_total:
                raise fail(f"got {len(seen)} items in total, server announced {expected_total}")
            return
        page_no += 1
