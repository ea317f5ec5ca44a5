"""Pages: provider apps for platform admins (/platform/provider-apps): list, add, enable/disable, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request

from webapp.auth.permissions import platform_admin_required
from webapp.errors import AppError
from webapp.extensions import db
from webapp.providers import provider_apps as service

bp = Blueprint("provider_apps", __name__)

LIST_URL = "/platform/provider-apps"
FIELDS = ("name", "app_id", "secret", "redirect_uri")


def _page(form: dict[str, str] | None = None, errors: dict[str, str] | None = None):
    apps = service.list_provider_apps(db.session)
    counts = service.binding_counts(db.session)
    form = {k: v for k, v in (form or {}).items() if k != "secret"}  # never echo a secret back
    return render_template("provider_apps/list.html", apps=apps, counts=counts, form=form,
                           errors=errors or {}), 422 if errors else 200


@bp.get(LIST_URL)
@platform_admin_required
def index():
    return _page()


@bp.post(LIST_URL)
@platform_admin_required
def create():
    form = {k: request.form.get(k, "") for k in FIELDS}
    try:
        app = service.create_provider_app(db.session, name=form["name"], app_id=form["app_id"],
                                          secret=form["secret"], redirect_uri=form["redirect_uri"],
                                          enabled=request.form.get("enabled", "1") in {"1", "on", "true"})
    except AppError as error:
        db.session.rollback()
        if error.code == "VALIDATION_ERROR" and error.data:
            return _page(form, {item["field"]: item["message"] for item in error.data})
        if error.code == "PROVIDER_APP_EXISTS":
            return _page(form, {"app_id": error.message})
        raise
    db.session.commit()
    flash(f"Provider app “{app.name}” added (id {app.id}).", "success")
    return redirect(LIST_URL)


@bp.post(f"{LIST_URL}/<int:app_pk>/enabled")
@platform_admin_required
def set_enabled(app_pk: int):
    enabled = request.form.get("enabled") in {"1", "on", "true"}
    app = service.update_provider_app(db.session, app_pk, enabled=enabled)
    db.session.commit()
    flash(f"Provider app “{app.name}” {'enabled' if enabled else 'disabled'}.", "success")
    return redirect(LIST_URL)


@bp.post(f"{LIST_URL}/<int:app_pk>/delete")
@platform_admin_required
def delete(app_pk: int):
    try:
        service.delete_provider_app(db.session, app_pk)
    except AppError as error:
        if error.code != "APP_IN_USE":
            raise
        db.session.rollback()
        flash(error.message, "error")
        return redirect(LIST_URL)
    db.session.commit()
    flash("Provider app deleted.", "success")
    return redirect(LIST_URL)
