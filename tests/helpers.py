"""Small assertion helpers shared by tests."""

from __future__ import annotations

from typing import Any


def assert_error(response, status: int, code: str) -> dict[str, Any]:
    """The response is the one error envelope with this status and code; returns the error object."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    body = response.get_json()
    assert body is not None and set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
