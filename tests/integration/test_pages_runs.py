"""Run detail page and the live run panel: polling while active, 286 + summary when final, errors,
and tenant isolation."""

from __future__ import annotations

import re

# The fixtures `pages` and `ttb_app` come from pages_support (imported, so ruff sees them redefined).
# ruff: noqa: F811
from tests.integration.pages_support import pages, run_panel_ids, text_of, ttb_app  # noqa: F401
from webapp.extensions import db
from webapp.web.runs import format_duration

HX = {"HX-Request": "true"}


def summary_cells(html: str) -> dict[str, list[int]]:
    """Entity -> [added, updated, unchanged, removed] (the column order on the page) from the first summary table."""
    body = html.split('class="table table-compact summary-table"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for label, cells in re.findall(r'<td class="summary-entity"><strong>([^<]+)</strong></td>(.*?)</tr>', body, re.S):
        rows[label] = [int(v) for v in re.findall(r'<td class="num">(\d+)</td>', cells)]
    return rows


def test_active_panel_polls_and_shows_phase_progress_and_counts(pages, factory):
    from webapp.runs.jobs import ProgressWriter

    tenant = factory.tenant()
    auth_id = pages.bind(tenant)
    run_id = pages.start(tenant, auth_id)
    client = pages.client(tenant.member)

    queued = client.get(f"/w/{tenant.wid}/runs/{run_id}/panel", headers=HX)
    assert queued.status_code == 200 and "Waiting for a worker" in text_of(queued)
    assert f'hx-get="/w/{tenant.wid}/runs/{run_id}/panel" hx-trigger="every 1s" hx-swap="outerHTML"' in text_of(queued)

    # What the worker writes while it runs (the real progress writer, on its own connection).
    with pages.app.app_context():
        from webapp.models import SyncRun

        run = db.session.get(SyncRun, run_id)
        run.status = "running"
        run.stats = {**run.stats, "processed": {"counts": {"business_centers": 2, "advertisers": 3}}}
        db.session.commit()
        ProgressWriter(db.engine, run_id).write("advertiser_info", 3, 5)
    html = text_of(client.get(f"/w/{tenant.wid}/runs/{run_id}/panel", headers=HX))
    assert 'hx-trigger="every 1s"' in html and 'class="badge badge-running"' in html
    # Phases and counts by their human names, not the raw keys.
    assert "Syncing: Advertiser details" in html and "advertiser_info" not in html and "3 / 5" in html
    assert 'aria-valuenow="3"' in html and "progress-bar pct-60" in html
    assert re.search(r'stat-value">3</span><span class="stat-label">Advertisers', html)
    assert re.search(r'stat-value">2</span><span class="stat-label">Business centers', html)
    # No inline styles or scripts: the CSP (default-src 'self') would block them.
    assert "style=" not in html and "<script" not in html


def test_final_panel_answers_286_with_the_summary_and_no_trigger(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.bind(tenant)
    run_id = pages.start(tenant, auth_id)
    run = pages.execute(run_id)
    assert run["status"] == "success"

    resp = pages.client(tenant.member).get(f"/w/{tenant.wid}/runs/{run_id}/panel", headers=HX)
    html = text_of(resp)
    assert resp.status_code == 286 and resp.headers["HX-Trigger"] == "runFinished"
    assert "hx-trigger" not in html and "hx-get" not in html
    assert 'class="badge badge-success"' in html and "took " in html
    # small dataset: 2 business centers, 5 advertisers, 6 stores, all new.
    assert summary_cells(html) == {"Business centers": [2, 0, 0, 0], "Advertisers": [5, 0, 0, 0],
                                   "Stores": [6, 0, 0, 0]}
    header = html.split('summary-table">', 1)[1].split("</thead>", 1)[0]
    assert re.findall(r'class="num">(\w+)</th>', header) == ["Added", "Updated", "Unchanged", "Removed"]


def test_second_sync_reports_removed_and_unchanged(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.synced(tenant)
    pages.sandbox.admin("DELETE", "entities/stores/7494000000000000006")
    run_id = pages.start(tenant, auth_id)
    assert pages.execute(run_id)["status"] == "success"
    html = text_of(pages.client(tenant.member).get(f"/w/{tenant.wid}/runs/{run_id}", headers={}))
    cells = summary_cells(html)
    # [added, updated, unchanged, removed]
    assert cells["Stores"][2:] == [5, 1] and cells["Stores"][0] == 0 and cells["Advertisers"] == [0, 0, 5, 0]


def test_run_detail_page_shows_everything_about_a_finished_run(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.bind(tenant, alias="Shop account")
    run_id = pages.start(tenant, auth_id, actor={"user_id": tenant.admin.id, "workspace_id": tenant.wid,
                                                 "ip": "198.51.100.7"}, idempotency_key="nightly-42")
    run = pages.execute(run_id)

    resp = pages.client(tenant.member).get(f"/w/{tenant.wid}/runs/{run_id}")
    html = text_of(resp)
    assert resp.status_code == 200
    assert f"Run #{run_id}" in html and "Metadata sync" in html and "Shop account" in html
    assert f'href="/w/{tenant.wid}/accounts/{auth_id}"' in html
    assert f"{tenant.admin.email} from 198.51.100.7" in html and "nightly-42" in html
    # Times are shown in UTC, the duration humanised, and every phase timing listed.
    assert run["finished_at"][:10] in html and "UTC" in html
    for phase in run["stats"]["processed"]["timings"]:
        assert f'<dt title="{phase}">' in html
    assert '<dt title="business_centers">Business centers</dt>' in html
    # The status is shown once (the title's badge), not also in a card or a panel.
    assert html.count('class="badge badge-success"') == 1
    assert summary_cells(html)["Advertisers"][0] == 5
    assert "No errors." in html
    # Final: no live panel polling on the page.
    assert 'hx-trigger="every 1s"' not in html


def test_run_detail_of_an_active_run_includes_the_live_panel(pages, factory):
    tenant = factory.tenant()
    run_id = pages.start(tenant, pages.bind(tenant))
    html = text_of(pages.client(tenant.member).get(f"/w/{tenant.wid}/runs/{run_id}"))
    assert run_panel_ids(html) == [run_id] and 'hx-trigger="every 1s"' in html
    assert 'hx-trigger="runFinished from:body"' in html  # the details refresh once the run ends


def test_failed_run_shows_error_code_and_errors(pages, factory):
    tenant = factory.tenant()
    auth_id = pages.bind(tenant)
    # TikTok says the token is no longer valid on the first call.
    pages.sandbox.set_faults("fail_next=/bc/get/:1:40105")
    run = pages.execute(pages.start(tenant, auth_id))
    assert run["status"] == "failed" and run["error_code"]

    client = pages.client(tenant.member)
    panel = client.get(f"/w/{tenant.wid}/runs/{run['id']}/panel", headers=HX)
    assert panel.status_code == 286 and 'class="badge badge-failed"' in text_of(panel)
    assert run["error_code"] in text_of(panel)
    page = text_of(client.get(f"/w/{tenant.wid}/runs/{run['id']}"))
    for error in run["stats"]["errors"]:
        assert error["code"] in page and error["stage"] in page
        if error.get("request_id"):
            assert error["request_id"] in page
    assert 'class="table table-compact errors-table"' in page


def test_run_pages_isolation(pages, factory):
    tenant, other = factory.tenant("Acme"), factory.tenant("Other")
    other_run = pages.start(other, pages.bind(other, alias="Other"))
    own_run = pages.start(tenant, pages.bind(tenant))
    client = pages.client(tenant.owner)
    for url in (f"/w/{tenant.wid}/runs/{other_run}", f"/w/{tenant.wid}/runs/{other_run}/panel",
                f"/w/{tenant.wid}/runs/999999"):
        resp = client.get(url)
        assert resp.status_code == 404 and "SYNC_RUN_NOT_FOUND" in text_of(resp), url
    # The other workspace's own URL is forbidden to a non-member.
    resp = client.get(f"/w/{other.wid}/runs/{other_run}")
    assert resp.status_code == 403
    assert pages.client(factory.user()).get(f"/w/{tenant.wid}/runs/{own_run}/panel").status_code == 403
    assert pages.client(tenant.member).get(f"/w/{tenant.wid}/runs/{own_run}").status_code == 200


def test_duration_format():
    assert [format_duration(v) for v in (None, 850, 12_400, 185_000)] == ["—", "850 ms", "12.4 s", "3 min 05 s"]
