"""Run a WSGI app (the sandbox) on a werkzeug server: on a background thread (tests, demo) or in
the foreground (``flask ttb sandbox``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    # Access logs would print query strings, which carry app secrets on some endpoints.
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class _PathOnlyHandler(WSGIRequestHandler):
    """Access log without the query string (``secret=`` travels in GET queries)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.log("info", '"%s %s" %s %s', self.command, urlsplit(self.path).path, code, size)


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


def serve_foreground(app: Flask, host: str, port: int, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve ``app`` until interrupted, logging requests without their query strings."""
    server = make_server(host, port, app, threaded=True, request_handler=_PathOnlyHandler)
    if on_ready is not None:
        on_ready(f"http://{host}:{server.server_port}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
