"""Platform admin workspaces page: list with code and member count, create with inline errors."""

from __future__ import annotations

from sqlalchemy import select

from tests.integration.test_pages_auth import login
from webapp.extensions import db
from webapp.models import Workspace


def test_platform_admin_lists_and_creates_workspaces(client, app, factory):
    factory.tenant("Acme")
    boss, owner = factory.user(platform_admin=True), factory.user()
    login(client, boss.email)

    response = client.get("/platform/workspaces")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Acme" in html and "0001" in html
    assert '<td class="num">3</td>' in html  # owner + admin + member
    assert client.get("/platform/").headers["Location"] == "/platform/workspaces"

    response = client.post("/platform/workspaces", data={"name": "Globex", "owner_email": owner.email})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Workspace “Globex” created with company code 0002." in html
    assert owner.email in html
    with app.app_context():
        created = db.session.execute(select(Workspace).where(Workspace.name == "Globex")).scalar_one()
        assert created.company_code == "0002"
    # The platform admin is not a member of the new workspace.
    assert client.get(f"/w/{created.id}/").status_code == 403


def test_create_workspace_inline_errors(client, app, factory):
    login(client, factory.user(platform_admin=True).email)
    response = client.post("/platform/workspaces", data={"name": "Initech", "owner_email": "ghost@example.com"})
    assert response.status_code == 404
    assert "No user with email ghost@example.com." in response.get_data(as_text=True)

    response = client.post("/platform/workspaces", data={"name": "", "owner_email": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter a workspace name." in html and "Enter the owner&#39;s email." in html
    with app.app_context():
        assert db.session.execute(select(Workspace)).first() is None


def test_non_platform_admin_gets_403(client, factory):
    tenant = factory.tenant()
    for person in (tenant.owner, tenant.member):
        login(client, person.email)
        assert client.get("/platform/workspaces").status_code == 403
        response = client.post("/platform/workspaces", data={"name": "Sneaky", "owner_email": person.email})
        assert response.status_code == 403
        assert "Platform admin required." in response.get_data(as_text=True)
        client.post("/logout")
    assert client.get("/platform/workspaces").status_code == 302  # anonymous → login
