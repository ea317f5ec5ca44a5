"""What a user sees on the account and run pages in the cases a demo user reported: a run that used up its
retries, a double-clicked "Sync metadata", invalid/revoked bindings (one clear sentence + Reconnect), and
human labels instead of raw TikTok/task values. Runs execute in-process with the real job code against the
TikTok sandbox."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import func, select

# The fixtures `pages` and `ttb_app` come from pages_support (imported, so ruff sees them redefined).
# ruff: noqa: F811
from tests.helpers import bearer
from tests.integration.pages_support import pages, run_panel_ids, text_of, ttb_app  # noqa: F401
from webapp.extensions import db
from webapp.models import Binding, SyncRun, utcnow

HX = {"HX-Request": "true"}


def account_url(tenant, auth_id: int, query: str = "") -> str:
    return f"/w/{tenant.wid}/accounts/{auth_id}{query}"


def visible_text(html: str) -> str:
    """The page text without tags and with whitespace collapsed (what a reader sees, roughly)."""
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def run_count(pages, auth_id: int) -> int:
    with pages.app.app_context():
        return db.session.execute(select(func.count()).select_from(SyncRun)
                                  .where(SyncRun.binding_id == auth_id)).scalar_one()


# ------------------------------------------------------------------ item 2: a run that used up its retries

def test_run_that_used_up_its_retries_shows_first_start_whole_duration_and_why(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.bind(tenant)
    run_id = pages.start(tenant, auth_id)
    first_start = (utcnow() - timedelta(minutes=7)).replace(microsecond=0)
    # The state three failed attempts leave behind (jobs._retry_or_fail): back in the queue, first start kept.
    with pages.app.app_context():
        run = db.session.get(SyncRun, run_id)
        run.attempts, run.started_at = 3, first_start
        run.progress = {"phase": "retry_wait", "done": 0, "total": 0}
        run.stats = {**run.stats, "errors": [{"stage": "attempt", "code": "TIKTOK_TRANSIENT",
                                              "message": f"attempt {n}: System error (50000)"} for n in (1, 2, 3)]}
        db.session.commit()
    # TikTok is still down for the 4th (last) attempt.
    pages.sandbox.set_faults({"error_rate": 1.0, "error_codes": [50000]})
    data = pages.execute(run_id)

    assert data["status"] == "failed" and data["error_code"] == "TIKTOK_TRANSIENT"
    assert data["error_message"] == ("TikTok kept failing at the business centers step after 4 attempts: "
                                     "System error (50000)")
    # Started = the first attempt's start; the duration covers all attempts.
    assert data["started_at"] == first_start.isoformat() + "Z"
    assert data["duration_ms"] >= 7 * 60 * 1000

    client = pages.client(tenant.member)
    page = visible_text(text_of(client.get(f"/w/{tenant.wid}/runs/{run_id}")))
    assert first_start.strftime("%Y-%m-%d %H:%M:%S UTC") in page and "(first attempt)" in page
    assert "Duration 7 min" in page and "Attempts 4" in page
    assert "TikTok kept failing at the business centers step after 4 attempts: System error (50000)" in page
    assert "No counts (the run failed before syncing anything)" in page
    assert "No timings (the run failed before syncing anything)" in page
    assert "yet." not in page.split("Summary", 1)[1]  # nothing says "yet" about a finished run
    panel = visible_text(text_of(client.get(f"/w/{tenant.wid}/runs/{run_id}/panel", headers=HX)))
    assert "took 7 min" in panel and "4 attempts" in panel and "after 4 attempts" in panel


# ------------------------------------------------------------------ item 3: double click on "Sync metadata"

def test_double_click_on_sync_metadata_reuses_the_active_run(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.bind(tenant)
    client = pages.client(tenant.admin)
    url = f"/w/{tenant.wid}/accounts/{auth_id}/sync"

    page = text_of(client.get(account_url(tenant, auth_id)))
    button = re.search(r"<button[^>]*>Sync metadata</button>", page).group(0)
    assert f'hx-post="{url}"' in button and 'hx-disabled-elt="this"' in button

    first = client.post(url, headers=HX)
    assert first.status_code == 200 and first.headers.get("HX-Trigger") == "runStarted"
    second = client.post(url, headers=HX)
    assert second.status_code == 200
    assert run_panel_ids(text_of(second)) == run_panel_ids(text_of(first))
    assert "A sync is already running" in text_of(second)
    # Without JS the second post lands on the same run's page, saying so.
    no_js = client.post(url)
    run_id = run_panel_ids(text_of(first))[0]
    assert no_js.status_code == 303 and no_js.headers["Location"].endswith(f"/runs/{run_id}")
    assert "A sync is already running" in text_of(client.get(no_js.headers["Location"]))
    assert run_count(pages, auth_id) == 1

    # While the run is active the header has no working sync button; the live panel is shown instead.
    active = text_of(client.get(account_url(tenant, auth_id)))
    assert not re.search(r"<button[^>]*hx-post[^>]*>Sync metadata</button>", active)
    assert re.search(r"<button[^>]*disabled[^>]*>Sync running…</button>", active)
    assert run_panel_ids(active) == [run_id]

    # The JSON API keeps its documented behaviour: a second run is created (and waits for the lock).
    api = client.post(f"/api/v1/tenants/{tenant.wid}/providers/tiktok-business/accounts/{auth_id}/sync",
                      json={"wait": False}, headers=bearer(tenant.admin.token))
    assert api.status_code == 202 and api.get_json()["run_id"] != run_id
    assert run_count(pages, auth_id) == 2

    pages.execute(run_id)
    pages.execute(api.get_json()["run_id"])
    again = text_of(client.get(account_url(tenant, auth_id)))
    assert re.search(r"<button[^>]*hx-post[^>]*>Sync metadata</button>", again)


# ------------------------------------------------------------------ item 5: invalid / revoked bindings

def test_invalid_binding_banner_is_one_sentence_with_a_reconnect_button(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.bind(tenant)
    pages.sandbox.set_faults("fail_next=/bc/get/:1:40105")  # TikTok: the token is no longer valid
    assert pages.execute(pages.start(tenant, auth_id))["error_code"] == "TOKEN_INVALID"

    html = text_of(pages.client(tenant.admin).get(account_url(tenant, auth_id)))
    banner = re.search(r'<div class="alert alert-error binding-alert">(.*?)</div>', html, re.S).group(1)
    text = visible_text(banner)
    assert "TikTok rejected this account's access token (code 40105)." in text
    assert "((" not in text and ".)" not in text and "..)" not in text
    assert f'action="/w/{tenant.wid}/bindings/{auth_id}/reconnect"' in banner and 'name="csrf_token"' in banner
    assert re.search(r"<button[^>]*>Reconnect</button>", banner)
    # Members read the banner but get no button (reconnecting is for admins).
    member = text_of(pages.client(tenant.member).get(account_url(tenant, auth_id)))
    assert "/reconnect" not in member
    assert "TikTok rejected this account's access token (code 40105). An admin can reconnect it." \
        in visible_text(member)


def test_revoked_binding_offers_reconnect_which_updates_it_in_place(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.synced(tenant, alias="Acme TikTok")
    pages.set_status(auth_id, "revoked")
    client = pages.client(tenant.admin)

    html = text_of(client.get(account_url(tenant, auth_id)))
    banner = html.split('id="sync-disabled-reason"', 1)[1].split("</div>", 1)[0]
    assert "workspace home" not in banner and "cannot be synced" in banner
    assert f'action="/w/{tenant.wid}/bindings/{auth_id}/reconnect"' in banner

    # Reconnect → TikTok's portal → our callback: the SAME binding is active again, no duplicate.
    start = client.post(f"/w/{tenant.wid}/bindings/{auth_id}/reconnect")
    assert start.status_code == 302
    portal = httpx.get(start.headers["Location"] + "&auto_approve=1", follow_redirects=False, timeout=10)
    assert portal.status_code == 302
    back = urlsplit(portal.headers["location"])
    callback = client.get(f"{back.path}?{back.query}")
    assert callback.status_code == 302 and callback.headers["Location"].endswith(account_url(tenant, auth_id))
    assert parse_qs(back.query).get("state")
    with pages.app.app_context():
        bindings = db.session.execute(select(Binding).where(Binding.workspace_id == tenant.wid)).scalars().all()
        assert [(b.id, b.status, b.alias) for b in bindings] == [(auth_id, "active", "Acme TikTok")]


# ------------------------------------------------------------------ item 6: human labels

def test_pages_show_human_labels_instead_of_raw_values(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.bind(tenant)
    # TikTok reports a display timezone that differs from the account's timezone, and a limited account.
    pages.sandbox.admin("PATCH", "entities/advertisers/7400000000000000002",
                        {"display_timezone": "America/Los_Angeles", "status": "STATUS_LIMIT"})
    run = pages.execute(pages.start(tenant, auth_id))
    assert run["status"] == "success", run
    client = pages.client(tenant.member)

    advertisers = text_of(client.get(account_url(tenant, auth_id, "?tab=advertisers")))
    table = advertisers.split('id="account-table"', 1)[1].split("</table>", 1)[0]
    assert "America/Los_Angeles" in table
    assert ">Enabled</span>" in table and ">Limited</span>" in table
    assert ">enable<" not in table and "STATUS_ENABLE<" not in table
    bcs = text_of(client.get(account_url(tenant, auth_id)))
    assert ">Enabled</span>" in bcs.split('id="account-table"', 1)[1]

    history = bcs.split('id="run-history"', 1)[1]
    assert ">Metadata sync</td>" in history and "<code>ttb.sync.meta</code>" not in history

    page = text_of(client.get(f"/w/{tenant.wid}/runs/{run['id']}"))
    assert "Metadata sync" in page and "<code>ttb.sync.meta</code>" not in page
    assert ">Business centers</dt>" in page and ">business_centers</dt>" not in page
    # The summary's entities and columns read as words, in the order Added, Updated, Unchanged, Removed.
    head = page.split('summary-table">', 1)[1].split("</thead>", 1)[0]
    assert re.findall(r'class="num">(\w+)</th>', head) == ["Added", "Updated", "Unchanged", "Removed"]
    assert "<strong>Business centers</strong>" in page and "<strong>bc</strong>" not in page
    # The status appears once.
    assert page.count("badge-success") == 1
