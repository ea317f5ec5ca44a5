"""Helpers for the OAuth / bindings / providers tests: an app pointed at the sandbox, a provider app
for the sandbox's developer app, and the real authorization round trip (authz → portal → callback).

Also a pytest plugin (pytest.ini loads it) with the fixtures those tests share: `ttb` (the app),
`env` (a tenant, its provider app and a logged-in admin client) and `bound` (the same plus one binding
made through the real OAuth flow)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select, text

from tests.conftest import PASSWORD
from webapp.extensions import db
from webapp.models import (
    Advertiser,
    AdvertiserStoreLink,
    BcAdvertiserLink,
    Binding,
    BindingConfig,
    BusinessCenter,
    Product,
    ResourceRevision,
    Store,
    utcnow,
)

REDIRECT_URI = "http://localhost/oauth/tiktok-business/callback"


def ttb_app(make_app, sandbox):
    return make_app(TTB_API_BASE_URL=sandbox.base_url, TTB_PORTAL_URL=sandbox.portal_url)


def add_provider_app(app, sandbox, *, enabled: bool = True, app_id: str | None = None,
                     secret: str | None = None) -> int:
    from webapp.providers.provider_apps import create_provider_app

    with app.app_context():
        row = create_provider_app(db.session, name="Sandbox app", app_id=app_id or sandbox.app_id,
                                  secret=secret or sandbox.secret, redirect_uri=REDIRECT_URI, enabled=enabled)
        db.session.commit()
        return row.id


def login(client, email: str) -> None:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()


def authz(client, wid: int, provider_app_id: int, **extra: Any) -> dict[str, Any]:
    response = client.post(f"/api/v1/tenants/{wid}/oauth/tiktok-business/authz",
                           json={"provider_app_id": provider_app_id, **extra})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def approve(auth_url: str) -> str:
    """What the browser does at TikTok: open the portal (auto-approve) and follow nothing; returns the
    local path + query of the redirect back to our callback."""
    response = httpx.get(auth_url + "&auto_approve=1", follow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return f"{location.path}?{location.query}"


def connect(client, wid: int, provider_app_id: int, **extra: Any):
    """The whole flow; returns the callback response (not followed)."""
    return client.get(approve(authz(client, wid, provider_app_id, **extra)["auth_url"]))


def binding_count(app, workspace_id: int | None = None) -> int:
    with app.app_context():
        stmt = select(func.count(Binding.id))
        if workspace_id is not None:
            stmt = stmt.where(Binding.workspace_id == workspace_id)
        return db.session.execute(stmt).scalar_one()


def dump_all_text(app) -> str:
    """Every value of every table as the database stores it (no ORM types, so nothing is decrypted)."""
    chunks: list[str] = []
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM `{table.name}`")):
                chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


def add_mirror_rows(app, workspace_id: int, binding_id: int) -> None:
    now = utcnow()
    with app.app_context():
        common = {"workspace_id": workspace_id, "binding_id": binding_id, "last_seen_at": now}
        db.session.add_all([
            BusinessCenter(bc_id="bc1", name="BC", **common),
            Advertiser(advertiser_id="a1", name="Adv", owner_bc_id="bc1", **common),
            Advertiser(advertiser_id="a2", name="Gone", removed_at=now, **common),
            BcAdvertiserLink(bc_id="bc1", advertiser_id="a1", relation="OWNER", **common),
            Store(store_id="s1", name="Store", **common),
            AdvertiserStoreLink(advertiser_id="a1", store_id="s1", **common),
            Product(store_id="s1", item_group_id="p1", title="Mug", **common),
            ResourceRevision(binding_id=binding_id, resource="meta", revision=3),
            BindingConfig(workspace_id=workspace_id, binding_id=binding_id, bc_id="bc1"),
        ])
        db.session.commit()


@pytest.fixture
def ttb(make_app, sandbox_clean):
    return ttb_app(make_app, sandbox_clean)


@pytest.fixture
def env(ttb, sandbox_clean, factory):
    tenant = factory.tenant()
    app_pk = add_provider_app(ttb, sandbox_clean)
    client = ttb.test_client()
    login(client, tenant.admin.email)
    return tenant, app_pk, client


@pytest.fixture
def bound(ttb, env):
    """`env` plus one binding (alias "Main") made through the real OAuth flow: (tenant, app_pk, auth_id, client)."""
    tenant, app_pk, client = env
    assert connect(client, tenant.wid, app_pk, alias="Main").status_code == 302
    with ttb.app_context():
        auth_id = db.session.execute(select(Binding.id)).scalar_one()
    return tenant, app_pk, auth_id, client
