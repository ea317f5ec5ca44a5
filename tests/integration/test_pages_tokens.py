"""API tokens page: create (shown once), list, revoke; another user's token is a 404."""

from __future__ import annotations

import re

from tests.helpers import bearer
from tests.integration.test_pages_auth import login


def test_create_shows_token_once_and_it_works(client, factory):
    user = factory.user()
    login(client, user.email)
    response = client.post("/tokens", data={"name": "reporting script"})
    # Post-redirect-get: the POST answers a redirect, the GET shows the token once.
    assert response.status_code == 303 and response.headers["Location"].endswith("/tokens/created")
    shown = client.get("/tokens/created")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    html = shown.get_data(as_text=True)
    token = re.search(r'id="new-token" class="mono" type="text" value="([^"]+)"', html).group(1)
    assert "only time it is shown" in html and "Token “reporting script” created" in html

    listing = client.get("/tokens").get_data(as_text=True)
    assert "reporting script" in listing and token not in listing
    assert "Never" in listing  # not used yet

    session = client.get("/api/v1/auth/session", headers=bearer(token))
    assert session.status_code == 200 and session.get_json()["user"]["email"] == user.email
    assert "Never" not in client.get("/tokens").get_data(as_text=True)  # last used is shown now


def test_reloading_the_created_page_neither_shows_nor_creates_another_token(client, app, factory):
    from webapp.extensions import db
    from webapp.models import ApiToken

    user = factory.user()
    login(client, user.email)
    assert client.post("/tokens", data={"name": "once"}).status_code == 303
    first = client.get("/tokens/created")
    token = re.search(r'id="new-token" class="mono" type="text" value="([^"]+)"', first.get_data(as_text=True)).group(1)

    reload = client.get("/tokens/created", follow_redirects=True)
    html = reload.get_data(as_text=True)
    assert reload.request.path == "/tokens" and token not in html
    assert "already shown once" in html
    with app.app_context():
        assert db.session.query(ApiToken).filter_by(user_id=user.id).count() == 1


def test_create_requires_a_name(client, factory):
    login(client, factory.user().email)
    response = client.post("/tokens", data={"name": "  "})
    assert response.status_code == 422
    assert "Give the token a name." in response.get_data(as_text=True)
    response = client.post("/tokens", data={"name": "x" * 121})
    assert response.status_code == 422
    assert "The token name must be at most 120 characters." in response.get_data(as_text=True)


def test_revoke_and_other_users_token_is_404(client, app, factory):
    user, stranger = factory.user(), factory.user()
    token = factory.token(user, "laptop")
    factory.token(stranger, "theirs")
    from webapp.extensions import db
    from webapp.models import ApiToken

    with app.app_context():
        mine = db.session.query(ApiToken).filter_by(user_id=user.id).one().id
        theirs = db.session.query(ApiToken).filter_by(user_id=stranger.id).one().id

    login(client, user.email)
    listing = client.get("/tokens").get_data(as_text=True)
    assert "laptop" in listing and "theirs" not in listing
    assert 'data-confirm="Revoke the token' in listing

    assert client.post(f"/tokens/{theirs}/revoke").status_code == 404
    response = client.post(f"/tokens/{mine}/revoke")
    assert response.status_code == 302
    html = client.get("/tokens").get_data(as_text=True)
    assert "Token “laptop” revoked." in html and "badge-revoked" in html
    assert client.get("/api/v1/auth/session", headers=bearer(token)).status_code == 401
    with app.app_context():
        assert db.session.get(ApiToken, theirs).revoked_at is None


def test_tokens_page_needs_login(client):
    response = client.get("/tokens")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post("/tokens", data={"name": "x"}).status_code == 302


def test_the_waiting_token_is_not_readable_from_the_session_cookie(client, app, factory):
    user = factory.user()
    login(client, user.email)
    assert client.post("/tokens", data={"name": "cookie check"}).status_code == 303
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    session_data = app.session_interface.get_signing_serializer(app).loads(cookie)
    shown = client.get("/tokens/created").get_data(as_text=True)
    token = re.search(r'id="new-token" class="mono" type="text" value="([^"]+)"', shown).group(1)
    # Flask's cookie is signed, not encrypted: the token inside it must be.
    assert token not in cookie and token not in repr(session_data)
