"""Flask app of the TikTok API sandbox: the API routes, the OAuth portal and /_sandbox admin."""

from __future__ import annotations

import html
import itertools
import threading
import time
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, abort, jsonify, redirect, request

from . import admin
from .api import ENDPOINTS, ApiError, Ctx, parse_params
from .faults import MESSAGES
from .state import SandboxState

API_PREFIX = "/open_api/v1.3"

_rid_counter = itertools.count(1)
_rid_lock = threading.Lock()


def _request_id() -> str:
    with _rid_lock:
        n = next(_rid_counter)
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + f"{n:017d}"


def envelope(code: int = 0, message: str = "OK", data: dict[str, Any] | None = None) -> Response:
    return jsonify({"code": code, "message": message, "request_id": _request_id(),
                    "data": data if code == 0 and data is not None else {}})


def create_sandbox_app(
    dataset: str = "small",
    *,
    app_id: str = "7000000000000000001",
    secret: str = "sandbox-secret",
    faults: str | None = None,
) -> Flask:
    app = Flask(__name__)
    state = SandboxState(dataset, app_id, secret, faults)
    app.extensions["ttb_sandbox"] = state

    @app.route(f"{API_PREFIX}/<path:subpath>", methods=["GET", "POST"])
    def api(subpath: str) -> Response:
        return handle_api(state, "/" + subpath)

    @app.get("/portal/auth")
    def portal_page() -> Any:
        return portal(state)

    @app.post("/portal/auth")
    def portal_submit() -> Any:
        return portal(state)

    admin.register(app, state)
    return app


def handle_api(state: SandboxState, path: str) -> Response:
    ep = ENDPOINTS.get(path)
    if ep is None:
        abort(404)  # unknown path or missing trailing slash: plain HTTP 404, as TikTok
    if request.method != ep.method:
        abort(405)
    state.stats.record(path)
    code, message, data = 0, "OK", None
    try:
        fault = state.faults.before_request(path, state.clock.monotonic)
        if fault:
            raise ApiError(fault, MESSAGES.get(fault, "System error."))
        data = _dispatch(state, path, ep)
    except ApiError as exc:
        code, message = exc.code, exc.message
    state.stats.record_code(path, code)
    return envelope(code, message, data)


def _dispatch(state: SandboxState, path: str, ep: Any) -> dict[str, Any]:
    if ep.method == "GET":
        raw = {k: request.args.getlist(k) for k in request.args}
        params = parse_params(ep, raw, from_query=True)
    else:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ApiError(40002, "Request body must be a JSON object.")
        params = parse_params(ep, body, from_query=False)
    token = None
    if ep.needs_token:
        header = request.headers.get("Access-Token")
        if not header:
            raise ApiError(40104, "Access token is null, you should set it in http header with key Access-Token.")
        token = state.tokens.get(header)
        if token is None or token.revoked:
            raise ApiError(40105, "Access token is incorrect or has been revoked.")
    advertiser_id = params.get("advertiser_id")
    if advertiser_id:
        # TikTok's per-advertiser, per-path quota (40133), on top of the app-wide one (40100).
        limited = state.faults.advertiser_limit(path, advertiser_id, state.clock.monotonic())
        if limited:
            raise ApiError(40133, limited)
    ctx = Ctx(state, params, token, path)
    if not ep.max_page_size:
        return ep.handler(ctx)
    page = params["page"]
    faults = state.faults
    fail = faults.page_fault(path, page)
    if fail:
        raise ApiError(fail, MESSAGES.get(fail, "System error."))
    if page > 1 and faults.page_shape("repeat_page", path, page):
        ctx.params = {**params, "page": page - 1}  # the server ignores the page we asked for
        return ep.handler(ctx)
    data = ep.handler(ctx)
    if page > 1 and faults.page_shape("duplicate_page", path, page):
        prev = ep.handler(Ctx(state, {**params, "page": page - 1}, token, path))
        list_key = next(k for k, v in data.items() if isinstance(v, list))
        if data[list_key] and prev[list_key]:
            data[list_key][0] = prev[list_key][-1]
    if faults.page_shape("total_drift", path, page):
        data["page_info"]["total_number"] += 1
    return data


# The sandbox is its own Flask app without Talisman (no CSP header), so a <style> block is fine here; it only
# has to look like a consent screen a person can read and answer (Authorize or Deny).
_PORTAL_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Authorize - TikTok sandbox</title>
<style>
body {{ margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #161823;
  background: #f1f1f2; }}
.panel {{ max-width: 420px; width: calc(100% - 2rem); margin: 4rem auto; padding: 2rem; background: #fff;
  border-radius: 12px; box-shadow: 0 10px 30px rgba(0, 0, 0, .08); }}
.logo {{ font-weight: 700; letter-spacing: .02em; margin: 0 0 1.25rem; }} .logo span {{ color: #fe2c55; }}
h1 {{ font-size: 1.3rem; margin: 0 0 .75rem; }}
p {{ margin: 0 0 1rem; color: #3d3f4a; }}
.note {{ font-size: .85rem; color: #73757f; }}
.buttons {{ display: flex; gap: .75rem; margin-top: 1.5rem; }}
button {{ flex: 1; padding: .7rem 1rem; border-radius: 6px; font: inherit; font-weight: 600; cursor: pointer; }}
#authorize {{ background: #fe2c55; color: #fff; border: 1px solid #fe2c55; }}
#deny {{ background: #fff; color: #161823; border: 1px solid #d0d1d6; }}
</style></head>
<body><main class="panel">
<p class="logo">TikTok <span>for Business</span> · sandbox</p>
<h1>Authorize {app_id}</h1>
<p>The app <b>{app_id}</b> asks to manage your ad accounts ({n} available).</p>
<p class="note">This is the fake TikTok of the GMV Backend sandbox; nothing leaves this machine.</p>
<form method="post" action="/portal/auth">{hidden}
<div class="buttons">
<button type="submit" id="authorize" name="decision" value="authorize">Authorize</button>
<button type="submit" id="deny" name="decision" value="deny">Deny</button>
</div>
</form></main></body></html>"""


def portal(state: SandboxState) -> Any:
    form = request.values
    app_id, redirect_uri, st = form.get("app_id", ""), form.get("redirect_uri", ""), form.get("state", "")
    if app_id != state.app_id:
        return Response("Unknown app_id", status=400, mimetype="text/plain")
    if not redirect_uri.startswith(("http://", "https://")):
        return Response("redirect_uri missing or invalid", status=400, mimetype="text/plain")
    subset = form.get("advertiser_ids")
    advertiser_ids = [a for a in subset.split(",") if a] if subset else None
    if request.method == "GET" and form.get("auto_approve") != "1":
        keep = {k: form[k] for k in ("app_id", "redirect_uri", "state", "advertiser_ids") if k in form}
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in keep.items()
        )
        return Response(_PORTAL_HTML.format(app_id=html.escape(app_id), hidden=hidden,
                                            n=len(state.reachable(advertiser_ids))), mimetype="text/html")
    sep = "&" if "?" in redirect_uri else "?"
    if form.get("decision") == "deny":  # what TikTok does when the person refuses: no code, an error
        return redirect(redirect_uri + sep + urlencode({"error": "access_denied", "error_description":
                                                        "The user denied the authorization.", "state": st}), code=302)
    code = state.issue_code(advertiser_ids)
    return redirect(redirect_uri + sep + urlencode({"auth_code": code, "code": code, "state": st}), code=302)
