"""`flask keys rotate`: re-encrypt every secret at rest under the first key of CRYPTO_KEYS.

Rotation procedure: put the new key first in CRYPTO_KEYS (keep the old ones after it), run this
command, then drop the old keys. Values are read and written as raw ciphertext (the column is
type-coerced to Text) so the ORM type never decrypts or double-encrypts them."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import Table, Text, select, type_coerce

from webapp.extensions import db
from webapp.models import Base
from webapp.security import crypto
from webapp.security.crypto import EncryptedText


def encrypted_columns() -> list[tuple[Table, str]]:
    """Every (table, column) stored as EncryptedText, found from the models so new ones are never missed."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                found.append((table, column.name))
    return found


def rotate_all(connection) -> dict[str, int]:
    """Re-encrypt all values; returns {"table.column": count}. Raises RuntimeError naming the row when a
    value cannot be decrypted with any configured key (nothing is written then: one transaction)."""
    counts: dict[str, int] = {}
    for table, name in encrypted_columns():
        pk = list(table.primary_key.columns)
        raw = type_coerce(table.c[name], Text)
        rows = connection.execute(select(*pk, raw.label("value")).where(table.c[name].is_not(None))).all()
        for row in rows:
            try:
                rotated = crypto.rotate(row.value)
            except Exception as exc:  # noqa: BLE001 - InvalidToken and malformed values alike
                ids = ", ".join(f"{c.name}={getattr(row, c.name)}" for c in pk)
                raise RuntimeError(f"{table.name}.{name} ({ids}) cannot be decrypted with CRYPTO_KEYS") from exc
            where = [c == getattr(row, c.name) for c in pk]
            connection.execute(table.update().where(*where).values({name: type_coerce(rotated, Text)}))
        counts[f"{table.name}.{name}"] = len(rows)
    return counts


@click.command("rotate")
@with_appcontext
def rotate_command() -> None:
    """Re-encrypt every secret (provider app secrets, binding tokens) under the first CRYPTO_KEYS key."""
    try:
        with db.engine.begin() as connection:
            counts = rotate_all(connection)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    for column, count in counts.items():
        click.echo(f"{column}: {count}")
    click.echo(f"Rotated {sum(counts.values())} encrypted value(s) under the first key of CRYPTO_KEYS.")
