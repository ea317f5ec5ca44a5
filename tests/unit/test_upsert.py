"""The bulk upsert helper: the SQL it emits per dialect, and the classify-then-write batch logic
(run on an in-memory SQLite database; MariaDB is covered by the integration tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from webapp.models import Advertiser, BusinessCenter, ResourceRevision, Store
from webapp.models.base import Base
from webapp.providers.tiktok_business.upsert import (
    Tally,
    bump_revision,
    mark_removed,
    mark_removed_where,
    sync_rows,
    upsert,
    upsert_statement,
)

BID, WID = 1, 1
FIELDS = ("name", "status")


def test_mysql_statement_is_insert_on_duplicate_key_update():
    stmt = upsert_statement("mariadb", BusinessCenter, keys=("binding_id", "bc_id"), update_cols=("name",))
    sql = str(stmt.compile(dialect=mysql.dialect(), column_keys=["binding_id", "workspace_id", "bc_id", "name"]))
    assert sql.startswith("INSERT INTO ttb_business_centers (")
    assert sql.endswith("ON DUPLICATE KEY UPDATE name = VALUES(name)")


def test_sqlite_statement_is_on_conflict_do_update_on_the_unique_key():
    table = ResourceRevision.__table__
    stmt = upsert_statement("sqlite", table, keys=("binding_id", "resource"), update_cols=(),
                            set_exprs={"revision": table.c.revision + 1})
    sql = str(stmt.compile(dialect=sqlite.dialect(), column_keys=["binding_id", "resource", "revision"]))
    assert "ON CONFLICT (binding_id, resource) DO UPDATE SET revision" in sql
    assert "ttb_resource_revisions.revision + ?" in sql


def test_unknown_dialects_are_refused():
    with pytest.raises(NotImplementedError):
        upsert_statement("oracle", BusinessCenter, keys=("binding_id", "bc_id"), update_cols=())


def test_many_rows_go_in_chunks(session):
    rows = [{"bc_id": str(i), "name": f"BC {i}", "status": "ENABLE"} for i in range(2_500)]
    tally = Tally()
    _sync(session, rows, tally)
    assert tally.added == 2_500
    assert session.execute(select(func.count()).select_from(BusinessCenter)).scalar_one() == 2_500
    assert upsert(session, BusinessCenter, [], keys=("binding_id", "bc_id"), update_cols=()) == 0


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://", poolclass=StaticPool)
    tables = [BusinessCenter.__table__, Advertiser.__table__, Store.__table__, ResourceRevision.__table__]
    with engine.connect() as conn:
        conn.execute(text("PRAGMA foreign_keys=OFF"))  # the parents (workspaces, bindings) are not needed here
        conn.commit()
    Base.metadata.create_all(engine, tables=tables)
    with Session(engine) as s:
        yield s
    engine.dispose()


def _bcs(*pairs: tuple[str, str]) -> list[dict]:
    return [{"bc_id": bc_id, "name": name, "status": "ENABLE"} for bc_id, name in pairs]


def _sync(session: Session, rows: list[dict], tally: Tally, seen: set | None = None):
    out = sync_rows(session, BusinessCenter, rows, binding_id=BID, workspace_id=WID, keys=("bc_id",),
                    fields=FIELDS, tally=tally, seen=seen)
    session.commit()
    return out


def test_classifies_added_updated_unchanged_and_never_duplicates(session):
    first = Tally()
    _sync(session, _bcs(("1", "One"), ("2", "Two")), first)
    assert first.as_dict() == {"added": 2, "removed": 0, "unchanged": 0, "updated": 0}
    stamp = session.execute(select(BusinessCenter.updated_at).where(BusinessCenter.bc_id == "2")).scalar_one()

    second = Tally()
    outcome = _sync(session, _bcs(("1", "One renamed"), ("2", "Two"), ("3", "Three")), second)
    assert second.as_dict() == {"added": 1, "removed": 0, "unchanged": 2, "updated": 1}
    assert (outcome.added, outcome.updated) == ([("3",)], [("1",)])
    assert session.execute(select(func.count()).select_from(BusinessCenter)).scalar_one() == 3
    names = dict(session.execute(select(BusinessCenter.bc_id, BusinessCenter.name)).all())
    assert names == {"1": "One renamed", "2": "Two", "3": "Three"}
    # The unchanged row was not rewritten (only last_seen_at moves).
    assert session.execute(select(BusinessCenter.updated_at).where(BusinessCenter.bc_id == "2")).scalar_one() == stamp


def test_removed_rows_come_back_as_added(session):
    _sync(session, _bcs(("1", "One"), ("2", "Two")), Tally())
    tally = Tally()
    gone = mark_removed(session, BusinessCenter, binding_id=BID, keys=("bc_id",), seen={("1",)}, tally=tally)
    session.commit()
    assert gone == [("2",)] and tally.removed == 1
    assert session.execute(select(BusinessCenter.removed_at).where(BusinessCenter.bc_id == "2")).scalar_one()

    again = Tally()
    _sync(session, _bcs(("1", "One"), ("2", "Two")), again)
    assert (again.added, again.unchanged) == (1, 1)
    assert session.execute(select(BusinessCenter.removed_at).where(BusinessCenter.bc_id == "2")).scalar_one() is None
    assert session.execute(select(func.count()).select_from(BusinessCenter)).scalar_one() == 2


def test_missing_fields_keep_stored_values_and_seen_keys_are_skipped(session):
    _sync(session, _bcs(("1", "One")), Tally())
    tally, seen = Tally(), set()
    _sync(session, [{"bc_id": "1", "name": "One"}], tally, seen)  # no status: keep ENABLE
    assert tally.as_dict()["updated"] == 0
    assert session.execute(select(BusinessCenter.status)).scalar_one() == "ENABLE"
    _sync(session, [{"bc_id": "1", "name": "Changed later in the same run"}], tally, seen)
    assert session.execute(select(BusinessCenter.name)).scalar_one() == "One"
    assert tally.unchanged == 1


def test_duplicates_in_one_batch_merge_and_long_strings_are_cut(session):
    tally = Tally()
    _sync(session, [{"bc_id": "9", "name": "x" * 300}, {"bc_id": "9", "name": "ignored", "status": "ENABLE"}], tally)
    assert tally.added == 1
    name, status = session.execute(select(BusinessCenter.name, BusinessCenter.status)).one()
    assert (len(name), status) == (255, "ENABLE")


def test_mark_removed_where_and_revisions(session):
    rows = [{"advertiser_id": a, "name": a, "owner_bc_id": "b"} for a in ("a1", "a2", "a3")]
    sync_rows(session, Advertiser, rows, binding_id=BID, workspace_id=WID, keys=("advertiser_id",),
              fields=("name", "owner_bc_id"))
    assert mark_removed_where(session, Advertiser, binding_id=BID, column="advertiser_id", values=["a1", "a3"]) == 2
    assert mark_removed_where(session, Advertiser, binding_id=BID, column="advertiser_id", values=["a1"]) == 0
    bump_revision(session, BID, "advertisers")
    bump_revision(session, BID, "advertisers")
    bump_revision(session, BID, "stores")
    session.commit()
    revs = dict(session.execute(select(ResourceRevision.resource, ResourceRevision.revision)).all())
    assert revs == {"advertisers": 2, "stores": 1}
