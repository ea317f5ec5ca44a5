"""Flask CLI commands (INTERFACES.md). Commands are thin: parse options, call a service, print."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from webapp.errors import AppError
from webapp.extensions import db

users_cli = AppGroup("users", help="Manage users.")
workspaces_cli = AppGroup("workspaces", help="Manage workspaces and their members.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")
ttb_cli = AppGroup("ttb", help="TikTok API for Business: provider apps, sandbox, syncs.")
keys_cli = AppGroup("keys", help="Encryption keys for secrets at rest.")


def fail(error: AppError) -> None:
    db.session.rollback()
    raise click.ClickException(f"{error.code}: {error.message}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", default="")
@click.option("--username", default=None)
@click.option("--platform-admin", is_flag=True, default=False)
def users_create(email: str, password: str, name: str, username: str | None, platform_admin: bool) -> None:
    """Create a user and print its id."""
    from webapp.tenancy import create_user

    try:
        user = create_user(db.session, email=email, password=password, name=name, username=username,
                           platform_admin=platform_admin)
        db.session.commit()
    except AppError as error:
        fail(error)
    click.echo(user.id)


@workspaces_cli.command("create")
@click.option("--name", required=True)
@click.option("--owner", "owner_email", required=True, help="Email of an existing user.")
def workspaces_create(name: str, owner_email: str) -> None:
    """Create a workspace owned by OWNER and print its id."""
    from webapp.tenancy import create_workspace, get_user_by_email

    try:
        workspace = create_workspace(db.session, name=name, owner=get_user_by_email(db.session, owner_email))
        db.session.commit()
    except AppError as error:
        fail(error)
    click.echo(workspace.id)


@workspaces_cli.command("add-member")
@click.argument("workspace_id", type=int)
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "member"]), default="member", show_default=True)
def workspaces_add_member(workspace_id: int, email: str, role: str) -> None:
    """Add an existing user to a workspace."""
    from webapp.models import Workspace
    from webapp.tenancy import add_member

    if db.session.get(Workspace, workspace_id) is None:
        raise click.ClickException(f"WORKSPACE_NOT_FOUND: no workspace {workspace_id}")
    try:
        add_member(db.session, workspace_id, email=email, role=role)
        db.session.commit()
    except AppError as error:
        fail(error)
    click.echo(f"added {email} to workspace {workspace_id} as {role}")


@tokens_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="cli")
def tokens_create(email: str, name: str) -> None:
    """Create an API token; the token is printed once, as the last line."""
    from webapp.auth.sessions import create_api_token
    from webapp.tenancy import get_user_by_email

    try:
        user = get_user_by_email(db.session, email)
        _, token = create_api_token(db.session, user, name, key=current_app.config["SECRET_KEY"])
        db.session.commit()
    except AppError as error:
        fail(error)
    click.echo(f"API token for {user.email} (shown once):")
    click.echo(token)


def _register_optional_commands() -> None:
    """Commands whose implementation lives with its area (sandbox, apps, sync, keys, worker, demo)."""
    from webapp.demo import demo_command
    from webapp.providers.tiktok_business.apps_cli import apps_group
    from webapp.providers.tiktok_business.sandbox.cli import sandbox_command
    from webapp.runs.cli import scheduler_command, sync_command, worker_command
    from webapp.security.keys_cli import rotate_command

    ttb_cli.add_command(sandbox_command, "sandbox")
    ttb_cli.add_command(apps_group, "apps")
    ttb_cli.add_command(sync_command, "sync")
    keys_cli.add_command(rotate_command, "rotate")
    for command in (worker_command, scheduler_command, demo_command):
        extra_commands.append(command)


extra_commands: list[click.Command] = []


def init_app(app: Flask) -> None:
    _register_optional_commands()
    for group in (users_cli, workspaces_cli, tokens_cli, ttb_cli, keys_cli, *extra_commands):
        app.cli.add_command(group)
