"""A person logs in through Chromium and lands on the workspace home; the CSP lets our own htmx, app.js
and app.css load (no CSP violations); confirm dialogs from app.js guard destructive buttons."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.conftest import PASSWORD

SCREENSHOT_LOGIN = "/tmp/gmv_login.png"
SCREENSHOT_HOME = "/tmp/gmv_home.png"


def test_login_in_browser_reaches_workspace_home(page, live_server, factory):
    tenant = factory.tenant("Acme Store")

    response = page.goto("/login")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.screenshot(path=SCREENSHOT_LOGIN, full_page=True)

    page.get_by_label("Email or username").fill(tenant.admin.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".alert-error")).to_have_text("Invalid email or password.")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/w/{tenant.wid}/$"))
    expect(page.get_by_role("heading", name="Acme Store")).to_be_visible()
    expect(page.locator(".meta-line")).to_contain_text("0001")

    # Our assets loaded under the CSP: htmx is the vendored 2.0.11, the stylesheet is applied.
    assert page.evaluate("() => window.htmx && window.htmx.version") == "2.0.11"
    topbar_bg = page.evaluate("() => getComputedStyle(document.querySelector('.topbar')).backgroundColor")
    assert topbar_bg == "rgb(17, 24, 39)"
    page.screenshot(path=SCREENSHOT_HOME, full_page=True)

    # The workspace switcher dropdown opens without any script.
    page.locator(".switcher summary").click()
    expect(page.locator(".dropdown-menu")).to_contain_text("Acme Store")

    log = page.browser_log
    assert not [e for e in log.console_errors if "Content Security Policy" in e or "Refused" in e], log.console_errors
    # The only failed load is the wrong-password form post, which answers 401 by design.
    unexpected = [e for e in log.console_errors if "status of 401" not in e]
    assert unexpected == [], log.console_errors
    assert log.failed_requests == [], log.failed_requests


def test_confirm_dialog_guards_revoke_and_logout_ends_session(page, live_server, factory):
    tenant = factory.tenant()
    page.goto("/login")
    page.get_by_label("Email or username").fill(tenant.member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/w/{tenant.wid}/$"))

    page.goto("/tokens")
    page.get_by_label("Token name").fill("laptop")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Token “laptop” created")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/tokens/created$"))  # post-redirect-get
    token = page.locator("#new-token").input_value()
    assert len(token) > 20
    page.reload()  # a reload neither shows the token again nor creates another one
    expect(page).to_have_url(re.compile(r"/tokens$"))
    expect(page.locator(".flash-info")).to_contain_text("already shown once")
    assert page.get_by_role("row").filter(has_text="laptop").count() == 1
    page.goto("/tokens/created")
    expect(page).to_have_url(re.compile(r"/tokens$"))

    row = page.get_by_role("row").filter(has_text="laptop")
    questions: list[str] = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    row.get_by_role("button", name="Revoke").click()
    expect(row).to_contain_text("Active")  # "Cancel" kept the token
    assert questions and "laptop" in questions[0]

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator(".flash-success")).to_contain_text("revoked")
    expect(page.get_by_role("row").filter(has_text="laptop")).to_contain_text("Revoked")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(f"/w/{tenant.wid}/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    assert page.browser_log.console_errors == []


def test_forms_and_htmx_requests_carry_the_csrf_token(strict_page, factory):
    """With CSRF enforced: the login form posts its hidden token, and an htmx request gets the
    X-CSRFToken header from app.js (without it the POST would be refused with 403)."""
    page = strict_page
    user = factory.user()
    page.goto("/login")
    page.get_by_label("Email or username").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your workspaces")).to_be_visible()

    page.goto("/tokens")
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if r.request.method == "POST" else None)
    page.evaluate("() => htmx.ajax('POST', '/tokens', {target: 'main', swap: 'innerHTML', values: {name: 'via-htmx'}})")
    expect(page.get_by_role("heading", name="Token “via-htmx” created")).to_be_visible()
    assert statuses == [303]  # the POST redirects; the browser follows it to the page that shows the token
    assert page.browser_log.console_errors == []
