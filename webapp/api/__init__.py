"""The JSON API blueprint `/api/v1`. Area modules register their routes on `bp`."""

from __future__ import annotations

from importlib import import_module
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from webapp.auth.loading import bearer_token
from webapp.errors import AppError, NotFound
from webapp.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")

AREAS = ("auth", "meta", "members", "tokens", "platform", "provider_apps", "providers", "oauth", "sync", "mirror",
         "legacy")

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _same_origin(origin: str) -> bool:
    allowed = set(current_app.config["SETTINGS"].CORS_ORIGINS)
    own = f"{request.scheme}://{request.host}"
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" in allowed | {own}


@bp.before_request
def _json_write_csrf_rule():
    """Session-cookie writes (and the JSON login) must be JSON and, with an Origin header, come from
    an allowed origin. Bearer requests carry no ambient credentials and need neither (PRODUCT.md §1)."""
    if request.method not in UNSAFE_METHODS or bearer_token():
        return None
    if not (current_user.is_authenticated or request.endpoint == "api.auth_login"):
        return None  # the view answers 401
    if not request.is_json:
        raise AppError("UNSUPPORTED_MEDIA_TYPE",
                       "Writes with a session cookie must be sent as Content-Type: application/json.", status=415)
    origin = request.headers.get("Origin")
    if origin and not _same_origin(origin):
        raise AppError("CSRF_FAILED", "Cross-origin write refused.", status=403)
    return None


CATCH_ALL_ENDPOINTS = {"api._unknown_route", "_api_outside_v1"}


def _methods_of_real_route() -> list[str]:
    """Methods a real route accepts at this path. The catch-all below also matches a known path called
    with the wrong method, so without this check such calls would be a 404 instead of a 405."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in sorted(UNSAFE_METHODS | {"GET"}):
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint not in CATCH_ALL_ENDPOINTS:
            allowed.append(method)
    return allowed


@bp.route("/<path:_unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def _unknown_route(_unknown: str):
    allowed = _methods_of_real_route()
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise NotFound(message="The requested API route does not exist.")


def register_api(app: Flask) -> None:
    for area in AREAS:
        import_module(f"webapp.api.{area}")
    csrf.exempt(bp)
    app.register_blueprint(bp)

    @app.route("/api/", defaults={"_rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    @app.route("/api/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def _api_outside_v1(_rest: str):
        raise NotFound(message="The requested API route does not exist.")

    csrf.exempt(_api_outside_v1)
