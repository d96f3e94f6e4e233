"""SQLite engine: connection settings, bulk inserts, FTS5 narratives and compaction.

Durability: WAL journal with `synchronous=FULL`, so a transaction is on disk (WAL fsynced)
before COMMIT returns; a crash or power cut loses no acknowledged batch. Writers take the
lock at BEGIN (`BEGIN IMMEDIATE`) so two writers queue instead of failing halfway; readers
are never blocked by a writer (WAL snapshots). `secure_delete=ON` zeroes deleted content in
the file, and `compact()` checkpoints and truncates the WAL so expunged bytes leave disk.

A SqliteStore holds one connection and MUST be used by one thread at a time.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from lexhub.errors import StoreError
from lexhub.store.sql import SqlStore

__all__ = ["SqliteStore", "sqlite_path"]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 60_000  # a big batch holds the writer lock; wait for it rather than fail
CACHE_KIB = 256 * 1024

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    f"PRAGMA cache_size = -{CACHE_KIB}",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA wal_autocheckpoint = 16384",
    # Keys are already normalized; a case-sensitive LIKE lets `key LIKE 'ab%'` use the
    # (kind, key) primary keys of mention_keys and record_keys.
    "PRAGMA case_sensitive_like = ON",
)


def sqlite_path(url: str) -> str:
    """`sqlite:///rel.db` -> `rel.db`, `sqlite:////abs/x.db` -> `/abs/x.db`, a plain
    path as it is (the SQLAlchemy convention)."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    if url.lower().startswith("sqlite:"):
        raise StoreError(f'"{url}" is not a SQLite URL: write sqlite:///path or a plain path')
    return url


class SqliteStore(SqlStore):
    engine = "sqlite"
    _driver_error = sqlite3.Error
    _begin_sql = "BEGIN IMMEDIATE"
    # SQLite keeps the left table of CROSS JOIN as the outer loop (its documented hint).
    _driving_join = "CROSS JOIN"
    _narrative_id = "rowid"

    def __init__(self, url: str) -> None:
        self.path = sqlite_path(url)
        if not self.path or self.path == ":memory:":
            raise StoreError("sqlite: a database file path is required (no in-memory stores)")
        if os.path.isdir(self.path):
            raise StoreError(f"sqlite: {self.path} is a directory, not a database file")
        super().__init__(url)

    def _connect(self) -> Any:
        # isolation_level=None: the module never opens transactions behind our back;
        # `transaction()` issues BEGIN IMMEDIATE / COMMIT / ROLLBACK itself.
        # check_same_thread=False: the store's writer thread runs bulk inserts; the store
        # guarantees the connection is never used by two threads at once.
        conn = sqlite3.connect(
            self.path,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        try:
            for pragma in _PRAGMAS:
                conn.execute(pragma)
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        except sqlite3.Error:
            conn.close()
            raise
        if mode != "wal":
            conn.close()
            raise StoreError(f"sqlite: {self.path} cannot use WAL (journal mode is {mode})")
        return conn

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(sql, rows)

    def _has_table(self, name: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    def _run_script(self, sql: str) -> None:
        # executescript() would COMMIT the open transaction first; run statement by statement.
        for statement in _statements(sql):
            self._conn.execute(statement)

    def _ts(self, when: datetime) -> Any:
        return when.isoformat()

    def _date(self, day: date | None) -> Any:
        return None if day is None else day.isoformat()

    def _allocate_ids(self, table: str, n: int) -> list[int]:
        # The writer lock is held since BEGIN IMMEDIATE: nobody else can take these ids.
        start = int(self._conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0])
        return list(range(start + 1, start + n + 1))

    def _insert_many(self, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
        marks = ",".join("?" * len(rows[0]))
        self._db.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    def _text_match(self, text: str) -> tuple[str, str, list[Any]]:
        # Each word quoted: FTS5 query syntax (NEAR, -, *, column filters) in what an
        # investigator types must not change the meaning or raise a syntax error.
        words = re.findall(r"\w+", text)
        query = " ".join(f'"{w}"' for w in words) or '""'
        return (
            "JOIN (SELECT rowid AS rid, -bm25(narratives) AS rank FROM narratives"
            " WHERE narratives MATCH ?) t ON t.rid = r.id",
            "t.rank",
            [query],
        )

    def _size_bytes(self) -> int | None:
        page = self._conn.execute("PRAGMA page_size").fetchone()[0]
        pages = self._conn.execute("PRAGMA page_count").fetchone()[0]
        wal = self.path + "-wal"
        return int(page) * int(pages) + (os.path.getsize(wal) if os.path.exists(wal) else 0)

    def compact(self) -> None:
        """Make expunged content leave the files: merge the FTS5 index (deleted terms
        otherwise survive in old segments), then checkpoint the WAL into the database
        and truncate it. secure_delete has already zeroed freed pages and cells.
        Raises StoreError if another connection keeps the checkpoint from completing."""
        if self._tx is not None:
            raise StoreError("compact() cannot run inside a transaction")
        with self._errors("compact"):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute("INSERT INTO narratives (narratives) VALUES ('optimize')")
                self._conn.execute("COMMIT")
            except BaseException:
                self._rollback_quietly()
                raise
            busy, _, _ = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise StoreError(
                "sqlite: the WAL could not be checkpointed because other connections are "
                "reading; run compaction again when they have finished"
            )
        log.info("sqlite: compacted %s", os.path.basename(self.path))


def _statements(script: str) -> list[str]:
    """Split a migration into statements with sqlite3.complete_statement, so semicolons
    inside strings or comments do not cut a statement."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in buf.splitlines()
    ):
        raise StoreError("sqlite: a migration ends with an incomplete statement")
    return out
