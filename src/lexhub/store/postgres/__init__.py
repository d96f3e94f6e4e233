"""The production engine: PostgreSQL through psycopg 3 (see docs/storage.md)."""

from lexhub.store.postgres.store import PostgresStore, redact

__all__ = ["PostgresStore", "redact"]
