"""Small assertion helpers shared by tests."""

from __future__ import annotations

import time
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


def load_run(app, run_id: int):
    """The SyncRun row as it is now, detached so it can be read outside the app context."""
    from webapp.extensions import db
    from webapp.models import SyncRun

    with app.app_context():
        run = db.session.get(SyncRun, run_id)
        db.session.expunge(run)
        return run


def wait_until(predicate, timeout: float = 90.0, interval: float = 0.2):
    """Poll `predicate` until it returns something truthy (returned) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not reached")
