"""`flask db upgrade` / `downgrade base` / `upgrade` with the real CLI, on MariaDB and on SQLite."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import fresh_mariadb_database
from webapp.models.base import Base

PROJECT = Path(__file__).resolve().parents[2]
FLASK = PROJECT / ".venv" / "bin" / "flask"
MODEL_TABLES = set(Base.metadata.tables)


def _flask_db(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GMV_DEMO": "1", "DATABASE_URL": database_url, "FLASK_APP": "wsgi"}
    result = subprocess.run([str(FLASK), "db", *args], cwd=PROJECT, env=env, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, f"flask db {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _tables(database_url: str) -> set[str]:
    engine = sa.create_engine(database_url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _round_trip(database_url: str) -> None:
    assert _tables(database_url) == set()
    _flask_db(database_url, "upgrade")
    assert _tables(database_url) == MODEL_TABLES | {"alembic_version"}
    head = _flask_db(database_url, "heads").stdout.split()[0]
    assert head in _flask_db(database_url, "current").stdout

    _flask_db(database_url, "downgrade", "base")
    assert _tables(database_url) <= {"alembic_version"}

    _flask_db(database_url, "upgrade")
    assert _tables(database_url) == MODEL_TABLES | {"alembic_version"}


@pytest.fixture
def empty_mariadb():
    with fresh_mariadb_database("gmv_migr") as url:
        yield url


def test_upgrade_downgrade_upgrade_on_mariadb(empty_mariadb):
    _round_trip(empty_mariadb)


def test_upgrade_downgrade_upgrade_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'gmv.db'}")
