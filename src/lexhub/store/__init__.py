"""Storage: one interface (`base.Store`), two engines, chosen by `open_store(url)`.

    open_store("lexhub.db")                        -> SQLite (a plain path)
    open_store("sqlite:///var/lexhub.db")          -> SQLite
    open_store("postgresql://user@host/db")        -> PostgreSQL (also postgres://)

Opening never creates tables: `store.migrate()` does (`lexhub init`). Opening a database
written by a newer lexhub raises SchemaTooNew.
"""

from __future__ import annotations

from lexhub.errors import StoreError
from lexhub.store.base import (
    SCHEMA_VERSION,
    BatchInfo,
    ExpungeResult,
    PreparedRecord,
    RecordState,
    RecordStatus,
    Store,
    StoredRecord,
    StoreStats,
    Transaction,
)
from lexhub.store.search import KeyProbe, MentionRow, Narrowing, RecordFilter, RecordRow

__all__ = [
    "SCHEMA_VERSION",
    "BatchInfo",
    "ExpungeResult",
    "KeyProbe",
    "Narrowing",
    "MentionRow",
    "RecordFilter",
    "RecordRow",
    "PreparedRecord",
    "RecordState",
    "RecordStatus",
    "Store",
    "StoreStats",
    "StoredRecord",
    "Transaction",
    "open_store",
]


def open_store(url: str) -> Store:
    """Open the database at `url`, picking the engine by scheme.

    Raises StoreError for an unknown scheme or a database that cannot be opened, and
    SchemaTooNew for a database whose schema is newer than this lexhub."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("postgresql", "postgres"):
        from lexhub.store.postgres import PostgresStore

        return PostgresStore(url)
    if scheme in ("", "sqlite"):
        from lexhub.store.sqlite import SqliteStore

        return SqliteStore(url)
    raise StoreError(
        f'unsupported database URL scheme "{scheme}://": use a file path, sqlite:///path '
        "or postgresql://..."
    )
