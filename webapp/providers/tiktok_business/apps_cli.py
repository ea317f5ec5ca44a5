"""Placeholder: being written in parallel."""

import click


@click.group("apps")
def apps_group() -> None:
    """Provider apps."""
