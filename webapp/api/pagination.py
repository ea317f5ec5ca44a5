"""The one pagination helper: `{"items", "page", "page_size", "total"}` with strict bounds."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from webapp.errors import ValidationFailed


def _int_arg(name: str, default: int, minimum: int, maximum: int, errors: list[dict[str, str]]) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        errors.append({"field": name, "message": "must be an integer"})
        return default
    if value < minimum or value > maximum:
        errors.append({"field": name, "message": f"must be between {minimum} and {maximum}"})
    return value


def page_args(default_size: int = 20, max_size: int = 100) -> tuple[int, int]:
    """Read `page` / `page_size` from the query string; out-of-range values are a 422, never clamped."""
    errors: list[dict[str, str]] = []
    page = _int_arg("page", 1, 1, 1_000_000, errors)
    size = _int_arg("page_size", default_size, 1, max_size, errors)
    if errors:
        raise ValidationFailed(message="Invalid pagination parameters.", data=errors)
    return page, size


def paginate(session: Session, stmt: Select, serialize: Callable[[Any], dict[str, Any]], *,
             default_size: int = 20, max_size: int = 100) -> dict[str, Any]:
    page, size = page_args(default_size, max_size)
    total = session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    rows: Iterable[Any] = session.execute(stmt.limit(size).offset((page - 1) * size)).scalars()
    return {"items": [serialize(r) for r in rows], "page": page, "page_size": size, "total": total}


def page_of(items: list[Any], page: int, size: int, total: int) -> dict[str, Any]:
    return {"items": items, "page": page, "page_size": size, "total": total}
