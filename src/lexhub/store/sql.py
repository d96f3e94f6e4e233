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

import json
import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from typing import Any

from lexhub.errors import LexhubError, SchemaTooNew, StoreError
from lexhub.model import Agency, AgencyKind, Contact, record_from_dict
from lexhub.store.base import (
    SCHEMA_VERSION,
    BatchInfo,
    PreparedRecord,
    RecordStatus,
    StoredRecord,
    StoreStats,
    Transaction,
)
from lexhub.store.migrate import load_migrations
from lexhub.store.rows import COLUMNS, build_index_rows, mention_count
from lexhub.store.transaction import SqlTransaction

__all__ = ["SqlStore"]

log = logging.getLogger(__name__)

CHUNK = 500  # ids per IN (...) list: well under both engines' parameter limits


class SqlStore:
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
            raise SchemaTooNew(
                f"database schema version {found} is newer than this lexhub "
                f"({SCHEMA_VERSION}); upgrade lexhub"
            )

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
        """Apply the missing migrations, each with its bookkeeping row, in one transaction;
        a concurrent `migrate` waits for the lock and then finds nothing to do."""
        migrations = load_migrations(self.engine)
        if self._tx is not None:
            raise StoreError("migrate() cannot run inside a transaction")
        with self._errors("migration"):
            try:
                self._x(self._begin_sql)
                self._lock_for_migration()
                self._x(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                    " name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                row = self._x("SELECT max(version) FROM schema_migrations").fetchone()
                current = int(row[0] or 0)
                if current > SCHEMA_VERSION:
                    raise SchemaTooNew(
                        f"database schema version {current} is newer than this lexhub "
                        f"({SCHEMA_VERSION}); upgrade lexhub"
                    )
                for mig in migrations:
                    if mig.version > current:
                        self._run_script(mig.sql)
                        self._x(
                            "INSERT INTO schema_migrations (version, name, applied_at) "
                            "VALUES (?, ?, ?)",
                            (mig.version, mig.name, datetime.now(UTC).isoformat()),
                        )
                        log.info(
                            "%s: applied migration %04d_%s", self.engine, mig.version, mig.name
                        )
                self._x("COMMIT")
            except BaseException:
                self._rollback_quietly()
                raise
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

    _AGENCY_COLS = "id, name, state, kind, time_zone, contact_unit, contact_phone, contact_email"

    @staticmethod
    def _agency(row: Sequence[Any]) -> Agency:
        return Agency(
            row[0], row[1], row[2], AgencyKind(row[3]), row[4], Contact(row[5], row[6], row[7])
        )

    def get_agency(self, agency_id: str) -> Agency | None:
        with self._errors("read"):
            row = self._x(
                f"SELECT {self._AGENCY_COLS} FROM agencies WHERE id = ?", (agency_id,)
            ).fetchone()
        return None if row is None else self._agency(row)

    def list_agencies(self) -> list[Agency]:
        with self._errors("read"):
            rows = self._x(f"SELECT {self._AGENCY_COLS} FROM agencies ORDER BY id").fetchall()
        return [self._agency(r) for r in rows]

    _VERSION_SELECT = (
        "SELECT r.id, r.owner, r.source_id, r.status, v.version, v.digest, v.loaded_at,"
        " v.batch_id, v.content FROM records r JOIN record_versions v ON v.record_id = r.id"
    )

    def _stored(self, row: Sequence[Any]) -> StoredRecord:
        content = row[8]
        if isinstance(content, str):
            content = json.loads(content)
        return StoredRecord(
            record_id=int(row[0]),
            owner=row[1],
            source_id=row[2],
            status=RecordStatus(row[3]),
            version=int(row[4]),
            digest=row[5],
            loaded_at=_as_datetime(row[6]),
            batch_id=row[7],
            record=None if content is None else record_from_dict(content),
        )

    def get_record(
        self, owner: str, source_id: str, version: int | None = None
    ) -> StoredRecord | None:
        """The current version, or the given one; `record` is None once expunged."""
        with self._errors("read"):
            row = self._x(
                self._VERSION_SELECT + " AND v.version = COALESCE(?, r.version)"
                " WHERE r.owner = ? AND r.source_id = ?",
                (version, owner, source_id),
            ).fetchone()
        return None if row is None else self._stored(row)

    def record_history(self, owner: str, source_id: str) -> list[StoredRecord]:
        """Every version, oldest first; empty if the record is unknown."""
        with self._errors("read"):
            rows = self._x(
                self._VERSION_SELECT + " WHERE r.owner = ? AND r.source_id = ? ORDER BY v.version",
                (owner, source_id),
            ).fetchall()
        return [self._stored(r) for r in rows]

    def batch(self, batch_id: str) -> BatchInfo | None:
        with self._errors("read"):
            row = self._x(
                "SELECT id, owner, source, status, started_at, finished_at, counts"
                " FROM batches WHERE id = ?",
                (batch_id,),
            ).fetchone()
        if row is None:
            return None
        counts = row[6]
        if isinstance(counts, str):
            counts = json.loads(counts)
        started = _as_datetime(row[4])
        assert started is not None
        return BatchInfo(
            row[0], row[1], row[2], row[3], started, _as_datetime(row[5]), dict(counts or {})
        )

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

    # -- shared writes ----------------------------------------------------------------

    def _write_records(self, batch_id: str, records: Sequence[PreparedRecord]) -> None:
        """New records get fresh ids, known ones their next version; index rows of the
        known ones are replaced. Every table is then filled with one bulk call."""
        now = self._ts(datetime.now(UTC))
        current = self._current_versions(records)
        gone = [k for k, (_, _, status) in current.items() if status == RecordStatus.EXPUNGED]
        if gone:
            raise StoreError(f"record {gone[0][0]}/{gone[0][1]} is expunged; it may not be written")
        self._delete_index_rows([rid for rid, _, _ in current.values()])

        new = [p for p in records if p.record.key not in current]
        new_ids = iter(self._allocate_ids("records", len(new)))
        items: list[tuple[int, int, PreparedRecord]] = []
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        for p in records:
            r = p.record
            known = current.get(r.key)
            rid, version = (next(new_ids), 1) if known is None else (known[0], known[1] + 1)
            items.append((rid, version, p))
            head = (r.type.value, version, p.digest, r.sensitivity.value, self._date(r.occurred))
            if known is None:
                inserts.append((rid, r.owner, r.source_id, head[0], "active", *head[1:],
                                batch_id, now))  # fmt: skip
            else:
                updates.append((*head, batch_id, now, rid))
        self._many(
            "UPDATE records SET type = ?, status = 'active', version = ?, digest = ?,"
            " sensitivity = ?, occurred = ?, batch_id = ?, updated_at = ? WHERE id = ?",
            updates,
        )
        mention_ids = iter(self._allocate_ids("mentions", mention_count(records)))
        rows = build_index_rows(items, mention_ids, batch_id, now, self._content)
        self._submit(
            [
                ("records", inserts),
                ("record_versions", rows.versions),
                ("mentions", rows.mentions),
                ("mention_keys", rows.mention_keys),
                ("record_keys", rows.record_keys),
                ("narratives", rows.narratives),
            ]
        )

    def _current_versions(
        self, records: Sequence[PreparedRecord]
    ) -> dict[tuple[str, str], tuple[int, int, str]]:
        """(owner, source_id) -> (id, version, status) of the records already known."""
        by_owner: dict[str, list[str]] = {}
        for p in records:
            by_owner.setdefault(p.record.owner, []).append(p.record.source_id)
        out: dict[tuple[str, str], tuple[int, int, str]] = {}
        for owner, sids in by_owner.items():
            for sid, rid, status, version, _ in self._lookup(owner, sids):
                out[(owner, sid)] = (int(rid), int(version), status)
        return out

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

    def _delete_index_rows(self, record_ids: Sequence[int]) -> None:
        """Drop the mentions, keys and narrative of these records (caller translates errors)."""
        for start in range(0, len(record_ids), CHUNK):
            part = tuple(record_ids[start : start + CHUNK])
            marks = ",".join("?" * len(part))
            keys = [
                (kind, key, mention_id)
                for mention_id, listed in self._x(
                    f"SELECT id, keys FROM mentions WHERE record_id IN ({marks})", part
                ).fetchall()
                for kind, key in json.loads(listed)
            ]
            self._many(
                "DELETE FROM mention_keys WHERE kind = ? AND key = ? AND mention_id = ?", keys
            )
            self._x(f"DELETE FROM mentions WHERE record_id IN ({marks})", part)
            self._x(f"DELETE FROM record_keys WHERE record_id IN ({marks})", part)
            self._x(f"DELETE FROM narratives WHERE {self._narrative_id} IN ({marks})", part)

    # -- engine hooks -----------------------------------------------------------------

    _begin_sql = "BEGIN"
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


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
