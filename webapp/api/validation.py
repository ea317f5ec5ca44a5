"""Request bodies and query strings validated with pydantic; failures become 422 VALIDATION_ERROR."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from flask import request
from pydantic import BaseModel, BeforeValidator, ValidationError

from webapp.errors import BadRequest, ValidationFailed

M = TypeVar("M", bound=BaseModel)

# Field renames of 2025-11-01: old names get a 422 that names the new one.
RENAMED_FIELDS = {"shop_id": "store_id", "shop_ids": "store_ids", "shops": "stores"}


def _not_bool(value: Any) -> Any:
    # pydantic's lax mode reads JSON true/false as 1/0; an id or a count sent as a boolean is a client bug.
    if isinstance(value, bool):
        raise ValueError("must be an integer, not a boolean")
    return value


JsonInt = Annotated[int, BeforeValidator(_not_bool)]


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        out.append({"field": loc, "message": err["msg"]})
    return out


def reject_renamed_fields(payload: Any) -> None:
    if not isinstance(payload, dict):
        return
    nested = payload.get("options") if isinstance(payload.get("options"), dict) else {}
    for old, new in RENAMED_FIELDS.items():
        if old in payload or old in nested:
            raise ValidationFailed(
                message=f"'{old}' was renamed to '{new}' on 2025-11-01; send '{new}' instead.",
                data=[{"field": old, "message": f"renamed to {new}"}],
            )
        if payload.get("scope") == old:
            # PRODUCT.md §2: the message names the new field, store_id, for the old `shops` scope too.
            raise ValidationFailed(
                message=f"The '{old}' scope was removed on 2025-11-01; stores are selected with 'store_id'.",
                data=[{"field": "scope", "message": f"'{old}' was renamed; use store_id"}],
            )


def json_body(required: bool = True) -> Any:
    """The parsed JSON body. Not JSON, or malformed JSON, is a 400 INVALID_JSON."""
    if not request.data and not required:
        return {}
    if not request.is_json:
        raise BadRequest("INVALID_JSON", "Request body must be JSON (Content-Type: application/json).")
    payload = request.get_json(silent=True)
    if payload is None:
        if request.get_data().strip() == b"null":  # valid JSON, just not an object
            raise ValidationFailed(message="Request body must be a JSON object.",
                                   data=[{"field": "body", "message": "must be an object"}])
        raise BadRequest("INVALID_JSON", "Request body is not valid JSON.")
    return payload


def parse_body(model: type[M], *, required: bool = True) -> M:
    payload = json_body(required=required)
    reject_renamed_fields(payload)
    if not isinstance(payload, dict):
        raise ValidationFailed(message="Request body must be a JSON object.",
                               data=[{"field": "body", "message": "must be an object"}])
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = _errors(exc)
        raise ValidationFailed(message="Request validation failed: " + "; ".join(
            f"{e['field']}: {e['message']}" for e in errors), data=errors) from None


def parse_query(model: type[M]) -> M:
    reject_renamed_fields(dict(request.args))
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        errors = _errors(exc)
        raise ValidationFailed(message="Invalid query parameters: " + "; ".join(
            f"{e['field']}: {e['message']}" for e in errors), data=errors) from None
