"""Bulk, idempotent writes of mirrored TikTok rows.

`upsert` is the one INSERT-or-UPDATE helper: MySQL/MariaDB `INSERT ... ON DUPLICATE KEY UPDATE`,
SQLite/PostgreSQL `INSERT ... ON CONFLICT (...) DO UPDATE`, chosen from the session's dialect, one
statement per chunk of rows (never row-by-row ORM merges).

`sync_rows` classifies one batch against what the mirror already holds (one SELECT per batch) and
writes only what changed: new or previously removed rows are *added* (removed_at cleared), rows whose
fields differ are *updated*, identical rows are *unchanged* and are not rewritten (only last_seen_at
is touched, in one UPDATE). `mark_removed` marks the rows a complete listing did not return.
Both are generic over the mirror models (anything with binding_id, workspace_id, removed_at,
last_seen_at and timestamps), so the product sync can use them too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, Table, select, update
from sqlalchemy.orm import Session

from webapp.models.base import utcnow
from webapp.models.ttb import ResourceRevision

_CHUNK_ROWS = 1_000  # rows per executemany call (bounds the packet size)
_IN_CHUNK = 1_000  # values per IN (...) list


@dataclass
class Tally:
    """Per-entity counts of one sync. `unchanged` includes the updated rows (PRODUCT.md §5)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def as_dict(self) -> dict[str, int]:
        return {"added": self.added, "removed": self.removed, "unchanged": self.unchanged, "updated": self.updated}


def _table(model: Any) -> Table:
    return model.__table__ if hasattr(model, "__table__") else model


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name


def upsert_statement(
    dialect: str,
    model: Any,
    *,
    keys: Sequence[str],
    update_cols: Sequence[str],
    set_exprs: Mapping[str, Any] | None = None,
) -> Any:
    """The INSERT-or-UPDATE statement for ``dialect``, to be executed with a list of row dicts.

    Executed "executemany" style: SQLAlchemy compiles it once (cached) and the driver sends the rows
    together (PyMySQL rewrites it into one multi-row INSERT ... ON DUPLICATE KEY UPDATE per packet).
    Building a multi-row VALUES clause instead costs a bind parameter object per value per call."""
    table = _table(model)
    if dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        stmt = mysql_insert(table)
        values = {c: stmt.inserted[c] for c in update_cols}
        values.update(set_exprs or {})
        return stmt.on_duplicate_key_update(values)
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as conflict_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as conflict_insert

        stmt = conflict_insert(table)
        values = {c: stmt.excluded[c] for c in update_cols}
        values.update(set_exprs or {})
        return stmt.on_conflict_do_update(index_elements=list(keys), set_=values)
    raise NotImplementedError(f"upsert is not implemented for dialect {dialect!r}")


def upsert(
    session: Session,
    model: Any,
    rows: Sequence[Mapping[str, Any]],
    *,
    keys: Sequence[str],
    update_cols: Sequence[str],
    set_exprs: Mapping[str, Any] | None = None,
) -> int:
    """Insert ``rows`` (dicts with the same keys); on a unique-key clash set ``update_cols`` from the
    new values and ``set_exprs`` (column -> SQL expression over the existing row, e.g. ``col + 1``).

    ``keys`` name the unique constraint (SQLite/PostgreSQL need it; MySQL uses whichever unique key
    clashes, which is the same one because the surrogate id is never sent). Returns rows sent."""
    if not rows:
        return 0
    stmt = upsert_statement(dialect_name(session), model, keys=keys, update_cols=update_cols, set_exprs=set_exprs)
    for start in range(0, len(rows), _CHUNK_ROWS):
        session.execute(stmt, [dict(r) for r in rows[start : start + _CHUNK_ROWS]])
    return len(rows)


def _string_lengths(table: Table, fields: Iterable[str]) -> dict[str, int]:
    out = {}
    for f in fields:
        col_type = table.c[f].type
        if isinstance(col_type, String) and col_type.length:
            out[f] = col_type.length
    return out


@dataclass
class BatchOutcome:
    added: list[tuple[str, ...]]
    updated: list[tuple[str, ...]]
    unchanged: int


