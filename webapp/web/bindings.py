"""Pages: manage one binding (rename, revoke, delete, reconnect) and the workspace home's bindings list.

The workspace home (another area) includes templates/workspaces/_bindings.html, which reads its rows
through the `workspace_bindings()` template global registered here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request
from flask_login import current_user

from webapp.auth.permissions import workspace_required
from webapp.errors import AppError
from webapp.extensions import db
from webapp.providers.provider_apps import list_provider_apps
from webapp.providers.tiktok_business import bindings, oauth

bp = Blueprint("bindings", __name__)


@bp.app_template_global()
def workspace_bindings(workspace_id: int) -> list[bindings.BindingRow]:
    """Rows for the workspace home: binding, live advertiser/store counts, provider app."""
    return bindings.binding_rows(db.session, workspace_id)


@bp.app_template_global()
def connectable_provider_apps() -> list[Any]:
    """Enabled provider apps for the "Connect TikTok Business" form."""
    return list_provider_apps(db.session, enabled_only=True)


def _manage_url(wid: int, auth_id: int) -> str:
    return f"/w/{wid}/bindings/{auth_id}"


def _page(wid: int, auth_id: int, *, errors: dict[str, str] | None = None, alias: str | None = None):
    binding = bindings.get_binding_or_404(db.session, wid, auth_id)
    counts = bindings.mirror_counts(db.session, [binding.id]).get(binding.id, bindings.MirrorCounts())
    form_alias = (binding.alias or "") if alias is None else alias
    return render_template("bindings/manage.html", binding=binding, counts=counts, wid=wid, errors=errors or {},
                           form_alias=form_alias), 422 if errors else 200


@bp.get("/w/<int:wid>/bindings/<int:auth_id>")
@workspace_required("admin")
def manage(wid: int, auth_id: int):
    return _page(wid, auth_id)


@bp.post("/w/<int:wid>/bindings/<int:auth_id>/alias")
@workspace_required("admin")
def rename(wid: int, auth_id: int):
    alias = request.form.get("alias", "")
    try:
        binding = oauth.rename_binding(db.session, wid, auth_id, alias)
    except AppError as error:
        if error.code != "VALIDATION_ERROR":
            raise
        db.session.rollback()
        return _page(wid, auth_id, errors={"alias": error.data[0]["message"]}, alias=alias)
    db.session.commit()
    flash(f"Renamed to “{binding.label}”.", "success")
    return redirect(_manage_url(wid, auth_id))


@bp.post("/w/<int:wid>/bindings/<int:auth_id>/revoke")
@workspace_required("admin")
def revoke(wid: int, auth_id: int):
    remote = request.form.get("remote") in {"1", "on", "true", "yes"}
    try:
        binding = oauth.revoke_binding(db.session, wid, auth_id, remote=remote)
    except AppError as error:
        if error.status == 404:
            raise
        db.session.rollback()
        flash(error.message, "error")
        return redirect(_manage_url(wid, auth_id))
    db.session.commit()
    flash(f"“{binding.label}” revoked" + (" at TikTok." if remote else " here (TikTok was not contacted)."), "success")
    return redirect(_manage_url(wid, auth_id))


@bp.post("/w/<int:wid>/bindings/<int:auth_id>/delete")
@workspace_required("admin")
def delete(wid: int, auth_id: int):
    label = bindings.get_binding_or_404(db.session, wid, auth_id).label
    oauth.delete_binding(db.session, wid, auth_id)
    db.session.commit()
    flash(f"“{label}” and its mirrored data were deleted.", "success")
    return redirect(f"/w/{wid}/")


@bp.post("/w/<int:wid>/bindings/<int:auth_id>/reconnect")
@workspace_required("admin")
def reconnect(wid: int, auth_id: int):
    authz = oauth.start_reconnect(db.session, workspace_id=wid, user_id=current_user.id, auth_id=auth_id,
                                  portal_url=current_app.config["SETTINGS"].TTB_PORTAL_URL)
    db.session.commit()
    return redirect(authz.auth_url)
