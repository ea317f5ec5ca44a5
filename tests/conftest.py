"""Test harness: a fresh MariaDB database per run (migrated with Alembic, dropped at the end), a
dedicated Redis database index flushed before every test, and the flaskr-style fixtures
`app`, `client`, `runner`, `auth`, plus `factory` for users/workspaces/tokens."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pymysql
import pytest
import redis
from sqlalchemy import text

from webapp import create_app
from webapp.extensions import db

MYSQL_HOST = os.environ.get("TEST_MYSQL_HOST", "127.0.0.1")
MYSQL_PORT = int(os.environ.get("TEST_MYSQL_PORT", "3306"))
MYSQL_USER = os.environ.get("TEST_MYSQL_USER", "root")
MYSQL_PASSWORD = os.environ.get("TEST_MYSQL_PASSWORD", "")
# Parallel local runs can pick their own index; CI runs one suite at a time.
REDIS_URL = f"redis://127.0.0.1:6379/{int(os.environ.get('TEST_REDIS_DB', '13'))}"
PASSWORD = "correct horse battery"


def _mysql_admin():
    return pymysql.connect(host=MYSQL_HOST, port=MYSQL_PORT, user=MYSQL_USER, password=MYSQL_PASSWORD)


@contextmanager
def fresh_mariadb_database(prefix: str = "gmv_test") -> Iterator[str]:
    """An empty, uniquely named MariaDB database for the block; yields its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    conn = _mysql_admin()
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    conn.close()
    password = f":{MYSQL_PASSWORD}" if MYSQL_PASSWORD else ""
    try:
        yield f"mysql+pymysql://{MYSQL_USER}{password}@{MYSQL_HOST}:{MYSQL_PORT}/{name}?charset=utf8mb4"
    finally:
        conn = _mysql_admin()
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with fresh_mariadb_database() as url:
        yield url


@pytest.fixture(scope="session")
def base_config(database_url: str, tmp_path_factory) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "test-secret-key",
        "CRYPTO_KEYS": "uQwcOuFWiWuGtgnz1cGkFw3Zf4xR-5GZ2iLrZ6wq1VQ=",
        "COOKIE_SECURE": "false",
        "WTF_CSRF_ENABLED": False,
        "RQ_QUEUE": f"gmvtest{uuid.uuid4().hex[:6]}",
    }


@pytest.fixture(scope="session")
def app(base_config: dict[str, Any]):
    from flask_migrate import upgrade

    application = create_app(base_config)
    with application.app_context():
        upgrade()  # what `flask db upgrade` runs: the migrations are part of every test run
    return application


@pytest.fixture(scope="session")
def make_app(base_config: dict[str, Any], app):
    """Another app on the same database with some settings changed (cookies, CSRF...)."""

    def _make(**overrides: Any):
        return create_app({**base_config, **overrides})

    return _make


@pytest.fixture(scope="session")
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL)


@pytest.fixture(autouse=True)
def _clean_state(request, redis_client):
    """Every test starts from empty tables and an empty Redis database."""
    if "app" not in request.fixturenames and "database_url" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    redis_client.flushdb()
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
    yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class Made:
    id: int
    email: str = ""
    token: str = ""


class Factory:
    """Creates rows through the real services, so tests start from states users can reach."""

    def __init__(self, app):
        self.app = app

    def user(self, email: str | None = None, *, password: str = PASSWORD, platform_admin: bool = False,
             name: str = "") -> Made:
        from webapp.tenancy import create_user

        email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
        with self.app.app_context():
            user = create_user(db.session, email=email, password=password, name=name, platform_admin=platform_admin)
            db.session.commit()
            return Made(id=user.id, email=user.email)

    def workspace(self, owner: Made, name: str = "Acme") -> Made:
        from webapp.models import User
        from webapp.tenancy import create_workspace

        with self.app.app_context():
            ws = create_workspace(db.session, name=name, owner=db.session.get(User, owner.id))
            db.session.commit()
            return Made(id=ws.id)

    def member(self, workspace: Made, user: Made, role: str = "member") -> None:
        from webapp.tenancy import add_member

        with self.app.app_context():
            add_member(db.session, workspace.id, email=user.email, role=role)
            db.session.commit()

    def token(self, user: Made, name: str = "test") -> str:
        from webapp.auth.sessions import create_api_token
        from webapp.models import User

        with self.app.app_context():
            _, token = create_api_token(db.session, db.session.get(User, user.id), name,
                                        key=self.app.config["SECRET_KEY"])
            db.session.commit()
            return token

    def tenant(self, name: str = "Acme") -> "Tenant":
        """A workspace with an owner, an admin and a member, each with an API token."""
        owner, admin, member = self.user(), self.user(), self.user()
        ws = self.workspace(owner, name)
        self.member(ws, admin, "admin")
        self.member(ws, member, "member")
        for person in (owner, admin, member):
            person.token = self.token(person)
        return Tenant(workspace=ws, owner=owner, admin=admin, member=member)


@dataclass
class Tenant:
    workspace: Made
    owner: Made
    admin: Made
    member: Made

    @property
    def wid(self) -> int:
        return self.workspace.id


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)



class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, remember: bool = False):
        return self.client.post("/api/v1/auth/login", json={"email": email, "password": password,
                                                             "remember": remember})

    def logout(self):
        return self.client.post("/api/v1/auth/logout", json={})


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)
