"""Versioned schema migrations: `migrations/<engine>/NNNN_name.sql`, applied in order.

Rules (also in docs/storage.md): a migration file is never edited once released; a change
is a new file with the next number, for BOTH engines, and `SCHEMA_VERSION` in base.py
is raised to match. Each applied file is recorded in `schema_migrations`, inside the same
transaction as its statements, so a failed upgrade leaves the previous version intact.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING

from lexhub.errors import SchemaTooNew, StoreError
from lexhub.store.base import SCHEMA_VERSION

if TYPE_CHECKING:
    from lexhub.store.sql import SqlStore

__all__ = ["Migration", "apply_migrations", "load_migrations", "too_new"]

log = logging.getLogger(__name__)

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


def too_new(found: int) -> SchemaTooNew:
    return SchemaTooNew(
        f"database schema version {found} is newer than this lexhub ({SCHEMA_VERSION}); "
        "upgrade lexhub"
    )


def apply_migrations(store: SqlStore) -> None:
    """Apply the missing migrations, each with its bookkeeping row, in ONE transaction, so
    a failure leaves the previous version; a concurrent run waits for the engine's lock
    and then finds nothing to do. Raises SchemaTooNew, StoreError."""
    migrations = load_migrations(store.engine)
    with store._errors("migration"):
        try:
            store._x(store._begin_sql)
            store._lock_for_migration()
            store._x(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            current = int(store._x("SELECT max(version) FROM schema_migrations").fetchone()[0] or 0)
            if current > SCHEMA_VERSION:
                raise too_new(current)
            for mig in migrations:
                if mig.version > current:
                    store._run_script(mig.sql)
                    store._x(
                        "INSERT INTO schema_migrations (version, name, applied_at)"
                        " VALUES (?, ?, ?)",
                        (mig.version, mig.name, datetime.now(UTC).isoformat()),
                    )
                    log.info("%s: applied migration %04d_%s", store.engine, mig.version, mig.name)
            store._x("COMMIT")
        except BaseException:
            store._rollback_quietly()
            raise
