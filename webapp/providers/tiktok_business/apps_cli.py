"""`flask ttb apps add|list`: provider apps from the command line (INTERFACES.md)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.errors import AppError
from webapp.extensions import db

apps_group = AppGroup("apps", help="TikTok developer apps (provider apps) bindings are made with.")


@apps_group.command("add")
@click.option("--app-id", required=True, help="TikTok developer app id.")
@click.option("--secret", required=True, help="The app secret (stored encrypted).")
@click.option("--redirect-uri", required=True, help="Must match a redirect URL configured at TikTok.")
@click.option("--name", default=None, help="A readable name (default: 'TikTok app <app id>').")
@click.option("--disabled", is_flag=True, default=False, help="Add it disabled.")
def apps_add(app_id: str, secret: str, redirect_uri: str, name: str | None, disabled: bool) -> None:
    """Add a provider app and print its id."""
    from webapp.providers.provider_apps import create_provider_app

    try:
        app = create_provider_app(db.session, app_id=app_id, secret=secret, redirect_uri=redirect_uri, name=name,
                                  enabled=not disabled)
        db.session.commit()
    except AppError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.code}: {error.message}") from None
    click.echo(app.id)


@apps_group.command("list")
def apps_list() -> None:
    """List provider apps (the secret is never shown)."""
    from webapp.providers.provider_apps import binding_counts, list_provider_apps

    counts = binding_counts(db.session)
    for app in list_provider_apps(db.session):
        state = "enabled" if app.enabled else "disabled"
        click.echo(f"{app.id}\t{app.app_id}\t{state}\tbindings={counts.get(app.id, 0)}\t{app.name}\t{app.redirect_uri}")
