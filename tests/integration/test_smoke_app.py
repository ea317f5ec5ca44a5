from tests.helpers import assert_error


def test_healthz_and_unknown_api_route(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert_error(client.get("/api/v1/nope"), 404, "NOT_FOUND")
    assert_error(client.get("/api/nope"), 404, "NOT_FOUND")


def test_readyz_checks_database_redis_and_migrations(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}
