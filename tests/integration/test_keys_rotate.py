"""`flask keys rotate`: values encrypted under key B are re-encrypted under the first key of "A,B", after
which an app that only knows A reads them."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from webapp.extensions import db
from webapp.models import Binding, ProviderApp
from webapp.security import crypto


@pytest.fixture
def restore_keys(app):
    yield
    crypto.configure(app.config["SETTINGS"].CRYPTO_KEYS)  # the key registry is process-wide


def _raw(app) -> list[str]:
    with app.app_context():
        return [db.session.execute(text("SELECT secret FROM provider_apps")).scalar_one(),
                db.session.execute(text("SELECT access_token FROM bindings")).scalar_one()]


def test_rotate_moves_every_secret_to_the_first_key(make_app, factory, restore_keys):
    from webapp.providers.tiktok_business.oauth import upsert_binding

    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    tenant = factory.tenant()
    app_b = make_app(CRYPTO_KEYS=key_b)
    with app_b.app_context():
        pa = ProviderApp(name="App", app_id="A", secret="the-secret", redirect_uri="http://x/cb")
        db.session.add(pa)
        db.session.flush()
        upsert_binding(db.session, workspace_id=tenant.wid, provider_app_id=pa.id, access_token="the-token",
                       scope=[], advertiser_ids=[])
        db.session.commit()
    before = _raw(app_b)

    app_a = make_app(CRYPTO_KEYS=key_a)
    with app_a.app_context(), pytest.raises(RuntimeError):
        db.session.execute(select(ProviderApp.secret)).scalar_one()  # A alone cannot read B's values yet

    app_ab = make_app(CRYPTO_KEYS=f"{key_a},{key_b}")
    result = app_ab.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "provider_apps.secret: 1" in result.output and "bindings.access_token: 1" in result.output
    assert "Rotated 2 encrypted value(s)" in result.output
    after = _raw(app_ab)
    assert after != before and not any(v in ("the-secret", "the-token") for v in after)

    app_a = make_app(CRYPTO_KEYS=key_a)
    with app_a.app_context():
        assert db.session.execute(select(ProviderApp.secret)).scalar_one() == "the-secret"
        assert db.session.execute(select(Binding.access_token)).scalar_one() == "the-token"
    assert [Fernet(key_a.encode()).decrypt(v.encode()).decode() for v in _raw(app_a)] == ["the-secret", "the-token"]


def test_rotate_refuses_values_no_key_can_read(make_app, factory, restore_keys):
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app_b = make_app(CRYPTO_KEYS=key_b)
    with app_b.app_context():
        db.session.add(ProviderApp(name="App", app_id="A", secret="s", redirect_uri="http://x/cb"))
        db.session.commit()
    before = _raw_secret(app_b)
    result = make_app(CRYPTO_KEYS=key_a).test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code != 0 and "provider_apps.secret" in result.output and "cannot be decrypted" in result.output
    assert _raw_secret(app_b) == before  # nothing written


def _raw_secret(app) -> str:
    with app.app_context():
        return db.session.execute(text("SELECT secret FROM provider_apps")).scalar_one()