def sync_rows(
    session: Session,
    model: Any,
    rows: Iterable[Mapping[str, Any]],
    *,
    binding_id: int,
    workspace_id: int,
    keys: Sequence[str],
    fields: Sequence[str],
    now: datetime | None = None,
    tally: Tally | None = None,
    seen: set[tuple[str, ...]] | None = None,
) -> BatchOutcome:
    """Write one batch of mirrored rows of one binding and classify them.

    Each row holds the ``keys`` and any subset of ``fields``; a field missing from a row keeps the
    stored value (a supplementary call that failed must not blank columns). Rows whose key is in
    ``seen`` were handled earlier in this run and are skipped; the others are added to it.
    """
    table = _table(model)
    now = now or utcnow()
    lengths = _string_lengths(table, fields)

    batch: dict[tuple[str, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(str(row[k]) for k in keys)
        if seen is not None and key in seen:
            continue
        clean = {f: (v[: lengths[f]] if f in lengths and isinstance(v, str) else v) for f, v in row.items()
                 if f in fields}
        if key in batch:  # same entity twice in one batch: earlier values win, later ones fill gaps
            for f, v in clean.items():
                batch[key].setdefault(f, v)
        else:
            batch[key] = clean
    if seen is not None:
        seen.update(batch)
    if not batch:
        return BatchOutcome([], [], 0)

    # One SELECT for the whole batch, narrowed by the first key column.
    cols = [table.c.id, table.c.removed_at, *(table.c[k] for k in keys), *(table.c[f] for f in fields)]
    lookup = sorted({k[0] for k in batch})
    existing: dict[tuple[str, ...], Any] = {}
    for start in range(0, len(lookup), _IN_CHUNK):
        stmt = select(*cols).where(table.c.binding_id == binding_id,
                                   table.c[keys[0]].in_(lookup[start : start + _IN_CHUNK]))
        for r in session.execute(stmt):
            m = r._mapping
            key = tuple(str(m[k]) for k in keys)
            if key in batch:
                existing[key] = m

    writes: list[dict[str, Any]] = []
    added: list[tuple[str, ...]] = []
    updated: list[tuple[str, ...]] = []
    touch: list[int] = []
    for key, values in batch.items():
        old = existing.get(key)
        full = {f: values[f] if f in values else (old[f] if old is not None else None) for f in fields}
        if old is None or old["removed_at"] is not None:
            added.append(key)
        elif any(full[f] != old[f] for f in fields):
            updated.append(key)
        else:
            touch.append(old["id"])
            continue
        writes.append({
            "binding_id": binding_id, "workspace_id": workspace_id, **dict(zip(keys, key, strict=True)), **full,
            "created_at": now, "updated_at": now, "last_seen_at": now, "removed_at": None,
        })
    upsert(session, table, writes, keys=("binding_id", *keys),
           update_cols=(*fields, "updated_at", "last_seen_at", "removed_at"))
    for start in range(0, len(touch), _IN_CHUNK):
        # Unchanged rows keep updated_at: only "we saw it again" is recorded.
        session.execute(update(table).where(table.c.id.in_(touch[start : start + _IN_CHUNK]))
                        .values(last_seen_at=now, updated_at=table.c.updated_at))
    if tally is not None:
        tally.added += len(added)
        tally.updated += len(updated)
        tally.unchanged += len(updated) + len(touch)
    return BatchOutcome(added, updated, len(touch) + len(updated))


def _mark(session: Session, table: Table, ids: list[int], now: datetime) -> None:
    for start in range(0, len(ids), _IN_CHUNK):
        session.execute(update(table).where(table.c.id.in_(ids[start : start + _IN_CHUNK]))
                        .values(removed_at=now, updated_at=now))


def mark_removed(
    session: Session,
    model: Any,
    *,
    binding_id: int,
    keys: Sequence[str],
    seen: set[tuple[str, ...]],
    now: datetime | None = None,
    tally: Tally | None = None,
) -> list[tuple[str, ...]]:
    """Mark the binding's live rows whose key is not in ``seen`` as removed; return their keys.

    Only call this after a *complete* listing: anything else would remove rows TikTok still has."""
    table = _table(model)
    stmt = select(table.c.id, *(table.c[k] for k in keys)).where(
        table.c.binding_id == binding_id, table.c.removed_at.is_(None))
    gone = [(r[0], tuple(str(v) for v in r[1:])) for r in session.execute(stmt)]
    gone = [(i, k) for i, k in gone if k not in seen]
    _mark(session, table, [i for i, _ in gone], now or utcnow())
    if tally is not None:
        tally.removed += len(gone)
    return [k for _, k in gone]


def mark_removed_where(
    session: Session, model: Any, *, binding_id: int, column: str, values: Iterable[str],
    now: datetime | None = None,
) -> int:
    """Mark live rows whose ``column`` is one of ``values`` as removed (links of removed entities)."""
    table = _table(model)
    vals = sorted(set(values))
    ids: list[int] = []
    for start in range(0, len(vals), _IN_CHUNK):
        stmt = select(table.c.id).where(table.c.binding_id == binding_id, table.c.removed_at.is_(None),
                                        table.c[column].in_(vals[start : start + _IN_CHUNK]))
        ids += list(session.execute(stmt).scalars())
    _mark(session, table, ids, now or utcnow())
    return len(ids)


def bump_revision(session: Session, binding_id: int, resource: str, now: datetime | None = None) -> None:
    """Add one to the (binding, resource) revision, creating it at 1 (feeds the options ETag)."""
    table = _table(ResourceRevision)
    now = now or utcnow()
    upsert(session, table, [{"binding_id": binding_id, "resource": resource, "revision": 1, "updated_at": now}],
           keys=("binding_id", "resource"), update_cols=("updated_at",),
           set_exprs={"revision": table.c.revision + 1})
