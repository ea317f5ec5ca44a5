"""The sandbox consent page offers Deny, and our callback turns TikTok's `error=access_denied` into a clear
"you cancelled" page (400 AUTHORIZATION_DENIED) that spends the state; the real sandbox over HTTP."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.helpers import assert_error
from tests.integration.oauth_support import (
    REDIRECT_URI,
    approve,
    authz,
    binding_count,
)

JSON = {"Accept": "application/json"}






def _deny(auth_url: str) -> str:
    """A person opens the consent page and clicks Deny; returns our callback path + query."""
    page = httpx.get(auth_url, timeout=10)
    assert page.status_code == 200
    assert "content-security-policy" not in page.headers  # the sandbox is not our app: its <style> is allowed
    html = page.text
    assert "<style>" in html and 'id="deny"' in html and 'id="authorize"' in html
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    answer = httpx.post(urlsplit(auth_url)._replace(query="").geturl(), data={**hidden, "decision": "deny"},
                        follow_redirects=False, timeout=10)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return f"{location.path}?{location.query}"


def test_deny_on_the_portal_shows_a_cancelled_page_and_spends_the_state(ttb, sandbox_clean, env):
    tenant, app_pk, client = env
    started = authz(client, tenant.wid, app_pk)
    callback = _deny(started["auth_url"])
    query = parse_qs(urlsplit(callback).query)
    assert query == {"error": ["access_denied"], "error_description": ["The user denied the authorization."],
                     "state": [started["state"]]}

    page = client.get(callback)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "You cancelled the authorization on TikTok" in html and "AUTHORIZATION_DENIED" in html
    assert f'href="/w/{tenant.wid}/oauth/tiktok-business/connect"' in html and "Try again" in html
    assert binding_count(ttb) == 0

    # The state is spent: even a later approval with it is refused, and nothing gets connected.
    assert_error(client.get(callback, headers=JSON), 400, "AUTHORIZATION_DENIED")
    assert_error(client.get(approve(started["auth_url"]), headers=JSON), 400, "INVALID_STATE")
    assert binding_count(ttb) == 0


def test_authorize_button_still_connects(ttb, sandbox_clean, env):
    tenant, app_pk, client = env
    started = authz(client, tenant.wid, app_pk)
    page = httpx.get(started["auth_url"], timeout=10).text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    answer = httpx.post(sandbox_clean.portal_url + "/auth", data={**hidden, "decision": "authorize"},
                        follow_redirects=False, timeout=10)
    location = urlsplit(answer.headers["location"])
    done = client.get(f"{location.path}?{location.query}")
    assert done.status_code == 302 and binding_count(ttb) == 1


def test_error_without_state_or_with_a_code_is_not_a_denial(env):
    _, _, client = env
    assert_error(client.get("/oauth/tiktok-business/callback?error=access_denied", headers=JSON),
                 400, "AUTHORIZATION_DENIED")
    # A code wins over a stray error parameter: the normal checks run (here: an unknown state).
    assert_error(client.get("/oauth/tiktok-business/callback?error=x&code=c&state=nope", headers=JSON),
                 400, "INVALID_STATE")
