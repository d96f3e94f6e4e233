"""The embedded engine: one SQLite file in WAL mode (see docs/storage.md)."""

from lexhub.store.sqlite.store import SqliteStore, sqlite_path

__all__ = ["SqliteStore", "sqlite_path"]
