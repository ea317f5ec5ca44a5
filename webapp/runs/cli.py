"""Placeholder: being written in parallel; replaced by the real module."""

import click


@click.command("scheduler")
def scheduler_command() -> None:
    raise click.ClickException("not built yet")


@click.command("sync")
def sync_command() -> None:
    raise click.ClickException("not built yet")


@click.command("worker")
def worker_command() -> None:
    raise click.ClickException("not built yet")
