"""``flask ttb sandbox``: run the TikTok API sandbox as its own server."""

from __future__ import annotations

import click
from werkzeug.serving import run_simple

from .app import create_sandbox_app


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8600, show_default=True, type=int)
@click.option("--dataset", default="small", show_default=True, help="small, demo, large or a JSON file path")
@click.option("--faults", default=None, help='e.g. "rate_limit_qps=5,error_rate=0.1,latency_ms=50"')
@click.option("--app-id", default="7000000000000000001", show_default=True)
@click.option("--secret", default="sandbox-secret", show_default=True)
def sandbox_command(host: str, port: int, dataset: str, faults: str | None, app_id: str, secret: str) -> None:
    """Run the local TikTok API for Business sandbox."""
    try:
        app = create_sandbox_app(dataset, app_id=app_id, secret=secret, faults=faults)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    click.echo(f"TikTok sandbox: API http://{host}:{port}/open_api/v1.3  portal http://{host}:{port}/portal "
               f"(dataset={dataset}, app_id={app_id})")
    run_simple(host, port, app, threaded=True, use_reloader=False)
