"""What both engines share: transactions, error translation, migrations and common SQL.

Engine classes (`sqlite/`, `postgres/`) only connect, run engine-specific SQL (bulk
writes, full text, compaction) and convert values. Shared SQL is written with `?`
placeholders; `_q` rewrites them for the engine. Every driver error leaves this module
as `StoreError(...) from e`, so core code never sees sqlite3 or psycopg.

A Store holds ONE connection and MUST be used by one thread at a time, with at most one
open transaction; open another Store for another thread or process.

Bulk inserts run behind the caller: `write_records` does its lookups, deletions and id
allocation at once, then hands the inserts to the store's single writer thread and returns,
so the caller can normalize the next chunk while the database works (the GIL is released
while the driver waits on the database). Every later use of the connection first waits for
that write and raises its error, so the caller sees the same order and the same errors as
if the write had been synchronous, only at the next call (at the latest at `commit()`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from typing import Any

from lexhub.errors import LexhubError, StoreError
from lexhub.model import Agency, Scope, SearchKey
from lexhub.store import search as search_sql
from lexhub.store.associates_sql import AssociatesSqlMixin
from lexhub.store.audit_sql import AuditSqlMixin
from lexhub.store.base import (
    SCHEMA_VERSION,
    BatchInfo,
    PreparedRecord,
    StoredRecord,
    StoreStats,
    Transaction,
)
from lexhub.store.federation_sql import FederationSqlMixin
from lexhub.store.identity_sql import IdentitySqlMixin
from lexhub.store.linkage_sql import LinkageSqlMixin
from lexhub.store.linkage_update_sql import LinkageUpdateSqlMixin
from lexhub.store.migrate import apply_migrations, too_new
from lexhub.store.policy_sql import PolicySqlMixin
from lexhub.store.reads import (
    AGENCY_COLUMNS,
    BATCH_SELECT,
    VERSION_SELECT,
    agency_from_row,
    batch_from_row,
    stored_from_row,
)
from lexhub.store.rows import COLUMNS
from lexhub.store.search import KeyProbe, MentionRow, Narrowing, RecordFilter, RecordRow
from lexhub.store.session_sql import SessionSqlMixin
from lexhub.store.transaction import SqlTransaction
from lexhub.store.writes import write_records

__all__ = ["SqlStore"]

log = logging.getLogger(__name__)

CHUNK = 500  # ids per IN (...) list: well under both engines' parameter limits


class SqlStore(
    PolicySqlMixin,
    IdentitySqlMixin,
    AuditSqlMixin,
    FederationSqlMixin,
    LinkageSqlMixin,
    LinkageUpdateSqlMixin,
    SessionSqlMixin,
    AssociatesSqlMixin,
):
    """Base of both engines. Subclasses set `engine`, `_driver_error`, and implement the
    hooks at the bottom of this class."""

    engine: str = ""
    _driver_error: type[Exception] = Exception
    _db: Any  # the connection; use `_conn`, which first waits for a pending write

    def __init__(self, url: str) -> None:
        self.url = url
        self._tx: SqlTransaction | None = None
        self._closed = False
        self._writer: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None
        with self._errors("open"):
            self._db = self._connect()
        try:
            found = self.schema_version()
        except BaseException:
            self.close()
            raise
        if found > SCHEMA_VERSION:
            self.close()
            raise too_new(found)

    # -- life cycle -------------------------------------------------------------------

    @property
    def _conn(self) -> Any:
        self._drain()
        return self._db

    def _drain(self) -> None:
        """Wait for the write in flight, if any; its driver error becomes StoreError here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            with self._errors("write_records"):
                pending.result()

    def _drain_quietly(self) -> None:
        try:
            self._drain()
        except StoreError as e:  # being rolled back or closed anyway
            log.warning("%s: pending write failed: %s", self.engine, type(e.__cause__).__name__)

    def _submit(self, inserts: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
        """Run the inserts on the writer thread, in order (parents before children)."""
        self._drain()
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix=f"lexhub-{self.engine}")
        self._pending = self._writer.submit(self._run_inserts, inserts)

    def _run_inserts(self, inserts: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
        for table, rows in inserts:
            if rows:
                columns = COLUMNS[table].format(narrative_id=self._narrative_id)
                self._insert_many(table, columns, rows)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._drain_quietly()
            if self._writer is not None:
                self._writer.shutdown()
            try:
                self._db.close()
            except self._driver_error as e:  # closing must not hide the error that led here
                log.warning("%s: error while closing: %s", self.engine, type(e).__name__)

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Translate driver errors; lexhub's own errors pass through untouched."""
        try:
            yield
        except LexhubError:
            raise
        except self._driver_error as e:
            raise StoreError(f"{self.engine} {doing} failed: {e}".strip()) from e

    def _x(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(self._q(sql), params)

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._executemany(self._q(sql), rows)

    # -- schema -----------------------------------------------------------------------

    def schema_version(self) -> int:
        with self._errors("schema check"):
            if not self._has_table("schema_migrations"):
                return 0
            row = self._x("SELECT max(version) FROM schema_migrations").fetchone()
            return int(row[0] or 0)

    def migrate(self) -> int:
        """Create or upgrade the schema to SCHEMA_VERSION (idempotent); see migrate.py."""
        if self._tx is not None:
            raise StoreError("migrate() cannot run inside a transaction")
        apply_migrations(self)
        return SCHEMA_VERSION

    # -- transactions -----------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[Transaction]:
        return self._transaction()

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        if self._tx is not None:
            raise StoreError("a transaction is already open on this store (one at a time)")
        with self._errors("begin"):
            self._x(self._begin_sql)
        tx = SqlTransaction(self)
        self._tx = tx
        try:
            yield tx
        finally:
            self._tx = None
            tx.closed = True
            if not tx.committed:
                self._rollback_quietly()

    def _commit(self) -> None:
        with self._errors("commit"):
            self._x("COMMIT")

    def _rollback_quietly(self) -> None:
        self._drain_quietly()
        try:
            self._x("ROLLBACK")
        except self._driver_error as e:  # e.g. the connection is gone: nothing to undo
            log.warning("%s: rollback failed: %s", self.engine, type(e).__name__)

    @contextmanager
    def _reading(self, doing: str) -> Iterator[None]:
        """Several SELECTs that must agree: one read transaction unless one is open."""
        with self._errors(doing):
            if self._tx is not None:
                yield
                return
            self._x("BEGIN")
            try:
                yield
            finally:
                self._rollback_quietly()

    # -- reads ------------------------------------------------------------------------

    def get_agency(self, agency_id: str) -> Agency | None:
        with self._errors("read"):
            row = self._x(
                f"SELECT {AGENCY_COLUMNS} FROM agencies WHERE id = ?", (agency_id,)
            ).fetchone()
        return None if row is None else agency_from_row(row)

    def list_agencies(self) -> list[Agency]:
        with self._errors("read"):
            rows = self._x(f"SELECT {AGENCY_COLUMNS} FROM agencies ORDER BY id").fetchall()
        return [agency_from_row(r) for r in rows]

    def get_record(
        self, owner: str, source_id: str, version: int | None = None
    ) -> StoredRecord | None:
        """The current version, or the given one; `record` is None once expunged."""
        with self._errors("read"):
            row = self._x(
                VERSION_SELECT + " AND v.version = COALESCE(?, r.version)"
                " WHERE r.owner = ? AND r.source_id = ?",
                (version, owner, source_id),
            ).fetchone()
        return None if row is None else stored_from_row(row)

    def record_history(self, owner: str, source_id: str) -> list[StoredRecord]:
        """Every version, oldest first; empty if the record is unknown."""
        with self._errors("read"):
            rows = self._x(
                VERSION_SELECT + " WHERE r.owner = ? AND r.source_id = ? ORDER BY v.version",
                (owner, source_id),
            ).fetchall()
        return [stored_from_row(r) for r in rows]

    def batch(self, batch_id: str) -> BatchInfo | None:
        with self._errors("read"):
            row = self._x(BATCH_SELECT, (batch_id,)).fetchone()
        return None if row is None else batch_from_row(row)

    def stats(self) -> StoreStats:
        """Counts for `lexhub stats`; `records_by_owner_type` counts ACTIVE records."""
        with self._reading("stats"):

            def one(sql: str) -> int:
                return int(self._x(sql).fetchone()[0])

            by_status = {
                s: int(n)
                for s, n in self._x("SELECT status, count(*) FROM records GROUP BY status")
            }
            by_owner_type = {
                (o, t): int(n)
                for o, t, n in self._x(
                    "SELECT owner, type, count(*) FROM records WHERE status = 'active'"
                    " GROUP BY owner, type"
                )
            }
            return StoreStats(
                agencies=one("SELECT count(*) FROM agencies"),
                records_by_status=by_status,
                records_by_owner_type=by_owner_type,
                versions=one("SELECT count(*) FROM record_versions"),
                mentions=one("SELECT count(*) FROM mentions"),
                keys=one("SELECT count(*) FROM mention_keys")
                + one("SELECT count(*) FROM record_keys"),
                batches=one("SELECT count(*) FROM batches"),
                size_bytes=self._size_bytes(),
            )

    # -- search -----------------------------------------------------------------------

    def data_version(self) -> str:
        """Changes whenever a batch starts or finishes: search caches (the spelling
        vocabulary) are rebuilt when it does."""
        with self._errors("read"):
            row = self._x(
                "SELECT count(*), max(started_at), max(finished_at) FROM batches"
            ).fetchone()
        return "|".join(str(v) for v in row)

    def key_counts(self, keys: Sequence[SearchKey], cap: int) -> dict[SearchKey, int]:
        with self._errors("search"):
            return search_sql.key_counts(self, keys, cap)

    def key_values(self, kind: str) -> list[str]:
        with self._errors("search"):
            return search_sql.key_values(self, kind)

    def find_mentions(
        self,
        probes: Sequence[KeyProbe],
        scope: Scope,
        limit: int,
        narrowing: Narrowing | None = None,
    ) -> list[tuple[int, float]]:
        with self._errors("search"):
            return search_sql.find_mentions(self, probes, scope, limit, narrowing)

    def mention_rows(self, ids: Sequence[int]) -> list[MentionRow]:
        with self._errors("search"):
            return search_sql.mention_rows(self, ids)

    def record_keys_of(
        self, record_ids: Sequence[int], kinds: Sequence[str]
    ) -> dict[int, list[SearchKey]]:
        with self._errors("search"):
            return search_sql.record_keys_of(self, record_ids, kinds)

    def find_records(
        self, rf: RecordFilter, scope: Scope, limit: int, offset: int = 0
    ) -> tuple[list[RecordRow], int]:
        with self._reading("search"):
            return search_sql.find_records(self, rf, scope, limit, offset)

    def refresh_statistics(self) -> None:
        """Let the engine's planner see the data after a large load: PostgreSQL ANALYZE of
        the index tables (a server with autovacuum off never analyzes them, and its plans
        for key lookups then go wrong by orders of magnitude); SQLite `PRAGMA optimize`."""
        if self._tx is not None:
            raise StoreError("refresh_statistics() cannot run inside a transaction")
        with self._errors("statistics"):
            if self.engine == "postgres":
                self._x("ANALYZE records, mentions, mention_keys, record_keys, narratives")
            else:
                self._x("PRAGMA optimize")

    def _text_match(self, text: str) -> tuple[str, str, list[Any]]:
        """(JOIN clause over narratives as `t` on t.rid = r.id, relevance expression,
        parameters) for records whose narrative matches every word of `text`."""
        raise NotImplementedError

    # -- shared writes ----------------------------------------------------------------

    def _write_records(self, batch_id: str, records: Sequence[PreparedRecord]) -> None:
        write_records(self, batch_id, records)

    def _lookup(self, owner: str, source_ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """(source_id, id, status, version, digest) of the known ones among `source_ids`,
        one unique-index probe per id."""
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(source_ids), CHUNK):
            part = source_ids[start : start + CHUNK]
            rows += self._x(
                "SELECT source_id, id, status, version, digest FROM records"
                f" WHERE owner = ? AND source_id IN ({','.join('?' * len(part))})",
                (owner, *part),
            ).fetchall()
        return rows

    # -- engine hooks -----------------------------------------------------------------

    _begin_sql = "BEGIN"
    _driving_join = "JOIN"  # a join whose left side stays the outer loop (SQLite: CROSS JOIN)
    _narrative_id = "record_id"  # the narratives column holding records.id

    def _connect(self) -> Any:
        raise NotImplementedError

    def _q(self, sql: str) -> str:
        return sql

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def _has_table(self, name: str) -> bool:
        raise NotImplementedError

    def _lock_for_migration(self) -> None:
        """Hold the lock that makes concurrent migrations run one after the other."""

    def _run_script(self, sql: str) -> None:
        raise NotImplementedError

    def _ts(self, when: datetime) -> Any:
        return when

    def _date(self, day: date | None) -> Any:
        return day

    def _allocate_ids(self, table: str, n: int) -> list[int]:
        """`n` unused ids for `table` (records or mentions), inside the open transaction."""
        raise NotImplementedError

    def _insert_many(self, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows with `self._db` (runs on the writer thread: never `self._conn`)."""
        raise NotImplementedError

    def _content(self, canonical: str) -> Any:
        """A version's content as the engine's column takes it (canonical JSON text)."""
        return canonical

    def _size_bytes(self) -> int | None:
        return None

    def compact(self) -> None:
        raise NotImplementedError
