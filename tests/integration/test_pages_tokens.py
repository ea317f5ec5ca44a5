"""API tokens page: create (shown once), list, revoke; another user's token is a 404."""

from __future__ import annotations

import re

from tests.helpers import bearer
from tests.integration.test_pages_auth import login


def test_create_shows_token_once_and_it_works(client, factory):
    user = factory.user()
    login(client, user.email)
    response = client.post("/tokens", data={"name": "reporting script"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    token = re.search(r'id="new-token" class="mono" type="text" value="([^"]+)"', html).group(1)
    assert "only time it is shown" in html

    listing = client.get("/tokens").get_data(as_text=True)
    assert "reporting script" in listing and token not in listing
    assert "never" in listing  # not used yet

    session = client.get("/api/v1/auth/session", headers=bearer(token))
    assert session.status_code == 200 and session.get_json()["user"]["email"] == user.email
    assert "never" not in client.get("/tokens").get_data(as_text=True)  # last used is shown now


def test_create_requires_a_name(client, factory):
    login(client, factory.user().email)
    response = client.post("/tokens", data={"name": "  "})
    assert response.status_code == 422
    assert "Give the token a name." in response.get_data(as_text=True)
    response = client.post("/tokens", data={"name": "x" * 121})
    assert response.status_code == 422 and "At most 120 characters." in response.get_data(as_text=True)


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
