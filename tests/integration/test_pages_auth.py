"""Browser pages: login/logout round trip, safe `next`, inline errors, failure throttling, CSRF enforced."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD

COOKIE = "gmv_session"


def login(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf_token input on the page"
    return match.group(1)


def test_login_logout_round_trip_and_old_cookie_stops_working(client, factory):
    tenant = factory.tenant()
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="csrf_token"' in html and 'name="email"' in html and 'name="remember"' in html

    response = login(client, tenant.member.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None and cookie.http_only

    # One workspace: the switcher sends the user straight to its home page.
    switcher = client.get("/")
    assert switcher.status_code == 302 and switcher.headers["Location"] == f"/w/{tenant.wid}/"
    home = client.get(f"/w/{tenant.wid}/")
    assert home.status_code == 200
    assert "Acme" in home.get_data(as_text=True)

    old_value = cookie.value
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get(f"/w/{tenant.wid}/").status_code == 302  # logged out

    # A copy of the old cookie is useless: the server-side session is gone.
    client.set_cookie(COOKIE, old_value)
    response = client.get(f"/w/{tenant.wid}/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_anonymous_page_redirects_to_login_and_next_is_followed(client, factory):
    tenant = factory.tenant()
    response = client.get(f"/w/{tenant.wid}/members")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=/w/{tenant.wid}/members"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'name="next" value="/w/{tenant.wid}/members"' in page
    assert "Please log in to continue." in page

    response = login(client, tenant.admin.email, next=f"/w/{tenant.wid}/members")
    assert response.status_code == 302 and response.headers["Location"] == f"/w/{tenant.wid}/members"


def test_next_pointing_off_site_is_ignored(client, factory):
    user = factory.user()
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        response = login(client, user.email, next=bad)
        assert response.status_code == 302
        assert response.headers["Location"] == "/", bad
        client.post("/logout")


def test_login_by_username_and_remember_me_sets_remember_cookie(client, app, factory):
    from webapp.extensions import db
    from webapp.models import User

    user = factory.user()
    with app.app_context():
        db.session.get(User, user.id).username = "casey"
        db.session.commit()
    response = login(client, "casey", remember="y")
    assert response.status_code == 302
    assert client.get_cookie("gmv_session_remember") is not None
    session_cookie = response.headers.getlist("Set-Cookie")
    assert any(c.startswith(f"{COOKIE}=") and "Max-Age=604800" in c for c in session_cookie), session_cookie
    client.post("/logout")
    assert client.get("/tokens").status_code == 302


def test_wrong_password_shows_inline_error(client, factory):
    user = factory.user()
    response = login(client, user.email, "wrong password")
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "Invalid email or password." in html
    assert f'value="{user.email}"' in html  # the email is kept, the password is not
    assert "wrong password" not in html
    assert client.get("/tokens").status_code == 302

    response = login(client, "", "")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter your email or username." in html and "Enter your password." in html


def test_account_locked_after_five_failures_even_for_right_password(client, factory):
    user, other = factory.user(), factory.user()
    for _ in range(5):
        assert login(client, user.email, "nope-nope-nope").status_code == 401
    response = login(client, user.email.upper())  # same account, right password
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert retry_after > 0
    html = response.get_data(as_text=True)
    minutes = -(-retry_after // 60)
    assert re.search(r"Too many failed attempts\. Try again in (\d+) minutes?\.", html)
    assert int(re.search(r"Try again in (\d+) minute", html).group(1)) in (minutes, minutes + 1)
    assert 'name="email"' in html  # still the login page, not a bare error page
    assert client.get("/tokens").status_code == 302
    # Another account from the same IP is not locked by that.
    assert login(client, other.email).status_code == 302


def test_successful_logins_do_not_use_up_the_budget(client, factory):
    user = factory.user()
    for _ in range(7):
        assert login(client, user.email).status_code == 302
        client.post("/logout")


def test_ip_locked_after_twenty_failures(client, factory):
    user = factory.user()
    for n in range(20):
        assert login(client, f"nobody-{n}@example.com", "nope-nope-nope").status_code == 401
    response = login(client, user.email)
    assert response.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in response.get_data(as_text=True)


def test_form_post_without_csrf_token_is_refused(make_app, factory):
    user = factory.user()
    strict = make_app(WTF_CSRF_ENABLED=True)
    client = strict.test_client()

    refused = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 403
    assert "CSRF" in refused.get_data(as_text=True)

    token = csrf_from(client.get("/login").get_data(as_text=True))
    accepted = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert accepted.status_code == 302

    # Logged in: a page form (create token) also needs the token.
    assert client.post("/tokens", data={"name": "ci"}).status_code == 403
    page = client.get("/tokens").get_data(as_text=True)
    created = client.post("/tokens", data={"name": "ci", "csrf_token": csrf_from(page)})
    assert created.status_code == 303
    assert "Token “ci” created" in client.get("/tokens/created").get_data(as_text=True)
    # The htmx path: the header app.js adds from the meta tag is accepted too.
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    assert client.post("/logout", headers={"X-CSRFToken": meta}).status_code == 302
