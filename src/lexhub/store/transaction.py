"""The Transaction of both engines: writes and consistent reads on the store's connection.

Writes that differ per engine (the bulk record write) are delegated to the store;
the rest is shared SQL. Index rows exist only for ACTIVE records, so retraction and
expungement delete them, and writing a new version replaces them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from lexhub.errors import NotFound, StoreError
from lexhub.model import Agency
from lexhub.store.base import ExpungeResult, PreparedRecord, RecordState, RecordStatus
from lexhub.store.rows import as_packed
from lexhub.store.writes import delete_index_rows

if TYPE_CHECKING:
    from lexhub.store.sql import SqlStore

__all__ = ["SqlTransaction"]

log = logging.getLogger(__name__)

_CHUNK = 500


class SqlTransaction:
    """One open database transaction. Use only inside `with store.transaction()`."""

    def __init__(self, store: SqlStore) -> None:
        self._s = store
        self.committed = False
        self.closed = False
        self._batch_owner: dict[str, str] = {}

    def _check_open(self) -> None:
        if self.closed or self.committed:
            raise StoreError("the transaction is no longer open (committed or left)")

    def commit(self) -> None:
        """Make everything written durable. After commit the transaction is finished."""
        self._check_open()
        self._s._commit()
        self.committed = True

    # -- agencies ---------------------------------------------------------------------

    def put_agency(self, agency: Agency) -> None:
        self._check_open()
        c = agency.contact
        with self._s._errors("put_agency"):
            self._s._x(
                "INSERT INTO agencies (id, name, state, kind, time_zone, contact_unit,"
                " contact_phone, contact_email) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET name = excluded.name, state = excluded.state,"
                " kind = excluded.kind, time_zone = excluded.time_zone,"
                " contact_unit = excluded.contact_unit, contact_phone = excluded.contact_phone,"
                " contact_email = excluded.contact_email",
                (
                    agency.id, agency.name, agency.state, agency.kind.value, agency.time_zone,
                    c.unit, c.phone, c.email,
                ),
            )  # fmt: skip

    # -- record state -----------------------------------------------------------------

    def record_states(self, owner: str, source_ids: Sequence[str]) -> dict[str, RecordState]:
        self._check_open()
        out: dict[str, RecordState] = {}
        ids = list(dict.fromkeys(source_ids))
        with self._s._errors("record_states"):
            for sid, rid, status, version, digest in self._s._lookup(owner, ids):
                out[sid] = RecordState(int(rid), RecordStatus(status), int(version), digest)
        return out

    def expunged_digests(self, digests: Sequence[str]) -> set[str]:
        self._check_open()
        found: set[str] = set()
        wanted = list(dict.fromkeys(digests))
        with self._s._errors("expunged_digests"):
            for part in _chunks(wanted):
                rows = self._s._x(
                    f"SELECT digest FROM expunged_digests WHERE digest IN ({_marks(len(part))})",
                    tuple(part),
                ).fetchall()
                found.update(r[0] for r in rows)
        return found

    def active_source_ids(self, owner: str) -> Iterator[str]:
        """Read whole before yielding, so the caller may write while iterating."""
        self._check_open()
        with self._s._errors("active_source_ids"):
            rows = self._s._x(
                "SELECT source_id FROM records WHERE owner = ? AND status = 'active'"
                " ORDER BY source_id",
                (owner,),
            ).fetchall()
        return iter([r[0] for r in rows])

    # -- writes -----------------------------------------------------------------------

    def write_records(self, batch_id: str, records: Sequence[PreparedRecord]) -> None:
        """New version of each record, index rows replaced, status active. Raises
        StoreError for an expunged record (the caller must refuse those) or a source id
        given twice."""
        self._check_open()
        if not records:
            return
        packed = [as_packed(p) for p in records]
        if len({p.key for p in packed}) != len(packed):
            raise StoreError("write_records: the same record is given twice")
        with self._s._errors("write_records"):
            self._s._write_records(batch_id, packed)
        self._batch_owner.setdefault(batch_id, packed[0].owner)

    def _record_ids(self, owner: str, source_ids: Sequence[str], status: str) -> list[int]:
        return [int(r[1]) for r in self._s._lookup(owner, source_ids) if r[2] == status]

    def retract(self, owner: str, source_ids: Sequence[str], batch_id: str | None) -> int:
        """Active records become retracted and lose their index rows; others are ignored."""
        self._check_open()
        now = self._s._ts(datetime.now(UTC))
        with self._s._errors("retract"):
            ids = self._record_ids(owner, list(dict.fromkeys(source_ids)), "active")
            delete_index_rows(self._s, ids)
            self._s._many(
                "UPDATE records SET status = 'retracted', batch_id = ?, updated_at = ?"
                " WHERE id = ?",
                [(batch_id, now, rid) for rid in ids],
            )
        if batch_id is not None:
            self._batch_owner.setdefault(batch_id, owner)
        return len(ids)

    def expunge(self, owner: str, source_id: str) -> ExpungeResult:
        """Erase every version's content and all index rows; keep id, owner, source id,
        status and digests. Expunging twice returns the same result. Raises NotFound."""
        self._check_open()
        s = self._s
        now = s._ts(datetime.now(UTC))
        with s._errors("expunge"):
            row = s._x(
                "SELECT id FROM records WHERE owner = ? AND source_id = ?", (owner, source_id)
            ).fetchone()
            if row is None:
                raise NotFound(f"no record {owner}/{source_id}")
            rid = int(row[0])
            digests = tuple(
                r[0]
                for r in s._x(
                    "SELECT digest FROM record_versions WHERE record_id = ? ORDER BY version",
                    (rid,),
                ).fetchall()
            )
            delete_index_rows(s, [rid])
            s._x("UPDATE record_versions SET content = NULL WHERE record_id = ?", (rid,))
            s._x(
                "UPDATE records SET status = 'expunged', digest = NULL, type = NULL,"
                " sensitivity = NULL, occurred = NULL, updated_at = ? WHERE id = ?",
                (now, rid),
            )
            s._many(
                "INSERT INTO expunged_digests (digest, record_id, expunged_at) VALUES (?, ?, ?)"
                " ON CONFLICT (digest) DO NOTHING",
                [(d, rid, now) for d in dict.fromkeys(digests)],
            )
        log.info("expunged record id %d: %d version(s)", rid, len(digests))
        return ExpungeResult(rid, owner, source_id, digests)

    # -- batches ----------------------------------------------------------------------

    def begin_batch(self, batch_id: str, owner: str | None, source: str) -> None:
        """Start (or restart, after a rolled-back attempt) the batch's row."""
        self._check_open()
        with self._s._errors("begin_batch"):
            self._s._x(
                "INSERT INTO batches (id, owner, source, status, started_at) VALUES"
                " (?, ?, ?, 'running', ?) ON CONFLICT (id) DO UPDATE SET owner = excluded.owner,"
                " source = excluded.source, status = 'running', started_at = excluded.started_at,"
                " finished_at = NULL, counts = NULL",
                (batch_id, owner, source, self._s._ts(datetime.now(UTC))),
            )

    def finish_batch(self, batch_id: str, counts: dict[str, int]) -> None:
        """Mark the batch done (visible as such once committed); its owner, if not given
        at the start, is the owner of the records this transaction wrote for it."""
        self._check_open()
        with self._s._errors("finish_batch"):
            cur = self._s._x(
                "UPDATE batches SET status = 'done', finished_at = ?, counts = ?,"
                " owner = COALESCE(owner, ?) WHERE id = ?",
                (
                    self._s._ts(datetime.now(UTC)),
                    json.dumps(counts, sort_keys=True),
                    self._batch_owner.get(batch_id),
                    batch_id,
                ),
            )
            if cur.rowcount == 0:
                raise StoreError(f"finish_batch: batch {batch_id} was not begun")


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _marks(n: int) -> str:
    return ",".join("?" * n)
