"""ttb.sync.meta against the sandbox over HTTP into MariaDB: counts, real removal, revival, updates,
partial listings that remove nothing, and a dead token."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import (
    Advertiser,
    AdvertiserStoreLink,
    BcAdvertiserLink,
    Binding,
    BusinessCenter,
    ProviderApp,
    ResourceRevision,
    Store,
)
from webapp.providers.tiktok_business import TikTokClient, TokenInvalidError
from webapp.providers.tiktok_business import sync_meta as sync_meta_module
from webapp.providers.tiktok_business.sync_meta import SyncResult, sync_meta

BC1, BC2 = "7300000000000000001", "7300000000000000002"
ADV = [f"740000000000000000{i}" for i in range(1, 6)]
STORE = [f"749400000000000000{i}" for i in range(1, 7)]


@dataclass
class Account:
    binding_id: int
    workspace_id: int
    token: str


def make_binding(app: Any, workspace_id: int, token: str, app_id: str, secret: str) -> int:
    """A ProviderApp + Binding made directly with the ORM (the OAuth flow is tested elsewhere)."""
    with app.app_context():
        provider_app = db.session.execute(select(ProviderApp).where(ProviderApp.app_id == app_id)).scalar()
        if provider_app is None:
            provider_app = ProviderApp(name="Sandbox", app_id=app_id, secret=secret,
                                       redirect_uri="http://127.0.0.1/cb")
            db.session.add(provider_app)
            db.session.flush()
        binding = Binding(workspace_id=workspace_id, provider_app_id=provider_app.id, access_token=token,
                          token_fingerprint=hashlib.sha256(token.encode()).hexdigest(), scope=[], advertiser_ids=[])
        db.session.add(binding)
        db.session.commit()
        return binding.id


def run_sync(app: Any, sandbox: Any, binding_id: int, progress: list | None = None) -> SyncResult:
    with app.app_context():
        binding = db.session.get(Binding, binding_id)
        with TikTokClient(sandbox.base_url, binding.access_token, sleep=lambda s: None) as client:
            return sync_meta(db.session, binding, client, app_id=sandbox.app_id, secret=sandbox.secret,
                             progress=(lambda *a: progress.append(a)) if progress is not None else (lambda *a: None))


def live(app: Any, model: Any, binding_id: int) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model).where(
            model.binding_id == binding_id, model.removed_at.is_(None))).scalar_one()


def total_rows(app: Any, model: Any, binding_id: int) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model).where(
            model.binding_id == binding_id)).scalar_one()


def revisions(app: Any, binding_id: int) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(select(ResourceRevision.resource, ResourceRevision.revision).where(
            ResourceRevision.binding_id == binding_id))
        return dict(rows.all())


def entity_sets(summary: dict) -> dict[str, tuple[int, int, int, int]]:
    return {k: (v["added"], v["updated"], v["unchanged"], v["removed"]) for k, v in summary.items()
            if isinstance(v, dict)}


@pytest.fixture
def account(app, factory, sandbox_clean) -> Account:
    owner = factory.user()
    ws = factory.workspace(owner)
    token = sandbox_clean.issue_token()
    return Account(make_binding(app, ws.id, token, sandbox_clean.app_id, sandbox_clean.secret), ws.id, token)


def test_small_dataset_is_mirrored_with_links_and_gmv_fields(app, sandbox_clean, account):
    progress: list = []
    result = run_sync(app, sandbox_clean, account.binding_id, progress)

    assert result.status == "success", result.errors
    assert result.errors == []
    assert entity_sets(result.summary) == {"bc": (2, 0, 0, 0), "advertisers": (5, 0, 0, 0), "stores": (6, 0, 0, 0)}
    assert result.summary["partial"] is False
    assert result.counts == {"bc": 2, "advertisers": 5, "stores": 6, "bc_advertiser_links": 5,
                             "advertiser_store_links": 9, "requests": 1 + 1 + 1 + 5 + 5}
    assert {"business_centers", "advertisers", "stores", "total"} <= set(result.timings)
    phases = [p[0] for p in progress]
    assert {"business_centers", "advertisers", "advertiser_info", "stores"} <= set(phases)
    assert progress[-1] == ("stores", 5, 5)

    assert live(app, BusinessCenter, account.binding_id) == 2
    assert live(app, Advertiser, account.binding_id) == 5
    assert live(app, Store, account.binding_id) == 6
    assert live(app, AdvertiserStoreLink, account.binding_id) == 9
    with app.app_context():
        adv4 = db.session.execute(select(Advertiser).where(Advertiser.advertiser_id == ADV[3])).scalar_one()
        assert (adv4.name, adv4.owner_bc_id, adv4.currency, adv4.country_code, adv4.display_timezone,
                adv4.workspace_id) == ("Sandbox Advertiser 4", BC2, "GBP", "GB", "Europe/London", account.workspace_id)
        links = db.session.execute(select(BcAdvertiserLink.bc_id, BcAdvertiserLink.advertiser_id,
                                          BcAdvertiserLink.relation)).all()
        assert sorted(links) == sorted([(BC1, a, "OWNER") for a in ADV[:3]] + [(BC2, a, "OWNER") for a in ADV[3:]])
        store1 = db.session.execute(select(Store).where(Store.store_id == STORE[0])).scalar_one()
        assert (store1.exclusive_advertiser_id, store1.is_gmv_max_available, store1.store_status,
                store1.targeting_region_codes, store1.store_authorized_bc_id) == (ADV[0], True, "ACTIVE", ["US"], BC1)
        binding = db.session.get(Binding, account.binding_id)
        assert binding.advertiser_ids == ADV and binding.last_synced_at is not None
    assert revisions(app, account.binding_id) == {"business_centers": 1, "advertisers": 1, "stores": 1}


def test_resync_without_changes_rewrites_nothing(app, sandbox_clean, account):
    run_sync(app, sandbox_clean, account.binding_id)
    with app.app_context():
        before = dict(db.session.execute(select(Store.store_id, Store.updated_at)).all())

    result = run_sync(app, sandbox_clean, account.binding_id)

    assert result.status == "success"
    assert entity_sets(result.summary) == {"bc": (0, 0, 2, 0), "advertisers": (0, 0, 5, 0), "stores": (0, 0, 6, 0)}
    assert revisions(app, account.binding_id) == {"business_centers": 1, "advertisers": 1, "stores": 1}
    with app.app_context():
        assert dict(db.session.execute(select(Store.store_id, Store.updated_at)).all()) == before
    assert total_rows(app, Store, account.binding_id) == 6  # no duplicates


def test_removed_advertiser_and_added_store_then_revival(app, sandbox_clean, account):
    sandbox = sandbox_clean
    run_sync(app, sandbox, account.binding_id)
    sandbox.admin("DELETE", f"entities/advertisers/{ADV[2]}")  # adv3 reached stores 2 (also adv1) and 4 (alone)
    new_store = sandbox.admin("POST", "entities/stores", {"store_name": "Fresh Store", "advertiser_ids": [ADV[0]],
                                                          "store_authorized_bc_id": BC1})["store_id"]

    result = run_sync(app, sandbox, account.binding_id)

    assert result.status == "success", result.errors
    assert entity_sets(result.summary) == {"bc": (0, 0, 2, 0), "advertisers": (0, 0, 4, 1), "stores": (1, 0, 5, 1)}
    assert live(app, Advertiser, account.binding_id) == 4
    assert live(app, Store, account.binding_id) == 6
    with app.app_context():
        gone = db.session.execute(select(Advertiser).where(Advertiser.advertiser_id == ADV[2])).scalar_one()
        assert gone.removed_at is not None
        assert db.session.execute(select(Store.removed_at).where(Store.store_id == STORE[3])).scalar_one()
        assert db.session.execute(select(Store.name).where(Store.store_id == new_store,
                                                           Store.removed_at.is_(None))).scalar_one() == "Fresh Store"
        dead_links = db.session.execute(select(func.count()).select_from(AdvertiserStoreLink).where(
            AdvertiserStoreLink.advertiser_id == ADV[2], AdvertiserStoreLink.removed_at.is_(None))).scalar_one()
        assert dead_links == 0
        assert db.session.execute(select(BcAdvertiserLink.removed_at).where(
            BcAdvertiserLink.advertiser_id == ADV[2])).scalar_one() is not None
    assert revisions(app, account.binding_id) == {"business_centers": 1, "advertisers": 2, "stores": 2}

    # Unchanged re-sync: nothing added, updated or removed.
    again = run_sync(app, sandbox, account.binding_id)
    assert entity_sets(again.summary) == {"bc": (0, 0, 2, 0), "advertisers": (0, 0, 4, 0), "stores": (0, 0, 6, 0)}

    # TikTok lists the advertiser again: it comes back (the same row, no duplicate) and counts as added.
    sandbox.admin("POST", "entities/advertisers", {"advertiser_id": ADV[2], "name": "Sandbox Advertiser 3",
                                                   "owner_bc_id": BC1})
    back = run_sync(app, sandbox, account.binding_id)
    assert entity_sets(back.summary)["advertisers"] == (1, 0, 4, 0)
    assert live(app, Advertiser, account.binding_id) == 5
    assert total_rows(app, Advertiser, account.binding_id) == 5
    with app.app_context():
        assert db.session.execute(select(BcAdvertiserLink.removed_at).where(
            BcAdvertiserLink.advertiser_id == ADV[2])).scalar_one() is None


def test_renamed_entities_count_as_updated(app, sandbox_clean, account):
    run_sync(app, sandbox_clean, account.binding_id)
    sandbox_clean.admin("PATCH", f"entities/business_centers/{BC1}", {"name": "BC One Renamed"})
    sandbox_clean.admin("PATCH", f"entities/advertisers/{ADV[4]}", {"name": "Advertiser Five Renamed"})
    sandbox_clean.admin("PATCH", f"entities/stores/{STORE[5]}", {"store_name": "Store Six Renamed"})

    result = run_sync(app, sandbox_clean, account.binding_id)

    # An updated row counts as unchanged too, with `updated` reported beside it.
    assert entity_sets(result.summary) == {"bc": (0, 1, 2, 0), "advertisers": (0, 1, 5, 0), "stores": (0, 1, 6, 0)}
    with app.app_context():
        assert db.session.execute(select(BusinessCenter.name).where(BusinessCenter.bc_id == BC1)).scalar_one() \
            == "BC One Renamed"
        assert db.session.execute(select(Store.name).where(Store.store_id == STORE[5])).scalar_one() \
            == "Store Six Renamed"
    assert revisions(app, account.binding_id) == {"business_centers": 2, "advertisers": 2, "stores": 2}


def test_failing_bc_page_is_partial_and_removes_nothing(app, sandbox_clean, account, monkeypatch):
    run_sync(app, sandbox_clean, account.binding_id)
    monkeypatch.setattr(sync_meta_module, "BC_PAGE_SIZE", 1)  # two BCs → two pages
    sandbox_clean.set_faults("fail_page=/bc/get/:2")  # persistent 50000: retried, then given up

    result = run_sync(app, sandbox_clean, account.binding_id)

    assert result.status == "partial"
    assert result.summary["partial"] is True
    assert result.summary["bc"] == {"added": 0, "removed": 0, "unchanged": 1, "updated": 0}
    assert [(e["stage"], e["code"]) for e in result.errors] == [("business_centers", 50000)]
    assert result.errors[0]["request_id"]
    assert live(app, BusinessCenter, account.binding_id) == 2  # BC2 was not listed, and is still there
    assert "business_centers" not in result.completed and "stores" in result.completed


def test_inconsistent_bc_pages_remove_nothing(app, sandbox_clean, account, monkeypatch):
    run_sync(app, sandbox_clean, account.binding_id)
    monkeypatch.setattr(sync_meta_module, "BC_PAGE_SIZE", 1)
    sandbox_clean.set_faults("total_drift=/bc/get/:2")

    result = run_sync(app, sandbox_clean, account.binding_id)

    assert result.status == "partial"
    assert result.errors[0]["stage"] == "business_centers" and result.errors[0]["code"] == "PAGINATION_ERROR"
    assert result.summary["bc"]["removed"] == 0
    assert live(app, BusinessCenter, account.binding_id) == 2


def test_store_listing_failing_for_one_advertiser_is_partial_and_removes_no_store(app, sandbox_clean, account):
    sandbox = sandbox_clean
    run_sync(app, sandbox, account.binding_id)
    sandbox.admin("DELETE", f"entities/stores/{STORE[5]}")  # gone at TikTok, but this run can't prove it
    sandbox.admin("PATCH", f"entities/stores/{STORE[4]}", {"store_name": "Store Five Renamed"})
    sandbox.set_faults("fail_next=/store/list/:1:40002")  # adv1's store/list fails, the others work

    result = run_sync(app, sandbox, account.binding_id)

    assert result.status == "partial"
    assert [(e["stage"], e["code"]) for e in result.errors] == [("stores", 40002)]
    assert result.summary["stores"]["removed"] == 0 and result.summary["stores"]["updated"] == 1
    assert live(app, Store, account.binding_id) == 6
    assert live(app, AdvertiserStoreLink, account.binding_id) == 9
    assert result.summary["advertisers"] == {"added": 0, "removed": 0, "unchanged": 5, "updated": 0}

    sandbox.set_faults({})
    healed = run_sync(app, sandbox, account.binding_id)
    assert healed.status == "success"
    assert healed.summary["stores"]["removed"] == 1
    assert live(app, Store, account.binding_id) == 5


def test_advertiser_info_batch_failing_keeps_accounts_and_removes_none(app, sandbox_clean, account):
    run_sync(app, sandbox_clean, account.binding_id)
    sandbox_clean.admin("DELETE", f"entities/advertisers/{ADV[4]}")
    sandbox_clean.set_faults("fail_next=/advertiser/info/:1:40002")

    result = run_sync(app, sandbox_clean, account.binding_id)

    assert result.status == "partial"
    assert [e["stage"] for e in result.errors] == ["advertiser_info"]
    assert result.summary["advertisers"]["removed"] == 0
    assert live(app, Advertiser, account.binding_id) == 5
    with app.app_context():  # details from the earlier run are kept, not blanked
        assert db.session.execute(select(Advertiser.currency).where(Advertiser.advertiser_id == ADV[0])).scalar_one() \
            == "USD"


def test_gmv_max_permission_denied_is_skipped(app, sandbox_clean, account):
    sandbox_clean.set_faults("fail_next=/gmv_max/store/list/:5:40001")

    result = run_sync(app, sandbox_clean, account.binding_id)

    assert result.status == "success", result.errors
    assert live(app, Store, account.binding_id) == 6
    with app.app_context():
        assert db.session.execute(select(Store.is_gmv_max_available).where(Store.store_id == STORE[0])).scalar_one() \
            is None


def test_advertiser_list_failing_still_syncs_bcs(app, sandbox_clean, account):
    sandbox_clean.set_faults("fail_next=/oauth2/advertiser/get/:1:40002")

    result = run_sync(app, sandbox_clean, account.binding_id)

    assert result.status == "partial"
    assert result.completed == ["business_centers"]
    assert live(app, BusinessCenter, account.binding_id) == 2
    assert live(app, Advertiser, account.binding_id) == 0


def test_everything_failing_is_failed(app, sandbox_clean, account):
    sandbox_clean.set_faults("fail_page=/bc/get/:1:0:40002,fail_next=/oauth2/advertiser/get/:1:40002")

    result = run_sync(app, sandbox_clean, account.binding_id)

    assert result.status == "failed"
    assert result.summary["partial"] is False
    assert [e["stage"] for e in result.errors] == ["business_centers", "advertisers"]


def test_dead_token_raises(app, sandbox_clean, account):
    run_sync(app, sandbox_clean, account.binding_id)
    sandbox_clean.admin("POST", "tokens/revoke", {"access_token": account.token})

    with pytest.raises(TokenInvalidError) as info:
        run_sync(app, sandbox_clean, account.binding_id)
    assert info.value.code == 40105
    assert live(app, Advertiser, account.binding_id) == 5  # nothing removed on the way out


def test_token_reaching_a_subset(app, factory, sandbox_clean):
    owner = factory.user()
    ws = factory.workspace(owner)
    token = sandbox_clean.issue_token([ADV[3]])
    binding_id = make_binding(app, ws.id, token, sandbox_clean.app_id, sandbox_clean.secret)

    result = run_sync(app, sandbox_clean, binding_id)

    assert result.status == "success"
    assert (result.counts["bc"], result.counts["advertisers"], result.counts["stores"]) == (1, 1, 1)


def test_relations_partner_and_unknown(app, sandbox_clean, account):
    # A BC2 store shared with adv1 (owned by BC1): BC2 is a partner of adv1.
    sandbox_clean.admin("POST", "entities/stores", {"store_name": "Shared", "advertiser_ids": [ADV[0]],
                                                    "store_authorized_bc_id": BC2})
    # adv3's owner BC is hidden from the token: its BC links can't be told apart.
    sandbox_clean.admin("PATCH", f"entities/advertisers/{ADV[2]}", {"owner_bc_id": None})

    result = run_sync(app, sandbox_clean, account.binding_id)

    assert result.status == "success", result.errors
    with app.app_context():
        rows = db.session.execute(select(BcAdvertiserLink.bc_id, BcAdvertiserLink.advertiser_id,
                                         BcAdvertiserLink.relation).where(BcAdvertiserLink.removed_at.is_(None)))
        links = {(bc, adv): rel for bc, adv, rel in rows}
    assert links[(BC1, ADV[0])] == "OWNER" and links[(BC2, ADV[0])] == "PARTNER"
    assert links[(BC1, ADV[2])] == "UNKNOWN"  # reached through stores 2 and 4, authorized via BC1
    assert len(links) == 6

    # The owner BC shows up again: the same link becomes OWNER (updated, not duplicated).
    sandbox_clean.admin("PATCH", f"entities/advertisers/{ADV[2]}", {"owner_bc_id": BC1})
    run_sync(app, sandbox_clean, account.binding_id)
    with app.app_context():
        assert db.session.execute(select(BcAdvertiserLink.relation).where(
            BcAdvertiserLink.advertiser_id == ADV[2])).scalars().all() == ["OWNER"]
