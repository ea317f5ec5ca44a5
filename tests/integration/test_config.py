"""Configuration fails fast with a message naming the variable; secrets are required outside dev; CORS."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.conftest import PASSWORD
from tests.helpers import assert_error
from webapp import create_app
from webapp.config import ConfigError

PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("name", "value"), [
    ("COOKIE_MAX_AGE", "abc"),
    ("COOKIE_MAX_AGE", "5"),
    ("COOKIE_SECURE", "maybe"),
    ("COOKIE_SAMESITE", "bogus"),
    ("CRYPTO_KEYS", "notakey"),
    ("TTB_QPS", "0"),
    ("TTB_QPS", "fast"),
    ("TTB_HTTP_TIMEOUT", "-1"),
    ("PRODUCT_SYNC_COOLDOWN_SECONDS", "-5"),
    ("CORS_ORIGINS", '["https://a.example", 3]'),
    ("CORS_ORIGINS", "[not json"),
    ("TTB_API_BASE_URL", "ftp://example.com"),
    ("DATABASE_URL", "postgresql://db/gmv"),
    ("REDIS_URL", "http://127.0.0.1:6379"),
])
def test_bad_values_stop_the_app_naming_the_variable(base_config, name, value):
    with pytest.raises(ConfigError, match=name):
        create_app({**base_config, name: value})


def test_bad_values_from_the_environment(base_config, monkeypatch):
    monkeypatch.setenv("TTB_QPS", "0")
    config = {k: v for k, v in base_config.items() if k != "TTB_QPS"}
    with pytest.raises(ConfigError, match="TTB_QPS"):
        create_app(config)
    monkeypatch.setenv("TTB_QPS", "2.5")
    monkeypatch.setenv("COOKIE_SAMESITE", "STRICT")
    settings = create_app(config).config["SETTINGS"]
    assert settings.TTB_QPS == 2.5 and settings.COOKIE_SAMESITE == "Strict"


def test_samesite_none_needs_secure_cookies(base_config):
    with pytest.raises(ConfigError, match="COOKIE_SAMESITE"):
        create_app({**base_config, "COOKIE_SAMESITE": "none", "COOKIE_SECURE": "false"})


# Runs create_app() in a clean process whose project root (for .env and instance/) is an empty
# directory, so a developer's .env or generated instance keys cannot make the test pass or fail.
START_SCRIPT = """
import sys, pathlib
import webapp.config as config
config.PROJECT_ROOT = config.PACKAGE_DIR = pathlib.Path(sys.argv[1])
from webapp import create_app
try:
    app = create_app()
except config.ConfigError as error:
    print(f"ConfigError: {error}")
    sys.exit(3)
print("started dev=%s" % app.config["SETTINGS"].DEV_MODE)
"""


def _start(root: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "HOME": str(root), "PYTHONPATH": str(PROJECT), **env}
    return subprocess.run([sys.executable, "-c", START_SCRIPT, str(root)], cwd=root, env=clean,
                          capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_secrets(tmp_path):
    key = Fernet.generate_key().decode()
    no_secret = _start(tmp_path, CRYPTO_KEYS=key)
    assert no_secret.returncode == 3 and "SECRET_KEY" in no_secret.stdout, no_secret.stdout + no_secret.stderr
    no_keys = _start(tmp_path, SECRET_KEY="s" * 40)
    assert no_keys.returncode == 3 and "CRYPTO_KEYS" in no_keys.stdout, no_keys.stdout + no_keys.stderr
    bad_key = _start(tmp_path, SECRET_KEY="s" * 40, CRYPTO_KEYS=f"{key},notakey")
    assert bad_key.returncode == 3 and "CRYPTO_KEYS" in bad_key.stdout
    both = _start(tmp_path, SECRET_KEY="s" * 40, CRYPTO_KEYS=key)
    assert both.returncode == 0 and "started dev=False" in both.stdout, both.stdout + both.stderr
    # Nothing was generated for production.
    assert not (tmp_path / "instance" / "secret_key").exists()
    assert not (tmp_path / "instance" / "crypto_key").exists()


def test_env_file_supplies_the_secrets(tmp_path):
    (tmp_path / ".env").write_text(f"SECRET_KEY={'e' * 40}\nCRYPTO_KEYS={Fernet.generate_key().decode()}\n")
    started = _start(tmp_path)
    assert started.returncode == 0 and "started dev=False" in started.stdout, started.stdout + started.stderr


def test_dev_mode_generates_keys_into_instance(tmp_path):
    started = _start(tmp_path, GMV_DEMO="1")
    assert started.returncode == 0 and "started dev=True" in started.stdout, started.stdout + started.stderr
    secret = (tmp_path / "instance" / "secret_key").read_text().strip()
    crypto_key = (tmp_path / "instance" / "crypto_key").read_text().strip()
    Fernet(crypto_key.encode())
    assert secret and secret != crypto_key
    assert oct((tmp_path / "instance" / "secret_key").stat().st_mode & 0o777) == "0o600"
    # A restart keeps them.
    assert _start(tmp_path, GMV_DEMO="1").returncode == 0
    assert (tmp_path / "instance" / "secret_key").read_text().strip() == secret


@pytest.mark.parametrize("raw", ["https://a.example, https://b.example", '["https://a.example", "https://b.example"]'])
def test_cors_origins_forms(make_app, raw):
    app = make_app(CORS_ORIGINS=raw)
    assert app.config["SETTINGS"].CORS_ORIGINS == ("https://a.example", "https://b.example")


def _preflight(client, origin: str):
    return client.options("/api/v1/auth/tokens", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type, Authorization"})


def test_cors_preflight_and_credentials(make_app, factory):
    app = make_app(CORS_ORIGINS="https://a.example,https://b.example")
    client = app.test_client()
    allowed = _preflight(client, "https://b.example")
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://b.example"
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]

    refused = _preflight(client, "https://evil.example")
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert "Access-Control-Allow-Credentials" not in refused.headers

    simple = client.get("/api/v1/meta", headers={"Origin": "https://a.example"})
    assert simple.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/meta",
                                                           headers={"Origin": "https://evil.example"}).headers

    # The same list is what the JSON-write rule accepts as an Origin for cookie sessions.
    user = factory.user()
    assert client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD},
                       headers={"Origin": "https://a.example"}).status_code == 200
    assert client.post("/api/v1/auth/tokens", json={"name": "x"},
                       headers={"Origin": "https://a.example"}).status_code == 201
    assert_error(client.post("/api/v1/auth/tokens", json={"name": "x"}, headers={"Origin": "https://evil.example"}),
                 403, "CSRF_FAILED")


def test_no_cors_headers_without_configured_origins(client):
    response = _preflight(client, "https://a.example")
    assert "Access-Control-Allow-Origin" not in response.headers
