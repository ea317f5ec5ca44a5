"""No secret leaks from the TikTok client: every error path is triggered with a known app secret,
access token and auth_code, and none of them may appear in str(exc), repr(exc), the formatted
traceback, or anything logged (all loggers at DEBUG, httpx/httpcore included).

The sandbox produces the TikTok-side errors; a tiny misbehaving upstream (a real HTTP server in
this file) produces what the sandbox never does: HTML pages, missing envelopes, HTTP 5xx/429/418,
bad response shapes and error messages that echo the credentials back.
"""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask, Response, jsonify, request

from tests.fixtures.sandbox import SandboxServer
from webapp.providers.tiktok_business import (
    AuthCodeError,
    BadRequestError,
    PaginationError,
    PermissionDeniedError,
    RateLimitedError,
    TikTokClient,
    TikTokError,
    TokenInvalidError,
    TransientError,
)
from webapp.providers.tiktok_business.sandbox import create_sandbox_app, serve_in_thread

APP_ID = "7000000000000000042"
SECRET = "canary-secret-5f1e9a7c"
ADV1, ADV4 = "7400000000000000001", "7400000000000000004"
BC1, STORE1 = "7300000000000000001", "7494000000000000001"


def _upstream() -> Flask:
    app = Flask("misbehaving-upstream")
    prefix = "/open_api/v1.3"

    @app.route(f"{prefix}/echo/", methods=["GET", "POST"])
    def echo() -> Response:
        # Some gateways repeat what they were sent; the client must mask it.
        body = request.get_json(silent=True) or {}
        message = (f"token {request.headers.get('Access-Token')} rejected for secret "
                   f"{request.args.get('secret') or body.get('secret')} code {body.get('auth_code')}")
        return jsonify(code=40105, message=message, request_id="rid-echo", data={})

    @app.get(f"{prefix}/html/")
    def html() -> Response:
        return Response("<html><body>Bad gateway</body></html>", mimetype="text/html")

    @app.get(f"{prefix}/no_envelope/")
    def no_envelope() -> Response:
        return jsonify(result="ok")

    @app.get(f"{prefix}/status/<int:status>/")
    def status(status: int) -> Response:
        return Response("upstream says no", status=status, mimetype="text/plain")

    @app.get(f"{prefix}/oauth2/advertiser/get/")
    def bad_shape() -> Response:
        return jsonify(code=0, message="OK", request_id="rid-shape", data={"list": [{"advertiser_name": "x"}]})

    return app


@dataclass
class Env:
    sandbox: SandboxServer
    upstream_url: str
    token: str
    auth_code: str

    def client(self, token: str | None = None, **kwargs) -> TikTokClient:
        kwargs.setdefault("sleep", lambda s: None)
        return TikTokClient(self.sandbox.base_url, token if token is not None else self.token, **kwargs)

    def upstream(self, **kwargs) -> TikTokClient:
        return TikTokClient(self.upstream_url, self.token, max_retries=1, sleep=lambda s: None, **kwargs)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[SandboxServer, str]]:
    root_url, stop_sandbox = serve_in_thread(create_sandbox_app("small", app_id=APP_ID, secret=SECRET))
    upstream_root, stop_upstream = serve_in_thread(_upstream())
    server = SandboxServer(root_url, app_id=APP_ID, secret=SECRET)
    try:
        yield server, upstream_root + "/open_api/v1.3"
    finally:
        server._http.close()
        stop_sandbox()
        stop_upstream()


@pytest.fixture
def env(servers) -> Env:
    sandbox, upstream_url = servers
    sandbox.reset()
    return Env(sandbox, upstream_url, sandbox.issue_token(), sandbox.authorize())


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/open_api/v1.3"


def _use_code_twice(e: Env) -> None:
    e.client().exchange_auth_code(APP_ID, SECRET, e.auth_code)
    e.client().exchange_auth_code(APP_ID, SECRET, e.auth_code)


def _revoked(e: Env) -> None:
    e.sandbox.admin("POST", "tokens/revoke", {"access_token": e.token})
    e.client().get_authorized_advertisers(APP_ID, SECRET)


def _advertiser_qps(e: Env) -> None:
    e.sandbox.set_faults("advertiser_qps=1")
    client = e.client(max_retries=1)
    client.list_stores(ADV1)
    client.list_stores(ADV1)


def _timeout(e: Env) -> None:
    e.sandbox.set_faults("latency_ms=500")
    e.client(timeout=0.1, max_retries=1).get_authorized_advertisers(APP_ID, SECRET)


