"""Binding pages: the workspace home's bindings list (status badges, counts, Reconnect, connect form)
and the manage page (rename, revoke, delete) with isolation."""

from __future__ import annotations

import re

from tests.integration.oauth_support import (
    add_mirror_rows,
    binding_count,
    login,
)
from webapp.extensions import db
from webapp.models import Binding, Store, utcnow
from webapp.providers.tiktok_business.oauth import mark_binding_invalid, upsert_binding


def test_workspace_home_lists_bindings_with_badges_counts_and_actions(ttb, bound):
    tenant, app_pk, auth_id, client = bound
    add_mirror_rows(ttb, tenant.wid, auth_id)
    with ttb.app_context():
        db.session.add(Store(workspace_id=tenant.wid, binding_id=auth_id, store_id="s-removed", removed_at=utcnow()))
        broken, _ = upsert_binding(db.session, workspace_id=tenant.wid, provider_app_id=app_pk,
                                   access_token="dead-token", scope=[], advertiser_ids=[], alias="Broken")
        mark_binding_invalid(db.session, broken, "40105")
        db.session.get(Binding, auth_id).last_synced_at = utcnow()
        db.session.commit()
        broken_id = broken.id

    html = client.get(f"/w/{tenant.wid}/").get_data(as_text=True)
    assert 'class="badge badge-active"' in html and 'class="badge badge-invalid"' in html
    assert f'href="/w/{tenant.wid}/accounts/{auth_id}"' in html
    assert f'href="/w/{tenant.wid}/bindings/{auth_id}"' in html
    assert f'action="/w/{tenant.wid}/bindings/{broken_id}/reconnect"' in html
    assert f'action="/w/{tenant.wid}/bindings/{auth_id}/reconnect"' not in html
    row = html.split(f'data-auth-id="{auth_id}"')[1].split("</tr>")[0]
    # live advertisers, stores (removed ones hidden)
    assert re.findall(r"<td class=\"num\">(\d+)</td>", row) == ["1", "1"]
    assert "UTC</time>" in row
    assert f'action="/w/{tenant.wid}/oauth/tiktok-business/connect"' in html
    assert f'<option value="{app_pk}"' in html

    member = ttb.test_client()
    login(member, tenant.member.email)
    member_html = member.get(f"/w/{tenant.wid}/").get_data(as_text=True)
    assert "Main" in member_html and "/oauth/tiktok-business/connect" not in member_html
    assert "/reconnect" not in member_html and f"/w/{tenant.wid}/bindings/" not in member_html


def test_manage_page_rename_revoke_delete(ttb, sandbox_clean, bound):
    tenant, _, auth_id, client = bound
    url = f"/w/{tenant.wid}/bindings/{auth_id}"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "data-confirm=" in html and 'name="remote"' in html and 'name="csrf_token"' in html

    bad = client.post(f"{url}/alias", data={"alias": "y" * 200})
    bad_html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'class="field-error" id="alias-error"' in bad_html
    # Inline on the manage page itself (full page, typed value kept, field marked invalid), not an error page.
    assert "The alias must be at most 120 characters." in bad_html and 'aria-invalid="true"' in bad_html
    assert 'value="' + "y" * 200 + '"' in bad_html and "<h2 class=\"card-title\">Delete</h2>" in bad_html
    renamed = client.post(f"{url}/alias", data={"alias": "Renamed"})
    assert renamed.status_code == 302 and "Renamed" in client.get(url).get_data(as_text=True)

    revoked = client.post(f"{url}/revoke", data={})  # checkbox unticked: local only
    assert revoked.status_code == 302
    assert sum(n for p, n in sandbox_clean.stats()["requests"].items() if p.endswith("revoke_token/")) == 0
    with ttb.app_context():
        assert db.session.get(Binding, auth_id).status == "revoked"
    assert 'badge-revoked' in client.get(url).get_data(as_text=True)

    deleted = client.post(f"{url}/delete")
    assert deleted.status_code == 302 and deleted.headers["Location"].endswith(f"/w/{tenant.wid}/")
    assert binding_count(ttb) == 0
    assert client.get(url).status_code == 404


def test_manage_pages_isolation(ttb, bound, factory):
    tenant, _, auth_id, _ = bound
    other = factory.tenant("Other")
    stranger = ttb.test_client()
    login(stranger, other.admin.email)
    member = ttb.test_client()
    login(member, tenant.member.email)
    base = f"/w/{tenant.wid}/bindings/{auth_id}"
    foreign = f"/w/{other.wid}/bindings/{auth_id}"
    for method, suffix in (("get", ""), ("post", "/alias"), ("post", "/revoke"), ("post", "/delete"),
                           ("post", "/reconnect")):
        assert getattr(stranger, method)(foreign + suffix, data={"alias": "x"}).status_code == 404
        assert getattr(stranger, method)(base + suffix, data={"alias": "x"}).status_code == 403
        assert getattr(member, method)(base + suffix, data={"alias": "x"}).status_code == 403
    with ttb.app_context():
        binding = db.session.get(Binding, auth_id)
        assert (binding.alias, binding.status) == ("Main", "active")
