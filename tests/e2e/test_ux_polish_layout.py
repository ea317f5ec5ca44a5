"""Layout checks in Chromium: at phone width (390 px) no page we own scrolls sideways (tables scroll inside
their card, the nav wraps), text-like inputs without a `type` get the same styling as typed ones, and cards
keep a gap. Screenshots land in /tmp/gmv_ux_*.png for a human look."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from webapp.extensions import db

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def world(app, factory):
    """A platform admin who owns a workspace with a long-named bound account, a token and a provider app."""
    from webapp.providers.provider_apps import create_provider_app
    from webapp.providers.tiktok_business.oauth import upsert_binding

    boss = factory.user(platform_admin=True, name="Pat Admin")
    ws = factory.workspace(boss, "Acme Store International")
    for n in range(3):
        factory.member(ws, factory.user(f"someone-with-a-long-address-{n}@example-company.com"), "member")
    factory.token(boss, "reporting script for the finance dashboard")
    with app.app_context():
        provider_app = create_provider_app(db.session, name="Main TikTok app", app_id="7000000000000000001",
                                           secret="s", redirect_uri="https://gmv.example.com/oauth/tiktok-business/callback")
        binding, _ = upsert_binding(db.session, workspace_id=ws.id, provider_app_id=provider_app.id,
                                    access_token="e2e-token", scope=[], advertiser_ids=["7400000000000000001"],
                                    alias="Acme US main advertiser account", user_id=boss.id)
        db.session.commit()
        auth_id = binding.id
    return boss, ws.id, auth_id


def _login(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email or username").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_be_visible()


def _pages(wid: int, auth_id: int) -> dict[str, str]:
    return {
        "home": f"/w/{wid}/",
        "members": f"/w/{wid}/members",
        "tokens": "/tokens",
        "platform": "/platform/workspaces",
        "provider_apps": "/platform/provider-apps",
        "binding": f"/w/{wid}/bindings/{auth_id}",
    }


def test_no_horizontal_scroll_at_phone_width(browser, live_server, world):
    boss, wid, auth_id = world
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    page = context.new_page()
    try:
        _login(page, boss.email)
        for name, path in _pages(wid, auth_id).items():
            page.goto(path)
            expect(page.locator("h1")).to_be_visible()
            width = page.evaluate("() => document.documentElement.scrollWidth")
            page.screenshot(path=f"/tmp/gmv_ux_phone_{name}.png", full_page=True)
            assert width <= PHONE["width"], f"{path} is {width}px wide at {PHONE['width']}px"
        # Every nav item, "Platform admin" included, is inside the viewport (the nav wraps, nothing cut off).
        for link in page.locator(".nav .nav-link").all():
            box = link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link.inner_text()
        expect(page.locator(".nav")).to_contain_text("Platform admin")
    finally:
        context.close()


def test_inputs_cards_and_row_actions_are_styled_on_desktop(browser, live_server, world):
    boss, wid, auth_id = world
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    page = context.new_page()
    try:
        _login(page, boss.email)
        page.goto(f"/w/{wid}/")
        page.screenshot(path="/tmp/gmv_ux_desktop_home.png", full_page=True)
        # Open/Manage sit on the row's middle line, like the other cells.
        row = page.locator(f'tr[data-auth-id="{auth_id}"]')
        cell_mid = row.locator("td").first.bounding_box()
        button = row.get_by_role("link", name="Open").bounding_box()
        row_box = row.bounding_box()
        assert abs((button["y"] + button["height"] / 2) - (row_box["y"] + row_box["height"] / 2)) <= 3
        assert cell_mid is not None
        # The connect form is its own card, with a gap under the accounts card.
        cards = page.locator("#bindings-list > .card").all()
        assert len(cards) == 2
        first, second = cards[0].bounding_box(), cards[1].bounding_box()
        assert second["y"] - (first["y"] + first["height"]) >= 12

        styles = "el => { const s = getComputedStyle(el); return [s.borderTopWidth, s.borderRadius, s.paddingLeft]; }"
        reference = page.locator("#connect-app").evaluate(styles)  # a <select>, styled since day one
        assert page.locator("#connect-alias").evaluate(styles) == reference

        page.goto("/platform/provider-apps")
        page.screenshot(path="/tmp/gmv_ux_desktop_provider_apps.png", full_page=True)
        expect(page.locator(".eyebrow")).to_have_text(re.compile("Platform admin", re.I))
        # Title above the tabs, as on the Workspaces page.
        assert page.locator("h1").bounding_box()["y"] < page.locator("nav.tabs").bounding_box()["y"]
        for field in ("#pa-name", "#pa-app-id", "#pa-secret", "#pa-redirect"):
            assert page.locator(field).evaluate(styles) == reference, field
        expect(page.locator("label[for=pa-app-id]")).to_have_text("App ID")
        expect(page.locator("tr[data-provider-app-id] .badge")).to_have_text("Enabled")
        expect(page.locator("tr[data-provider-app-id]").get_by_role("button", name="Delete")).to_be_disabled()

        page.goto(f"/w/{wid}/bindings/{auth_id}")
        page.screenshot(path="/tmp/gmv_ux_desktop_binding.png", full_page=True)
        assert page.locator("#alias").evaluate(styles) == reference
        boxes = [card.bounding_box() for card in page.locator(".card").all()]
        same_column = [b for b in boxes if abs(b["x"] - boxes[0]["x"]) < 2]
        for upper, lower in zip(same_column, same_column[1:], strict=False):
            assert lower["y"] - (upper["y"] + upper["height"]) >= 12

        # Cancelling at TikTok lands on a clear page with a way back.
        page.goto("/oauth/tiktok-business/callback?error=access_denied")
        expect(page.get_by_role("heading", name="TikTok Business authorization cancelled")).to_be_visible()
        expect(page.locator(".oauth-error")).to_contain_text("You cancelled the authorization on TikTok")
        page.screenshot(path="/tmp/gmv_ux_desktop_oauth_cancelled.png", full_page=True)
    finally:
        context.close()
