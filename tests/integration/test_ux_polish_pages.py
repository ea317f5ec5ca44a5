"""UX polish on the pages: labels read as words (App ID, Enabled, Admin), messages are full sentences,
and the platform pages share one header (eyebrow, title, then tabs)."""

from __future__ import annotations

from tests.integration.test_pages_auth import login


def test_platform_pages_share_the_header_and_tab_order(client, factory):
    admin = factory.user(platform_admin=True)
    login(client, admin.email)
    for path, title in (("/platform/workspaces", "Workspaces"), ("/platform/provider-apps", "Provider apps")):
        html = client.get(path).get_data(as_text=True)
        assert '<p class="eyebrow">Platform admin</p>' in html, path
        assert f"<h1>{title}</h1>" in html, path
        assert html.index("<h1>") < html.index('<nav class="tabs"'), path


def test_workspace_form_messages_are_full_sentences(client, factory):
    admin = factory.user(platform_admin=True)
    login(client, admin.email)
    response = client.post("/platform/workspaces", data={"name": "x" * 121, "owner_email": "nope"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The workspace name must be at most 120 characters." in html
    assert "Enter a valid email address." in html


def test_roles_and_statuses_are_capitalized(client, factory):
    tenant = factory.tenant()
    login(client, tenant.owner.email)
    html = client.get(f"/w/{tenant.wid}/members").get_data(as_text=True)
    assert '<span class="badge badge-role badge-role-owner">Owner</span>' in html
    assert '>Admin</option>' in html and '>Member</option>' in html
    assert ">admin<" not in html and ">member<" not in html
    tokens = client.get("/tokens").get_data(as_text=True)
    assert '<span class="badge badge-active">Active</span>' in tokens
