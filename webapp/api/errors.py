"""Error handlers: the JSON envelope under /api (and for JSON callers), an error page elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp.errors import AppError

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "AUTH_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _render(error: AppError):
    if wants_json():
        response = jsonify(error.to_envelope())
    else:
        if error.status == 401:
            flash("Please log in to continue.", "info")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        response = make_response(render_template("error.html", error=error))
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(error: AppError):
        return _render(error)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return _render(AppError("CSRF_FAILED", "The form expired or the CSRF token is missing; reload the page "
                                "and try again.", status=403))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        code = HTTP_CODES.get(status, "HTTP_ERROR")
        message = {
            404: "The requested resource was not found.",
            413: "Request body is too large.",
            429: "Too many requests; slow down and try again later.",
        }.get(status, error.description or error.name)
        headers = {}
        if status == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        if status == 429 and getattr(error, "retry_after", None):
            headers["Retry-After"] = str(error.retry_after)
        return _render(AppError(code, message, status=status, headers=headers))

    @app.errorhandler(Exception)
    def _unhandled(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        from webapp.extensions import db

        db.session.rollback()
        return _render(AppError("INTERNAL_ERROR", "An internal error occurred.", status=500))
