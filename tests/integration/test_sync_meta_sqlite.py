"""The demo runs on SQLite: the same sync (ON CONFLICT DO UPDATE upserts) against a database built by
the migrations, with the sandbox over HTTP."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.integration.test_sync_meta import ADV, STORE, entity_sets, make_binding, run_sync
from webapp.extensions import db
from webapp.models import Advertiser, AdvertiserStoreLink, ResourceRevision, Store, User
from webapp.tenancy import create_user, create_workspace


def test_sync_meta_on_sqlite(make_app, sandbox_clean, tmp_path):
    from flask_migrate import upgrade

    lite = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}")
    with lite.app_context():
        upgrade()
        assert db.engine.dialect.name == "sqlite"
        user = create_user(db.session, email="lite@example.com", password="correct horse battery")
        db.session.flush()
        ws = create_workspace(db.session, name="Lite", owner=db.session.get(User, user.id))
        db.session.commit()
        wid = ws.id
    binding_id = make_binding(lite, wid, sandbox_clean.issue_token(), sandbox_clean.app_id, sandbox_clean.secret)

    first = run_sync(lite, sandbox_clean, binding_id)
    assert first.status == "success", first.errors
    assert entity_sets(first.summary) == {"bc": (2, 0, 0, 0), "advertisers": (5, 0, 0, 0), "stores": (6, 0, 0, 0)}

    sandbox_clean.admin("DELETE", f"entities/advertisers/{ADV[1]}")  # adv2 alone reached store 3
    sandbox_clean.admin("PATCH", f"entities/stores/{STORE[0]}", {"store_name": "Renamed on SQLite"})
    second = run_sync(lite, sandbox_clean, binding_id)
    assert entity_sets(second.summary) == {"bc": (0, 0, 2, 0), "advertisers": (0, 0, 4, 1),
                                           "stores": (0, 1, 5, 1)}

    third = run_sync(lite, sandbox_clean, binding_id)
    assert entity_sets(third.summary) == {"bc": (0, 0, 2, 0), "advertisers": (0, 0, 4, 0), "stores": (0, 0, 5, 0)}

    with lite.app_context():
        def count(model, live=True):
            stmt = select(func.count()).select_from(model).where(model.binding_id == binding_id)
            if live:
                stmt = stmt.where(model.removed_at.is_(None))
            return db.session.execute(stmt).scalar_one()

        assert (count(Advertiser), count(Store), count(AdvertiserStoreLink)) == (4, 5, 7)
        assert (count(Advertiser, False), count(Store, False)) == (5, 6)
        assert db.session.execute(select(Store.name).where(Store.store_id == STORE[0])).scalar_one() \
            == "Renamed on SQLite"
        revs = dict(db.session.execute(select(ResourceRevision.resource, ResourceRevision.revision)).all())
        assert revs == {"business_centers": 1, "advertisers": 2, "stores": 2}
        db.session.remove()
        db.engine.dispose()
