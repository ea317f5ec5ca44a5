"""Run a WSGI app (the sandbox) on a background thread; used by tests and the demo."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    # Access logs would print query strings, which carry app secrets on some endpoints.
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def serve_in_thread(app: Flask, host: str = "127.0.0.1", port: int = 0) -> tuple[str, Callable[[], None]]:
    """Start ``app`` on a threaded werkzeug server; return (root_url, shutdown).

    ``port=0`` picks a free port. root_url has no trailing slash; the API base is
    ``root_url + "/open_api/v1.3"`` and the portal is ``root_url + "/portal"``.
    """
    server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="ttb-sandbox", daemon=True)
    thread.start()

    def shutdown() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://{host}:{server.server_port}", shutdown