# name -> (trigger, expected exception class, expected code or None)
SCENARIOS: dict[str, tuple[Callable[[Env], object], type[TikTokError], int | None]] = {
    "exchange_wrong_secret": (
        lambda e: e.client().exchange_auth_code(APP_ID, SECRET + "-old", e.auth_code), AuthCodeError, 40101),
    "exchange_wrong_app": (lambda e: e.client().exchange_auth_code("123", SECRET, e.auth_code), AuthCodeError, 40113),
    "exchange_used_code": (_use_code_twice, AuthCodeError, 40110),
    "authorized_advertisers_wrong_secret": (
        lambda e: e.client().get_authorized_advertisers(APP_ID, SECRET + "-old"), AuthCodeError, 40101),
    "revoke_wrong_secret": (lambda e: e.client().revoke_token(APP_ID, SECRET + "-old", e.token), AuthCodeError, 40101),
    "revoked_token": (_revoked, TokenInvalidError, 40105),
    "no_permission": (lambda e: e.client(e.sandbox.issue_token([ADV4])).list_stores(ADV1), PermissionDeniedError,
                      40001),
    "missing_parameter": (lambda e: e.client().request("GET", "/store/list/", params={"secret": SECRET}),
                          BadRequestError, 40002),
    "rate_limited_exhausted": (
        lambda e: (e.sandbox.set_faults("fail_next=/oauth2/advertiser/get/:9:40100"),
                   e.client(max_retries=2).get_authorized_advertisers(APP_ID, SECRET)), RateLimitedError, 40100),
    "advertiser_qps_exhausted": (_advertiser_qps, RateLimitedError, 40133),
    "transient_exhausted": (
        lambda e: (e.sandbox.set_faults("fail_next=/oauth2/advertiser/get/:9:51010"),
                   e.client(max_retries=2).get_authorized_advertisers(APP_ID, SECRET)), TransientError, 51010),
    "pagination_inconsistent": (
        lambda e: (e.sandbox.set_faults("repeat_page=/store/product/get/:2"),
                   list(e.client().iter_store_products(bc_id=BC1, store_id=STORE1, advertiser_id=ADV1))),
        PaginationError, None),
    "timeout": (_timeout, TransientError, None),
    "connection_refused": (
        lambda e: TikTokClient(_closed_port_url(), e.token, max_retries=1, sleep=lambda s: None)
        .get_authorized_advertisers(APP_ID, SECRET), TransientError, None),
    "message_echoes_credentials": (
        lambda e: e.upstream().request("POST", "/echo/", body={"secret": SECRET, "auth_code": e.auth_code}),
        TokenInvalidError, 40105),
    "message_echoes_query_secret": (
        lambda e: e.upstream().request("GET", "/echo/", params={"app_id": APP_ID, "secret": SECRET}),
        TokenInvalidError, 40105),
    "html_instead_of_json": (
        lambda e: e.upstream().request("GET", "/html/", params={"secret": SECRET}), TransientError, None),
    "json_without_envelope": (
        lambda e: e.upstream().request("GET", "/no_envelope/", params={"secret": SECRET}), TransientError, None),
    "http_503": (lambda e: e.upstream().request("GET", "/status/503/", params={"secret": SECRET}),
                 TransientError, None),
    "http_429": (lambda e: e.upstream().request("GET", "/status/429/", params={"secret": SECRET}),
                 RateLimitedError, 40100),
    "http_418": (lambda e: e.upstream().request("GET", "/status/418/", params={"secret": SECRET}),
                 BadRequestError, None),
    "unexpected_response_shape": (lambda e: e.upstream().get_authorized_advertisers(APP_ID, SECRET),
                                  BadRequestError, None),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_error_paths_do_not_leak_secrets(env: Env, caplog: pytest.LogCaptureFixture, name: str) -> None:
    trigger, cls, code = SCENARIOS[name]
    caplog.set_level(logging.DEBUG)  # root: every library logger, httpx and httpcore included
    with pytest.raises(cls) as info:
        trigger(env)
    exc = info.value
    if code is not None:
        assert exc.code == code
    texts = {
        "str": str(exc),
        "repr": repr(exc),
        "traceback": "".join(traceback.format_exception(exc)),
        "attributes": repr(vars(exc)),
        "log": caplog.text,
        **{f"log record {i}": r.getMessage() for i, r in enumerate(caplog.records)},
    }
    assert caplog.records, "nothing was logged: the check would prove nothing"
    for secret in (SECRET, env.token, env.auth_code):
        leaks = [where for where, text in texts.items() if secret in text]
        assert not leaks, f"{secret[:6]}… leaked in {leaks}"


def test_httpx_request_log_masks_the_query_secret(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    assert env.client().get_authorized_advertisers(APP_ID, SECRET)
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("/oauth2/advertiser/get/?app_id=7000000000000000042&secret=***" in line for line in lines), lines


def test_client_repr_hides_the_token(env: Env) -> None:
    assert env.token not in repr(env.client()) and "token=set" in repr(env.client())
