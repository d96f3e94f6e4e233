"""PostgreSQL engine: psycopg 3, COPY for bulk rows, tsvector and pg_trgm, VACUUM.

Durability: the server's `fsync` and `synchronous_commit` MUST be on (checked and
logged at open); one transaction per batch, so COMMIT returning means the batch is in
the server's WAL on disk. The connection runs in autocommit mode and lexhub issues
BEGIN/COMMIT itself, so reads outside `transaction()` never leave a transaction open.

A PostgresStore holds one connection and MUST be used by one thread at a time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import psycopg

from lexhub.errors import StoreError
from lexhub.store.sql import SqlStore

__all__ = ["PostgresStore", "redact"]

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10
# Tables whose dead rows may hold erased content after an expunge.
VACUUMED = ("record_versions", "narratives", "mentions", "mention_keys", "record_keys", "records")
_MIGRATION_LOCK = 0x6C6578687562  # "lexhub": one migrating session at a time


def redact(url: str) -> str:
    """The URL with any password replaced, for messages and logs."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


class PostgresStore(SqlStore):
    engine = "postgres"
    _driver_error = psycopg.Error

    def _connect(self) -> Any:
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.Error as e:
            raise StoreError(f"postgres: cannot connect to {redact(self.url)}: {e}") from e
        settings: dict[str, str] = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings"
                " WHERE name IN ('fsync', 'synchronous_commit')"
            ).fetchall()
        )
        if settings.get("fsync") != "on" or settings.get("synchronous_commit") == "off":
            log.warning(
                "postgres: fsync=%s synchronous_commit=%s: committed batches may be lost"
                " on a crash",
                settings.get("fsync"),
                settings.get("synchronous_commit"),
            )
        return conn

    def _q(self, sql: str) -> str:
        return _placeholders(sql)

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        # psycopg 3 pipelines executemany: one network round trip for all rows.
        with self._conn.cursor() as cur:
            cur.executemany(sql, rows)

    def _has_table(self, name: str) -> bool:
        row = self._conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()
        return row[0] is not None

    def _lock_for_migration(self) -> None:
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))

    def _run_script(self, sql: str) -> None:
        self._conn.execute(sql.encode("utf-8"))  # no parameters: the simple query protocol

    def _allocate_ids(self, table: str, n: int) -> list[int]:
        if n == 0:
            return []
        rows = self._conn.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            (table, n),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def _insert_many(self, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._db.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)

    def _lookup(self, owner: str, source_ids: Sequence[str]) -> list[tuple[Any, ...]]:
        # A LATERAL probe per id: inside a long batch transaction the planner has no
        # statistics for the rows it just wrote and would scan all of the owner's
        # records for an IN list; an equality on the whole unique key it never scans.
        rows: list[tuple[Any, ...]] = self._conn.execute(
            "SELECT r.source_id, r.id, r.status, r.version, r.digest"
            " FROM unnest(%s::text[]) AS s(sid) CROSS JOIN LATERAL"
            " (SELECT * FROM records WHERE owner = %s AND source_id = s.sid) AS r",
            (list(source_ids), owner),
        ).fetchall()
        return rows

    def _text_match(self, text: str) -> tuple[str, str, list[Any]]:
        return (
            "JOIN (SELECT n.record_id AS rid, ts_rank(n.tsv, tq) AS rank"
            " FROM narratives n, plainto_tsquery('english', ?) tq WHERE n.tsv @@ tq) t"
            " ON t.rid = r.id",
            "t.rank",
            [text],
        )

    def _size_bytes(self) -> int | None:
        row = self._conn.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
            " WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace"
        ).fetchone()
        return None if row[0] is None else int(row[0])

    def compact(self) -> None:
        """VACUUM the tables that held erased content, so dead row versions (and their
        TOAST chunks) are removed and no query, index scan or page inspection by SQL
        finds them. Freed space is reused, not zeroed; see docs/storage.md for what
        remains (free space in data files, WAL segments, backups) and VACUUM FULL."""
        if self._tx is not None:
            raise StoreError("compact() cannot run inside a transaction")
        with self._errors("compact"):
            self._conn.execute(("VACUUM (ANALYZE) " + ", ".join(VACUUMED)).encode("utf-8"))
        log.info("postgres: vacuumed %d tables", len(VACUUMED))


def _placeholders(sql: str) -> str:
    return sql.replace("?", "%s")
