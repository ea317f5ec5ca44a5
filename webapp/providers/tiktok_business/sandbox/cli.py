"""``flask ttb sandbox``: run the TikTok API sandbox as its own server."""

from __future__ import annotations

import click

from .app import create_sandbox_app
from .datasets import DatasetError
from .faults import FaultSpecError
from .server import serve_foreground


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8600, show_default=True, type=click.IntRange(0, 65535), help="0 = any free port")
@click.option("--dataset", default="small", show_default=True,
              help="small, demo, large or the path of a JSON dataset file (format: sandbox/datasets.py)")
@click.option("--faults", default=None,
              help='e.g. "rate_limit_qps=5,advertiser_qps=2,error_rate=0.1,latency_ms=50" (keys: sandbox/faults.py)')
@click.option("--app-id", default="7000000000000000001", show_default=True)
@click.option("--secret", default="sandbox-secret", show_default=True)
def sandbox_command(host: str, port: int, dataset: str, faults: str | None, app_id: str, secret: str) -> None:
    """Run the local TikTok API for Business sandbox."""
    # A typo is reported against its option (usage error, exit 2), not as a traceback.
    try:
        app = create_sandbox_app(dataset, app_id=app_id, secret=secret, faults=faults)
    except FaultSpecError as exc:
        raise click.BadParameter(str(exc), param_hint="'--faults'") from None
    except DatasetError as exc:
        raise click.BadParameter(str(exc), param_hint="'--dataset'") from None

    def ready(root_url: str) -> None:
        click.echo(f"TikTok sandbox: API {root_url}/open_api/v1.3  portal {root_url}/portal "
                   f"(dataset={dataset}, app_id={app_id})")

    serve_foreground(app, host, port, on_ready=ready)
