"""Placeholder: being written in parallel; replaced by the real module."""

import click


@click.command()
def rotate_command() -> None:
    raise click.ClickException("not built yet")
