"""The login page and the JSON login draw on one failure budget per account."""

from tests.helpers import assert_error


def test_page_and_api_failures_share_the_account_budget(client, factory):
    user = factory.user()
    for _ in range(3):
        response = client.post("/login", data={"email": user.email, "password": "wrong-password"})
        assert response.status_code == 401
    for _ in range(2):
        assert_error(client.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong-password"}),
                     401, "INVALID_CREDENTIALS")
    # Five failures in all: both doors are now locked for this account, even with the right password.
    assert_error(client.post("/api/v1/auth/login", json={"email": user.email, "password": "correct horse battery"}),
                 429, "RATE_LIMITED")
    page = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert page.status_code == 429
    assert "Too many failed attempts. Try again in" in page.get_data(as_text=True)
