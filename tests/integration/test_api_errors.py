"""The one error envelope: bad JSON, validation, size limit, wrong method, crashes, unknown routes; /meta."""

from __future__ import annotations

from tests.helpers import assert_error, bearer
from webapp import __version__


def test_meta_reports_the_app_version(client, make_app):
    response = client.get("/api/v1/meta")
    assert response.status_code == 200 and response.get_json() == {"app_version": __version__}
    assert make_app(APP_VERSION="9.9.9-test").test_client().get("/api/v1/meta").get_json() == {
        "app_version": "9.9.9-test"}


def test_invalid_json_is_400(client, factory):
    token = factory.token(factory.user())
    for raw in ("{", '{"name": }', "nul", ""):
        assert_error(client.post("/api/v1/auth/tokens", data=raw, content_type="application/json",
                                 headers=bearer(token)), 400, "INVALID_JSON")


def test_validation_errors_list_each_field(client, factory):
    token = factory.token(factory.user(platform_admin=True))
    error = assert_error(client.post("/api/v1/platform/workspaces", json={"name": ["a"], "owner_email": 12},
                                     headers=bearer(token)), 422, "VALIDATION_ERROR")
    assert sorted(e["field"] for e in error["data"]) == ["name", "owner_email"]
    assert all(e["message"] for e in error["data"])
    assert "name" in error["message"] and "owner_email" in error["message"]
    missing = assert_error(client.post("/api/v1/platform/workspaces", json={}, headers=bearer(token)),
                           422, "VALIDATION_ERROR")
    assert sorted(e["field"] for e in missing["data"]) == ["name", "owner_email"]
    not_object = assert_error(client.post("/api/v1/platform/workspaces", json=["name"], headers=bearer(token)),
                              422, "VALIDATION_ERROR")
    assert not_object["data"] == [{"field": "body", "message": "must be an object"}]


def test_oversized_body_is_413(client, factory, auth):
    user = factory.user()
    token = factory.token(user)
    big = '{"name": "' + "x" * (1024 * 1024) + '"}'
    assert_error(client.post("/api/v1/auth/tokens", data=big, content_type="application/json", headers=bearer(token)),
                 413, "PAYLOAD_TOO_LARGE")
    assert_error(client.post("/api/v1/auth/login", data=big, content_type="application/json"),
                 413, "PAYLOAD_TOO_LARGE")
    auth.login(user.email)
    assert_error(client.post("/api/v1/auth/tokens", data=big, content_type="application/json"),
                 413, "PAYLOAD_TOO_LARGE")
    # Just under the limit is parsed (and then validated).
    fits = '{"name": "' + "x" * (1024 * 1024 - 20) + '"}'
    assert_error(client.post("/api/v1/auth/tokens", data=fits, content_type="application/json", headers=bearer(token)),
                 422, "VALIDATION_ERROR")


def test_wrong_method_is_405_with_allow(client):
    for method, url, allow in (("put", "/api/v1/auth/login", "POST"), ("get", "/api/v1/auth/logout", "POST"),
                               ("delete", "/api/v1/meta", "GET"),
                               ("patch", "/api/v1/platform/workspaces", "GET, POST")):
        response = getattr(client, method)(url)
        assert_error(response, 405, "METHOD_NOT_ALLOWED")
        assert response.headers["Allow"] == allow


def test_unknown_api_routes_are_404(client, factory):
    token = factory.token(factory.user())
    for url in ("/api/v1/nope", "/api/v1/auth/tokens/not-a-number", "/api/v2/meta", "/api/v1/tenants/1/nope"):
        assert_error(client.get(url, headers=bearer(token)), 404, "NOT_FOUND")
    assert_error(client.delete("/api/v1/auth/tokens/abc", headers=bearer(token)), 404, "NOT_FOUND")


def test_unhandled_error_is_500_without_internals(make_app):
    app = make_app()

    @app.route("/api/v1/_test_boom")
    def _boom():
        raise RuntimeError("SELECT password_hash FROM users -- secret detail")

    response = app.test_client().get("/api/v1/_test_boom")
    error = assert_error(response, 500, "INTERNAL_ERROR")
    text = response.get_data(as_text=True)
    assert "SELECT" not in text and "secret detail" not in text and "Traceback" not in text
    assert error["data"] is None
