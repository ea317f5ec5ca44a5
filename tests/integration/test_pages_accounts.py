"""The account page: header, tabs (business centers, advertisers, stores) with search and sort, the
"Sync metadata" button (htmx and no-JS), run history, revoked bindings and tenant isolation."""

from __future__ import annotations

import re

from sqlalchemy import select

# The fixtures `pages` and `ttb_app` come from pages_support (imported, so ruff sees them redefined).
# ruff: noqa: F811
from tests.integration.pages_support import pages, run_panel_ids, text_of, ttb_app  # noqa: F401
from webapp.extensions import db
from webapp.models import SyncRun

HX = {"HX-Request": "true"}


def account_url(tenant, auth_id: int, query: str = "") -> str:
    return f"/w/{tenant.wid}/accounts/{auth_id}{query}"


def table_names(html: str) -> list[str]:
    """The Name column of the account table, in page order."""
    body = html.split('id="account-table"', 1)[1].split("</table>", 1)[0]
    return [re.sub(r"<[^>]+>", "", row.split("<td>", 2)[1]).strip() for row in body.split("<tr>")[2:]]


def test_account_page_shows_header_tabs_and_history(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.synced(tenant, alias="Acme TikTok")
    client = pages.client(tenant.member)

    resp = client.get(account_url(tenant, auth_id))
    html = text_of(resp)
    assert resp.status_code == 200
    assert "Acme TikTok" in html and 'class="badge badge-active"' in html
    assert "Last synced: <strong class=\"last-synced\">never" not in html
    # Business centers are the default tab.
    assert 'class="tab tab-active"' in html and table_names(html) == ["Sandbox BC One", "Sandbox BC Two"]
    # The finished first sync is in the history, linked to its run page; no live panel for a final run.
    history = html.split('id="run-history"', 1)[1]
    assert "ttb.sync.meta" in history and 'class="badge badge-success"' in history
    assert "system" in history  # started by the service without an actor (as the OAuth callback may)
    assert re.search(rf'href="/w/{tenant.wid}/runs/\d+"', history)
    assert run_panel_ids(html) == []
    # Members read, but the sync button is for admins.
    assert "Sync metadata" not in html


def test_tabs_search_and_sort_work_without_js(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.synced(tenant)
    client = pages.client(tenant.member)

    advertisers = text_of(client.get(account_url(tenant, auth_id, "?tab=advertisers")))
    assert table_names(advertisers) == [f"Sandbox Advertiser {i}" for i in range(1, 6)]
    assert 'aria-current="page">Advertisers<' in advertisers

    descending = text_of(client.get(account_url(tenant, auth_id, "?tab=advertisers&sort=-name")))
    assert table_names(descending) == [f"Sandbox Advertiser {i}" for i in range(5, 0, -1)]
    assert 'aria-sort="descending"' in descending

    found = text_of(client.get(account_url(tenant, auth_id, "?tab=stores&q=store+3")))
    assert table_names(found) == ["Sandbox Store 3"]
    assert 'value="store 3"' in found

    # A TikTok id works as a search term too.
    by_id = text_of(client.get(account_url(tenant, auth_id, "?tab=advertisers&q=7400000000000000004")))
    assert table_names(by_id) == ["Sandbox Advertiser 4"]

    nothing = text_of(client.get(account_url(tenant, auth_id, "?tab=stores&q=no-such-store")))
    assert 'id="account-table"' not in nothing and "No stores match" in nothing

    # Unknown tab / sort values fall back to the defaults instead of failing.
    fallback = client.get(account_url(tenant, auth_id, "?tab=bogus&sort=password"))
    assert fallback.status_code == 200
    assert table_names(text_of(fallback)) == ["Sandbox BC One", "Sandbox BC Two"]


def test_htmx_tab_request_gets_only_the_tab_area(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.synced(tenant)
    client = pages.client(tenant.member)

    resp = client.get(account_url(tenant, auth_id, "?tab=stores&sort=-name"),
                      headers={**HX, "HX-Target": "account-tabs"})
    html = text_of(resp)
    assert resp.status_code == 200 and "HX-Request" in resp.headers.get("Vary", "")
    assert "<html" not in html and html.lstrip().startswith("<section id=\"account-tabs\"")
    assert table_names(html)[0] == "Sandbox Store 6"
    # Links carry both the no-JS href and the htmx attributes.
    assert 'hx-push-url="true"' in html and f'href="/w/{tenant.wid}/accounts/{auth_id}?tab=advertisers"' in html


def test_empty_account_before_any_sync(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.bind(tenant)
    html = text_of(pages.client(tenant.admin).get(account_url(tenant, auth_id)))
    assert "never" in html and "No business centers mirrored yet." in html and "No runs yet." in html
    assert "Sync metadata" in html


def test_sync_button_htmx_starts_a_run_and_returns_a_polling_panel(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.bind(tenant)
    client = pages.client(tenant.admin)

    page = text_of(client.get(account_url(tenant, auth_id)))
    assert f'hx-post="/w/{tenant.wid}/accounts/{auth_id}/sync"' in page and 'name="csrf_token"' in page

    resp = client.post(f"/w/{tenant.wid}/accounts/{auth_id}/sync", headers=HX)
    html = text_of(resp)
    assert resp.status_code == 200
    with pages.app.app_context():
        run = db.session.execute(select(SyncRun).where(SyncRun.binding_id == auth_id)).scalar_one()
        assert run.status == "enqueued" and run.scope == "meta"
        actor = run.stats["requested"]["actor"]
    assert actor["user_id"] == tenant.admin.id and actor["workspace_id"] == tenant.wid and actor["ip"]
    assert run_panel_ids(html) == [run.id]
    assert f'hx-get="/w/{tenant.wid}/runs/{run.id}/panel"' in html
    assert 'hx-trigger="every 1s"' in html and 'hx-swap="outerHTML"' in html

    # While the run is queued the account page itself shows the live panel.
    again = text_of(client.get(account_url(tenant, auth_id)))
    assert run_panel_ids(again) == [run.id] and 'hx-trigger="every 1s"' in again

    finished = pages.execute(run.id)
    assert finished["status"] == "success"
    poll = client.get(f"/w/{tenant.wid}/runs/{run.id}/panel", headers=HX)
    assert poll.status_code == 286 and poll.headers["HX-Trigger"] == "runFinished"
    assert "every 1s" not in text_of(poll) and "hx-trigger" not in text_of(poll)
    # The account page now lists what the run mirrored.
    advertisers = text_of(client.get(account_url(tenant, auth_id, "?tab=advertisers")))
    assert len(table_names(advertisers)) == 5


def test_sync_without_js_redirects_to_the_run_page(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.bind(tenant)
    client = pages.client(tenant.owner)

    resp = client.post(f"/w/{tenant.wid}/accounts/{auth_id}/sync")
    assert resp.status_code == 303
    match = re.fullmatch(rf"/w/{tenant.wid}/runs/(\d+)", resp.headers["Location"])
    assert match
    page = client.get(resp.headers["Location"])
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in text_of(page)


def test_sync_requires_a_csrf_token_when_csrf_is_on(make_app, pages, factory):
    csrf_app = make_app(WTF_CSRF_ENABLED=True, TTB_API_BASE_URL=pages.sandbox.base_url)
    tenant = factory.tenant()
    auth_id = pages.bind(tenant)
    client = csrf_app.test_client()
    assert client.post("/api/v1/auth/login", json={"email": tenant.admin.email,
                                                   "password": "correct horse battery"}).status_code == 200
    url = f"/w/{tenant.wid}/accounts/{auth_id}/sync"

    refused = client.post(url, headers=HX)
    assert refused.status_code == 403

    page = text_of(client.get(account_url(tenant, auth_id)))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    # htmx sends the token from the meta tag as a header; the form field works without JS.
    assert client.post(url, headers={**HX, "X-CSRFToken": token}).status_code == 200
    assert client.post(url, data={"csrf_token": token}).status_code == 303


def test_revoked_binding_cannot_be_synced(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.synced(tenant)
    pages.set_status(auth_id, "revoked")
    client = pages.client(tenant.admin)

    html = text_of(client.get(account_url(tenant, auth_id)))
    assert 'class="badge badge-revoked"' in html
    assert re.search(r"<button[^>]*disabled[^>]*>Sync metadata</button>", html)
    assert "cannot be synced" in html
    # The mirrored data stays readable.
    assert table_names(html) == ["Sandbox BC One", "Sandbox BC Two"]

    inline = client.post(f"/w/{tenant.wid}/accounts/{auth_id}/sync", headers=HX)
    assert inline.status_code == 200 and "BINDING_REVOKED" in text_of(inline)
    assert 'role="alert"' in text_of(inline)

    no_js = client.post(f"/w/{tenant.wid}/accounts/{auth_id}/sync")
    assert no_js.status_code == 400 and "BINDING_REVOKED" in text_of(no_js)
    assert "Sandbox BC One" in text_of(no_js)  # the page itself, with the message inline
    with pages.app.app_context():
        assert len(db.session.execute(select(SyncRun).where(SyncRun.binding_id == auth_id)).all()) == 1


def test_invalid_binding_shows_reconnect_hint_and_can_retry(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.bind(tenant)
    pages.set_status(auth_id, "invalid")
    client = pages.client(tenant.admin)
    html = text_of(client.get(account_url(tenant, auth_id)))
    assert "Reconnect" in html and 'class="badge badge-invalid"' in html
    assert client.post(f"/w/{tenant.wid}/accounts/{auth_id}/sync", headers=HX).status_code == 200


def test_run_started_elsewhere_shows_live_on_the_account_page(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.bind(tenant)
    client = pages.client(tenant.member)
    slot_url = f"/w/{tenant.wid}/accounts/{auth_id}/active-run"
    # An open page polls slowly for runs started elsewhere; nothing active → 204, htmx swaps nothing.
    page = text_of(client.get(account_url(tenant, auth_id)))
    assert f'hx-get="{slot_url}"' in page and 'hx-trigger="every 5s"' in page
    assert client.get(slot_url, headers=HX).status_code == 204
    run_id = pages.start(tenant, auth_id, actor={"user_id": tenant.owner.id, "workspace_id": tenant.wid,
                                                 "ip": "203.0.113.9"})
    html = text_of(client.get(account_url(tenant, auth_id)))
    assert run_panel_ids(html) == [run_id] and 'hx-trigger="every 1s"' in html
    assert 'class="badge badge-enqueued"' in html
    # ...and a page opened before the run started gets the live panel from its slow poll.
    slot = client.get(slot_url, headers=HX)
    assert slot.status_code == 200 and run_panel_ids(text_of(slot)) == [run_id]
    assert 'hx-trigger="every 1s"' in text_of(slot)
    pages.execute(run_id)
    assert client.get(slot_url, headers=HX).status_code == 204


def test_history_fragment_lists_latest_runs_newest_first(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.synced(tenant)
    second = pages.start(tenant, auth_id)
    resp = pages.client(tenant.member).get(f"/w/{tenant.wid}/accounts/{auth_id}/runs", headers=HX)
    html = text_of(resp)
    assert resp.status_code == 200 and "<html" not in html
    ids = [int(m) for m in re.findall(rf'href="/w/{tenant.wid}/runs/(\d+)"', html)]
    assert ids[0] == second and len(ids) == 2


def test_account_page_isolation(pages, factory):
    tenant, other = factory.tenant("Acme"), factory.tenant("Other")
    auth_id = pages.bind(tenant)
    other_auth_id = pages.bind(other, alias="Other account")
    outsider = factory.user()

    # Not a member of the workspace → 403 page.
    resp = pages.client(outsider).get(account_url(tenant, auth_id))
    assert resp.status_code == 403 and "Not a member of this workspace." in text_of(resp)
    # Another workspace's binding → 404, as if it did not exist.
    client = pages.client(tenant.owner)
    for url in (account_url(tenant, other_auth_id), f"/w/{tenant.wid}/accounts/{other_auth_id}/runs",
                f"/w/{tenant.wid}/accounts/{other_auth_id}/active-run", account_url(tenant, 999999)):
        resp = client.get(url)
        assert resp.status_code == 404 and "BINDING_NOT_FOUND" in text_of(resp), url
    assert client.post(f"/w/{tenant.wid}/accounts/{other_auth_id}/sync", headers=HX).status_code == 404
    # A member cannot start a sync.
    member = pages.client(tenant.member)
    resp = member.post(f"/w/{tenant.wid}/accounts/{auth_id}/sync", headers=HX)
    assert resp.status_code == 403 and "Admin or owner role required." in text_of(resp)
    with pages.app.app_context():
        assert db.session.execute(select(SyncRun)).first() is None
    # Not logged in → the login page.
    anonymous = pages.client().get(account_url(tenant, auth_id))
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
