"""A person logs in, opens a TikTok Business account page, clicks "Sync metadata" and watches the run
panel go live to success with the summary; the tables and history refresh by themselves, and a run
started through the API shows up live too. Uses the worker plugin (tests.fixtures.worker, in pytest.ini):
a real `flask worker` against the sandbox."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

SCREENSHOT = "/tmp/gmv_sync.png"
SCREENSHOT_RUN = "/tmp/gmv_run.png"


@pytest.fixture(scope="module")
def live_server(make_app) -> Iterator[str]:
    """Like the shared live server, but with CSRF enforced: the htmx POST must carry the token that
    static/js/app.js copies from the csrf-token meta tag."""
    server = make_server("127.0.0.1", 0, make_app(WTF_CSRF_ENABLED=True), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-csrf-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_sync_metadata_from_the_account_page(page, live_server, factory, make_binding, start_worker):
    tenant = factory.tenant("Acme Store")
    binding = make_binding(tenant.wid, alias="Acme TikTok Business")
    start_worker()

    page.goto("/login")
    page.get_by_label("Email or username").fill(tenant.admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/w/{tenant.wid}/$"))

    page.goto(f"/w/{tenant.wid}/accounts/{binding.id}")
    expect(page.get_by_role("heading", name="Acme TikTok Business")).to_be_visible()
    expect(page.locator("#account-tabs")).to_contain_text("No business centers mirrored yet.")
    expect(page.locator("#run-history")).to_contain_text("No runs yet.")

    page.get_by_role("button", name="Sync metadata").click()
    panel = page.locator(".run-panel")
    expect(panel).to_be_visible()
    # The panel polls itself until the worker finishes the run, then shows the summary.
    expect(panel.locator(".badge")).to_have_text("success", ignore_case=True, timeout=60_000)
    summary = panel.locator(".summary-table")
    expect(summary).to_be_visible()
    expect(summary.locator("tr", has_text="Advertisers").locator("td.num").first).to_have_text("5")
    expect(summary.locator("tr", has_text="Stores").locator("td.num").first).to_have_text("6")
    # The final panel told the page the run ended: history and the table refreshed without a reload.
    expect(page.locator("#run-history .badge-success")).to_have_count(1)
    expect(page.locator("#account-table")).to_contain_text("Sandbox BC One")
    expect(page.locator(".last-synced")).to_contain_text("UTC")
    assert panel.get_attribute("hx-trigger") is None
    run_id = panel.get_attribute("data-run-id")

    # Tabs swap with htmx and keep a real URL.
    page.get_by_role("link", name="Advertisers").click()
    expect(page).to_have_url(re.compile(r"\?tab=advertisers$"))
    expect(page.locator("#account-table tbody tr")).to_have_count(5)
    page.get_by_role("link", name="Stores").click()
    expect(page.locator("#account-table tbody tr")).to_have_count(6)
    page.get_by_role("link", name="Advertisers").click()
    expect(page.locator("#account-table tbody tr")).to_have_count(5)

    expect(page.locator("#run-history")).to_contain_text(tenant.admin.email)
    page.screenshot(path=SCREENSHOT, full_page=True)

    # A run started elsewhere (the JSON API with a Bearer token) shows up live on the open page.
    resp = httpx.post(f"{live_server}/api/v1/tenants/{tenant.wid}/providers/tiktok-business/accounts/"
                      f"{binding.id}/sync", json={"wait": False},
                      headers={"Authorization": f"Bearer {tenant.owner.token}"})
    assert resp.status_code == 202, resp.text
    api_run = page.locator(f'.run-panel[data-run-id="{resp.json()["run_id"]}"]')
    expect(api_run.locator(".badge")).to_have_text("success", ignore_case=True, timeout=60_000)
    expect(api_run.locator(".summary-table tr", has_text="Advertisers").locator("td.num").nth(2)).to_have_text("5")
    expect(page.locator("#run-history .badge-success")).to_have_count(2)

    # The run detail page: final status, summary, timings, who started it.
    page.locator("#run-history").get_by_role("link", name=f"#{run_id}", exact=True).click()
    expect(page.get_by_role("heading", name=f"Run #{run_id}")).to_be_visible()
    expect(page.locator("#run-details")).to_contain_text(tenant.admin.email)
    expect(page.locator("#run-details .summary-table")).to_be_visible()
    page.screenshot(path=SCREENSHOT_RUN, full_page=True)
    assert page.browser_log.console_errors == []
    assert page.browser_log.failed_requests == []
