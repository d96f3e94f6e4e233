"""Versioned schema migrations: `migrations/<engine>/NNNN_name.sql`, applied in order.

Rules (also in docs/storage.md): a migration file is never edited once released; a change
is a new file with the next number, for BOTH engines, and `SCHEMA_VERSION` in base.py
is raised to match. Each applied file is recorded in `schema_migrations`, inside the same
transaction as its statements, so a failed upgrade leaves the previous version intact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from lexhub.errors import StoreError
from lexhub.store.base import SCHEMA_VERSION

__all__ = ["Migration", "load_migrations"]

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(engine: str) -> list[Migration]:
    """The engine's migrations in order. Raises StoreError if the files are not numbered
    1..SCHEMA_VERSION without gaps (a packaging mistake, caught before touching a database)."""
    folder = resources.files("lexhub.store") / "migrations" / engine
    found: list[Migration] = []
    for entry in folder.iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda mig: mig.version)
    versions = [mig.version for mig in found]
    if versions != list(range(1, SCHEMA_VERSION + 1)):
        raise StoreError(
            f"{engine} migrations are numbered {versions}, expected 1..{SCHEMA_VERSION}"
        )
    return found
