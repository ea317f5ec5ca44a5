"""Pages: the TikTok Business OAuth callback and the "Connect TikTok Business" form.

The callback is the only web request that talks to TikTok (the code exchange)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, make_response, redirect, render_template, request
from flask_login import current_user

from webapp.api.errors import wants_json
from webapp.auth.permissions import login_required, workspace_required
from webapp.errors import AppError
from webapp.extensions import db
from webapp.providers.provider_apps import list_provider_apps
from webapp.providers.tiktok_business import oauth

bp = Blueprint("oauth", __name__)


def connect_url(wid: int) -> str:
    return f"/w/{wid}/oauth/tiktok-business/connect"


def _callback_error(error: AppError, wid: int | None):
    if wants_json():
        return jsonify(error.to_envelope()), error.status
    retry = connect_url(wid) if wid else "/"
    title = ("TikTok Business authorization cancelled" if error.code == "AUTHORIZATION_DENIED"
             else "TikTok Business connection failed")
    return make_response(render_template("oauth/error.html", error=error, retry_url=retry, title=title), error.status)


@bp.get("/oauth/tiktok-business/callback")
@bp.get("/oauth/tiktok_business/callback")
@login_required
def callback():
    args = request.args
    state_value = args.get("state")
    retry_wid = oauth.retry_workspace(db.session, user_id=current_user.id, state_value=state_value)
    try:
        result = oauth.complete_callback(db.session, user_id=current_user.id, state_value=state_value,
                                         code=args.get("auth_code") or args.get("code"),
                                         denied=args.get("error"))
        db.session.commit()
    except AppError as error:
        db.session.rollback()
        return _callback_error(error, retry_wid)
    binding = result.binding
    run = oauth.enqueue_first_sync(db.session, binding, user_id=current_user.id, ip=request.remote_addr)
    target = result.return_to if oauth.is_safe_return_to(result.return_to) else \
        f"/w/{result.workspace_id}/accounts/{binding.id}"
    if wants_json():
        return jsonify({"auth_id": binding.id, "status": binding.status, "created": result.created,
                        "run_id": getattr(run, "id", None), "redirect_to": target})
    verb = "connected" if result.created else "reconnected"
    sync_note = " The first metadata sync has started." if result.created else " A metadata sync has started."
    flash(f"TikTok Business account “{binding.label}” {verb}." + (sync_note if run is not None else ""), "success")
    return redirect(target)


@bp.route("/w/<int:wid>/oauth/tiktok-business/connect", methods=["GET", "POST"])
@workspace_required("admin")
def connect(wid: int):
    apps = list_provider_apps(db.session, enabled_only=True)
    form = {"provider_app_id": request.form.get("provider_app_id", ""), "alias": request.form.get("alias", "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            authz = oauth.start_authorization(
                db.session, workspace_id=wid, user_id=current_user.id, provider_app_id=form["provider_app_id"],
                alias=form["alias"], portal_url=current_app.config["SETTINGS"].TTB_PORTAL_URL)
            db.session.commit()
            return redirect(authz.auth_url)
        except AppError as error:
            db.session.rollback()
            field = "alias" if error.code == "VALIDATION_ERROR" else "provider_app_id"
            errors[field] = (error.data[0]["message"] if field == "alias" and error.data else error.message)
    status = 422 if errors else 200
    return render_template("oauth/connect.html", apps=apps, form=form, errors=errors, wid=wid), status
