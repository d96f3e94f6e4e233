"""The one storage interface. Core code gets a `Store` and never knows the engine.

Two implementations: `store/sqlite` (embedded default, WAL) and `store/postgres`
(production). `open_store(url)` picks one. Both pass the same contract suite in
`tests/store/`.

Transactions: `with store.transaction() as tx: ...; tx.commit()`. Leaving the block
without `commit()` (or by an exception) rolls everything back, so a rejected batch
leaves nothing half-written. Driver errors become `StoreError` in the engine's base
class, never leak as sqlite3/psycopg exceptions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from lexhub.model import Agency, Record, RecordIndex, Scope, SearchKey
from lexhub.store.associates_sql import AssociatesStore
from lexhub.store.audit_sql import AuditStore
from lexhub.store.federation_sql import FederationStore
from lexhub.store.identity_sql import IdentityStore
from lexhub.store.linkage_sql import LinkageStore
from lexhub.store.linkage_update_sql import LinkageUpdateStore
from lexhub.store.policy_sql import PolicyStore
from lexhub.store.search import KeyProbe, MentionRow, Narrowing, RecordFilter, RecordRow
from lexhub.store.session_sql import SessionStore

__all__ = [
    "BatchInfo",
    "ExpungeResult",
    "PreparedRecord",
    "RecordState",
    "RecordStatus",
    "SCHEMA_VERSION",
    "Store",
    "StoreStats",
    "StoredRecord",
    "Transaction",
]

SCHEMA_VERSION = 9


class RecordStatus(StrEnum):
    ACTIVE = "active"
    RETRACTED = "retracted"  # withdrawn by its owner: not searchable, kept for the audit trail
    EXPUNGED = "expunged"  # content erased everywhere; only id and digests remain


@dataclass(frozen=True)
class PreparedRecord:
    """A validated, normalized record ready to write: content dict, digest and index."""

    record: Record
    content: dict[str, Any]
    digest: str
    index: RecordIndex


@dataclass(frozen=True)
class RecordState:
    """What the store knows of (owner, source_id) now, for deciding new/changed/unchanged."""

    record_id: int
    status: RecordStatus
    version: int
    digest: str | None  # None once expunged


@dataclass(frozen=True)
class StoredRecord:
    record_id: int
    owner: str
    source_id: str
    status: RecordStatus
    version: int
    digest: str | None
    loaded_at: datetime | None
    batch_id: str | None
    record: Record | None  # None when expunged


@dataclass(frozen=True)
class ExpungeResult:
    record_id: int
    owner: str
    source_id: str
    digests: tuple[str, ...]  # the digest of every version that was erased


@dataclass(frozen=True)
class BatchInfo:
    batch_id: str
    owner: str | None
    source: str
    status: str  # "done" once committed; a batch is written in one transaction
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StoreStats:
    agencies: int
    records_by_status: dict[str, int]
    records_by_owner_type: dict[tuple[str, str], int]
    versions: int
    mentions: int
    keys: int
    batches: int
    size_bytes: int | None


class Transaction(Protocol):
    """Writes and consistent reads inside one database transaction."""

    def commit(self) -> None: ...

    def put_agency(self, agency: Agency) -> None:
        """Insert or replace an agency."""

    def record_states(self, owner: str, source_ids: Sequence[str]) -> dict[str, RecordState]:
        """The current state of each of these source ids that the store knows."""

    def expunged_digests(self, digests: Sequence[str]) -> set[str]:
        """Which of these digests belong to expunged content (a re-sent record is refused)."""

    def write_records(self, batch_id: str, records: Sequence[PreparedRecord]) -> None:
        """Write each record as a new version (version 1 if new), replace its index rows,
        and make it active (a retracted record sent again becomes active again).
        The caller MUST have decided these records are new or changed."""

    def retract(self, owner: str, source_ids: Sequence[str], batch_id: str | None) -> int:
        """Mark active records retracted and drop their index rows; returns how many."""

    def expunge(self, owner: str, source_id: str) -> ExpungeResult:
        """Erase every version's content and every index row; keep id and digests.
        Raises NotFound if unknown. Callers SHOULD call `Store.compact()` after commit
        so the erased bytes leave the disk."""

    def active_source_ids(self, owner: str) -> Iterator[str]:
        """Every active source id of an owner (for snapshot batches)."""

    def begin_batch(self, batch_id: str, owner: str | None, source: str) -> None: ...

    def finish_batch(self, batch_id: str, counts: dict[str, int]) -> None: ...


class Store(
    PolicyStore,
    IdentityStore,
    AuditStore,
    FederationStore,
    LinkageStore,
    LinkageUpdateStore,
    SessionStore,
    AssociatesStore,
    Protocol,
):
    url: str
    engine: str  # "sqlite" or "postgres"

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...

    def schema_version(self) -> int:
        """0 for an empty database. Opening one newer than SCHEMA_VERSION raises SchemaTooNew."""

    def migrate(self) -> int:
        """Create or upgrade the schema to SCHEMA_VERSION; idempotent; returns the version."""

    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def get_agency(self, agency_id: str) -> Agency | None: ...

    def list_agencies(self) -> list[Agency]: ...

    def get_record(
        self, owner: str, source_id: str, version: int | None = None
    ) -> StoredRecord | None: ...

    def record_history(self, owner: str, source_id: str) -> list[StoredRecord]: ...

    def batch(self, batch_id: str) -> BatchInfo | None: ...

    def stats(self) -> StoreStats: ...

    def compact(self) -> None:
        """Push erased content off the disk: SQLite WAL checkpoint (TRUNCATE) with
        secure_delete on; PostgreSQL VACUUM of the touched tables."""

    # -- search (lexhub.search; SQL in store/search.py) --

    def refresh_statistics(self) -> None:
        """Update the planner's statistics after a large load (ingest does, at the end)."""

    def data_version(self) -> str:
        """A token that changes whenever data may have changed (batches), for caches."""

    def key_counts(self, keys: Sequence[SearchKey], cap: int) -> dict[SearchKey, int]:
        """Mentions holding each key, counted up to `cap`."""

    def key_values(self, kind: str) -> list[str]:
        """Distinct keys of one kind (the spelling vocabulary)."""

    def find_mentions(
        self,
        probes: Sequence[KeyProbe],
        scope: Scope,
        limit: int,
        narrowing: Narrowing | None = None,
    ) -> list[tuple[int, float]]:
        """Best `limit` (mention id, weight) inside `scope` holding a probe's key and not
        contradicting `narrowing`."""

    def mention_rows(self, ids: Sequence[int]) -> list[MentionRow]: ...

    def record_keys_of(
        self, record_ids: Sequence[int], kinds: Sequence[str]
    ) -> dict[int, list[SearchKey]]: ...

    def find_records(
        self, rf: RecordFilter, scope: Scope, limit: int, offset: int = 0
    ) -> tuple[list[RecordRow], int]:
        """Records inside `scope` meeting every criterion, best first, and their count."""
