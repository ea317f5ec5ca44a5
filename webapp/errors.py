"""Application errors. Services raise these; the API renders them as the one JSON envelope
`{"error": {"code", "message", "data"}}` and the pages render them as an error page."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status: int = 400
    code: str = "BAD_REQUEST"
    message: str = "Bad request."

    def __init__(self, code: str | None = None, message: str | None = None, *, data: Any = None,
                 status: int | None = None, headers: dict[str, str] | None = None) -> None:
        self.code = code or self.code
        self.message = message or self.message
        self.data = data
        if status is not None:
            self.status = status
        self.headers = headers or {}
        super().__init__(self.message)

    def to_envelope(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "data": self.data}}


class BadRequest(AppError):
    status, code, message = 400, "BAD_REQUEST", "Bad request."


class AuthRequired(AppError):
    status, code, message = 401, "AUTH_REQUIRED", "Authentication required."


class Forbidden(AppError):
    status, code, message = 403, "FORBIDDEN", "Forbidden."


class NotFound(AppError):
    status, code, message = 404, "NOT_FOUND", "Not found."


class Conflict(AppError):
    status, code, message = 409, "CONFLICT", "Conflict."


class Gone(AppError):
    status, code, message = 410, "GONE", "Gone."


class ValidationFailed(AppError):
    status, code, message = 422, "VALIDATION_ERROR", "Request validation failed."


class RateLimited(AppError):
    status, code, message = 429, "RATE_LIMITED", "Too many requests."


class ServiceUnavailable(AppError):
    status, code, message = 503, "SERVICE_NOT_READY", "Service not ready."


def field_error(field: str, message: str) -> ValidationFailed:
    """A 422 for one bad field, in the same `data` shape pydantic failures use."""
    return ValidationFailed(message=f"{field}: {message}", data=[{"field": field, "message": message}])
