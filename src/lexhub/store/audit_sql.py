"""The audit tables (issue 4): the AuditStore protocol and its SQL for both engines.

The store only keeps rows; hashing, signing and verification live in `lexhub.audit`.
Appends serialize on the chain head: SQLite already holds the writer lock from BEGIN
IMMEDIATE, PostgreSQL locks the one `audit_head` row (SELECT ... FOR UPDATE), so two
transactions never chain onto the same head. The lock is held until the transaction
ends: callers SHOULD append as their last write and commit at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from lexhub.errors import StoreError
from lexhub.model.audit import AuditEntry, AuditFilter, AuditKey, Checkpoint, StoredTerms

if TYPE_CHECKING:
    from lexhub.store.sql import SqlStore

__all__ = ["AuditSqlMixin", "AuditStore"]

_ENTRY = "SELECT seq, body, prev_hash, hash FROM audit_entries"
_TERMS = "SELECT digest, seq, nonce, terms, created_at FROM audit_query_terms"
_KEYS = "SELECT key_id, public_key, created_at, retired_at FROM audit_keys"
_CHECKPOINTS = "SELECT size, head, at, key_id, signature FROM audit_checkpoints"
_CHUNK = 500


class AuditStore(Protocol):
    """The audit part of the Store interface. Methods marked "in a transaction" raise
    StoreError unless `store.transaction()` is open."""

    def audit_head(self) -> tuple[int, str]:
        """(seq, hash) of the last committed entry; (0, GENESIS_HASH) for an empty log."""

    def audit_lock_head(self) -> tuple[int, str]:
        """In a transaction: lock the chain head until the transaction ends; its (seq, hash)."""

    def audit_insert(
        self,
        entry: AuditEntry,
        at: datetime,
        agency: str | None,
        user: str | None,
        terms: StoredTerms | None,
    ) -> None:
        """In a transaction, after `audit_lock_head`: write the entry (and its query terms)
        and move the head to it. The caller MUST have chained it onto the locked head."""

    def audit_entries(self, where: AuditFilter, limit: int) -> list[AuditEntry]:
        """Entries meeting `where`, in chain order, at most `limit`."""

    def audit_terms(self, digests: Sequence[str] | None = None) -> list[StoredTerms]:
        """The side-table rows of these digests (every row when None)."""

    def audit_erase_terms(
        self, digests: Sequence[str] = (), before: datetime | None = None
    ) -> list[str]:
        """In a transaction: delete the side-table rows of `digests` and those created
        before `before`; the digests erased."""

    def audit_keys(self) -> list[AuditKey]:
        """Every audit public key, oldest first."""

    def audit_put_key(self, key: AuditKey) -> None:
        """In a transaction: record a new active key; the keys active until now are
        retired at its `created_at`."""

    def audit_add_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Keep a signed checkpoint (standalone or in a transaction)."""

    def audit_checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint, oldest first."""


class AuditSqlMixin:
    """SQL of the audit tables, shared by both engines."""

    @property
    def _audit_store(self) -> SqlStore:
        return cast("SqlStore", self)

    def _audit_tx(self, doing: str) -> None:
        s = self._audit_store
        if s._tx is None:
            raise StoreError(f"{doing} needs an open transaction")

    def audit_head(self) -> tuple[int, str]:
        s = self._audit_store
        with s._errors("audit read"):
            seq, head = s._x("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
        return int(seq), str(head)

    def audit_lock_head(self) -> tuple[int, str]:
        s = self._audit_store
        s._audit_tx("audit append")
        lock = " FOR UPDATE" if s.engine == "postgres" else ""
        with s._errors("audit append"):
            row = s._x(f"SELECT seq, hash FROM audit_head WHERE id = 1{lock}").fetchone()
        if row is None:
            raise StoreError("audit append failed: the audit head row is missing")
        return int(row[0]), str(row[1])

    def audit_insert(
        self,
        entry: AuditEntry,
        at: datetime,
        agency: str | None,
        user: str | None,
        terms: StoredTerms | None,
    ) -> None:
        s = self._audit_store
        s._audit_tx("audit append")
        with s._errors("audit append"):
            s._x(
                "INSERT INTO audit_entries (seq, at, kind, agency, username, body, prev_hash,"
                " hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.seq, s._ts(at), entry.kind, agency, user, entry.body,
                    entry.prev_hash, entry.hash,
                ),
            )  # fmt: skip
            if terms is not None:
                s._x(
                    "INSERT INTO audit_query_terms (digest, seq, nonce, terms, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (terms.digest, terms.seq, terms.nonce, terms.terms, s._ts(terms.created_at)),
                )
            updated = s._x(
                "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ?",
                (entry.seq, entry.hash, entry.seq - 1),
            ).rowcount
        if updated != 1:
            raise StoreError(f"audit append failed: entry {entry.seq} does not follow the head")

    def audit_entries(self, where: AuditFilter, limit: int) -> list[AuditEntry]:
        s = self._audit_store
        clauses = ["seq > ?"]
        params: list[Any] = [where.after_seq]
        for column, op, value in (
            ("kind", "=", where.kind),
            ("agency", "=", where.agency),
            ("username", "=", where.user),
            ("at", ">=", None if where.since is None else s._ts(where.since)),
            ("at", "<", None if where.until is None else s._ts(where.until)),
        ):
            if value is not None:
                clauses.append(f"{column} {op} ?")
                params.append(value)
        with s._errors("audit read"):
            rows = s._x(
                f"{_ENTRY} WHERE {' AND '.join(clauses)} ORDER BY seq LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [AuditEntry(int(r[0]), r[1], r[2], r[3]) for r in rows]

    def audit_terms(self, digests: Sequence[str] | None = None) -> list[StoredTerms]:
        s = self._audit_store
        rows: list[Any] = []
        with s._errors("audit read"):
            if digests is None:
                rows = s._x(f"{_TERMS} ORDER BY seq").fetchall()
            else:
                wanted = list(dict.fromkeys(digests))
                for start in range(0, len(wanted), _CHUNK):
                    part = wanted[start : start + _CHUNK]
                    rows += s._x(
                        f"{_TERMS} WHERE digest IN ({','.join('?' * len(part))}) ORDER BY seq",
                        tuple(part),
                    ).fetchall()
        return [StoredTerms(r[0], int(r[1]), r[2], r[3], _dt(r[4])) for r in rows]

    def audit_erase_terms(
        self, digests: Sequence[str] = (), before: datetime | None = None
    ) -> list[str]:
        s = self._audit_store
        s._audit_tx("audit erasure")
        erased: list[str] = []
        with s._errors("audit erasure"):
            if before is not None:
                erased += [
                    r[0]
                    for r in s._x(
                        "DELETE FROM audit_query_terms WHERE created_at < ? RETURNING digest",
                        (s._ts(before),),
                    ).fetchall()
                ]
            wanted = list(dict.fromkeys(digests))
            for start in range(0, len(wanted), _CHUNK):
                part = wanted[start : start + _CHUNK]
                erased += [
                    r[0]
                    for r in s._x(
                        f"DELETE FROM audit_query_terms WHERE digest IN"
                        f" ({','.join('?' * len(part))}) RETURNING digest",
                        tuple(part),
                    ).fetchall()
                ]
        return sorted(erased)

    def audit_keys(self) -> list[AuditKey]:
        s = self._audit_store
        with s._errors("audit read"):
            rows = s._x(f"{_KEYS} ORDER BY created_at, key_id").fetchall()
        return [AuditKey(r[0], r[1], _dt(r[2]), None if r[3] is None else _dt(r[3])) for r in rows]

    def audit_put_key(self, key: AuditKey) -> None:
        s = self._audit_store
        s._audit_tx("audit key")
        with s._errors("audit key"):
            s._x(
                "UPDATE audit_keys SET retired_at = ? WHERE retired_at IS NULL",
                (s._ts(key.created_at),),
            )
            s._x(
                "INSERT INTO audit_keys (key_id, public_key, created_at, retired_at)"
                " VALUES (?, ?, ?, ?)",
                (
                    key.key_id,
                    key.public_key,
                    s._ts(key.created_at),
                    None if key.retired_at is None else s._ts(key.retired_at),
                ),
            )

    def audit_add_checkpoint(self, checkpoint: Checkpoint) -> None:
        s = self._audit_store
        c = checkpoint
        with s._errors("audit checkpoint"):
            s._x(
                "INSERT INTO audit_checkpoints (size, head, at, key_id, signature)"
                " VALUES (?, ?, ?, ?, ?)",
                (c.size, c.head, s._ts(c.at), c.key_id, c.signature),
            )

    def audit_checkpoints(self) -> list[Checkpoint]:
        s = self._audit_store
        with s._errors("audit read"):
            rows = s._x(f"{_CHECKPOINTS} ORDER BY id").fetchall()
        return [Checkpoint(int(r[0]), r[1], _dt(r[2]), r[3], r[4]) for r in rows]


def _dt(value: Any) -> datetime:
    """A timestamp column as a datetime: SQLite keeps ISO text, PostgreSQL timestamptz."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
