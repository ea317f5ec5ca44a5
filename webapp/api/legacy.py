"""API area: legacy routes removed on 2025-11-12 — any method answers 410 TTB_LEGACY_DISABLED.

Only the listed shapes are caught: the non-account-scoped lists under /providers/{provider}/, everything
under /ttb/, and /oauth/{provider}/bindings/{auth_id}/sync[/...] (the other bindings routes are live)."""

from __future__ import annotations

from webapp.api import bp
from webapp.errors import Gone

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
LISTS = "<any('business-centers', 'advertisers', 'stores', 'products'):_kind>"
MESSAGE = ("This TikTok Business route was removed on 2025-11-12; use "
           "/api/v1/tenants/{workspace_id}/providers/tiktok-business/accounts/{auth_id}/... instead.")


@bp.route(f"/tenants/<int:wid>/providers/<provider>/{LISTS}", methods=METHODS)
@bp.route(f"/tenants/<int:wid>/providers/<provider>/{LISTS}/<path:_rest>", methods=METHODS)
@bp.route("/tenants/<int:wid>/ttb", methods=METHODS)
@bp.route("/tenants/<int:wid>/ttb/<path:_rest>", methods=METHODS)
@bp.route("/tenants/<int:wid>/oauth/<provider>/bindings/<auth_id>/sync", methods=METHODS)
@bp.route("/tenants/<int:wid>/oauth/<provider>/bindings/<auth_id>/sync/<path:_rest>", methods=METHODS)
def legacy_ttb_disabled(wid: int, **_kwargs: str):
    raise Gone("TTB_LEGACY_DISABLED", MESSAGE)
