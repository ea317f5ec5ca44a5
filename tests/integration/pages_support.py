"""Shared fixtures of the account/run page tests: an app pointed at the TikTok sandbox, bindings made
through the real OAuth upsert service, and runs executed in-process by the real job code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import PASSWORD, Made, Tenant
from webapp.extensions import db


@pytest.fixture(scope="session")
def ttb_app(make_app, sandbox):
    return make_app(TTB_API_BASE_URL=sandbox.base_url, TTB_PORTAL_URL=sandbox.portal_url)


@dataclass
class Pages:
    app: Any
    sandbox: Any
    factory: Any

    def client(self, person: Made | None = None):
        """A browser-like test client, logged in as `person` through the JSON login."""
        client = self.app.test_client()
        if person is not None:
            resp = client.post("/api/v1/auth/login", json={"email": person.email, "password": PASSWORD})
            assert resp.status_code == 200, resp.get_data(as_text=True)
        return client

    def bind(self, tenant: Tenant, *, alias: str = "Main account", advertiser_ids: list[str] | None = None) -> int:
        """A binding of the sandbox app with a fresh sandbox token; returns its auth_id."""
        from sqlalchemy import select

        from webapp.models import ProviderApp
        from webapp.providers.provider_apps import create_provider_app
        from webapp.providers.tiktok_business.oauth import upsert_binding

        token = self.sandbox.issue_token(advertiser_ids)
        with self.app.app_context():
            app_row = db.session.execute(select(ProviderApp).where(ProviderApp.app_id == self.sandbox.app_id)
                                         ).scalar_one_or_none()
            if app_row is None:
                app_row = create_provider_app(db.session, app_id=self.sandbox.app_id, secret=self.sandbox.secret,
                                              redirect_uri="http://127.0.0.1:5000/oauth/tiktok-business/callback")
            binding, _ = upsert_binding(db.session, workspace_id=tenant.wid, provider_app_id=app_row.id,
                                        access_token=token, scope=[], advertiser_ids=advertiser_ids or [],
                                        alias=alias, user_id=tenant.owner.id)
            db.session.commit()
            return binding.id

    def start(self, tenant: Tenant, auth_id: int, **kwargs: Any) -> int:
        """Start a meta sync the way the API or CLI would (not through the page); returns the run id."""
        from webapp.runs.service import start_sync

        with self.app.app_context():
            run, _ = start_sync(db.session, workspace_id=tenant.wid, binding_id=auth_id, scope="meta", **kwargs)
            db.session.commit()
            return run.id

    def execute(self, run_id: int) -> dict[str, Any]:
        """Run the job in this process with the real job code (what `flask worker` runs)."""
        from webapp.models import SyncRun
        from webapp.runs.jobs import execute_run
        from webapp.runs.serialization import run_to_dict

        with self.app.app_context():
            execute_run(run_id)
            db.session.remove()
            return run_to_dict(db.session.get(SyncRun, run_id))

    def synced(self, tenant: Tenant, **kwargs: Any) -> int:
        """A binding whose first metadata sync has finished; returns its auth_id."""
        auth_id = self.bind(tenant, **kwargs)
        run = self.execute(self.start(tenant, auth_id))
        assert run["status"] == "success", run
        return auth_id

    def set_status(self, auth_id: int, status: str) -> None:
        from webapp.models import Binding

        with self.app.app_context():
            db.session.get(Binding, auth_id).status = status
            db.session.commit()


@pytest.fixture
def pages(ttb_app, sandbox_clean, factory) -> Pages:
    return Pages(ttb_app, sandbox_clean, factory)


def text_of(resp) -> str:
    return resp.get_data(as_text=True)


def run_panel_ids(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'id="run-panel-(\d+)"', html)]
