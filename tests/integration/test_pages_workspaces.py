"""Workspace switcher and workspace home pages, and who may see them."""

from __future__ import annotations

from tests.integration.test_pages_auth import login


def test_switcher_lists_every_workspace_of_the_user(client, factory):
    first = factory.tenant("Acme")
    second = factory.workspace(factory.user(), "Globex")
    factory.member(second, first.member, "admin")
    login(client, first.member.email)

    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'href="/w/{first.wid}/"' in html and f'href="/w/{second.id}/"' in html
    assert "Acme" in html and "Globex" in html and "0001" in html and "0002" in html


def test_switcher_without_workspaces_shows_empty_state(client, factory):
    login(client, factory.user().email)
    html = client.get("/").get_data(as_text=True)
    assert "not a member of any workspace" in html


def test_home_shows_name_code_role_and_links(client, factory):
    tenant = factory.tenant("Acme Store")
    login(client, tenant.admin.email)
    response = client.get(f"/w/{tenant.wid}/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Acme Store" in html and "0001" in html
    assert "badge-role-admin" in html
    assert f'href="/w/{tenant.wid}/members"' in html and 'href="/tokens"' in html
    assert 'href="/platform/workspaces"' not in html  # not a platform admin
    # The base layout: vendored htmx + app.js deferred, CSRF meta tag, version in the footer.
    assert '<script src="/static/vendor/htmx-2.0.11.min.js" defer></script>' in html
    assert '<script src="/static/js/app.js" defer></script>' in html
    assert '<meta name="csrf-token" content="' in html
    assert "GMV Backend <span class=\"app-version\">" in html
    assert " style=" not in html and "onclick" not in html


def test_platform_admin_sees_platform_link(client, factory):
    tenant = factory.tenant()
    boss = factory.user(platform_admin=True)
    factory.member(tenant.workspace, boss, "member")
    login(client, boss.email)
    assert 'href="/platform/workspaces"' in client.get(f"/w/{tenant.wid}/").get_data(as_text=True)


def test_home_access_member_nonmember_other_tenant(client, factory):
    tenant, other = factory.tenant("Acme"), factory.tenant("Globex")
    login(client, tenant.member.email)
    assert client.get(f"/w/{tenant.wid}/").status_code == 200
    for url in (f"/w/{other.wid}/", "/w/999999/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Not a member of this workspace." in response.get_data(as_text=True)


def test_static_assets_are_served(client):
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200
    assert client.get("/static/js/app.js").status_code == 200
    css = client.get("/static/css/app.css")
    assert css.status_code == 200 and b".badge-running" in css.data
