"""What the audit log records: events in, chained entries, checkpoints and keys out.

An `AuditEvent` is what a caller says happened; `lexhub.audit.chain` turns it into an
`AuditEntry` (its canonical JSON, sequence number and hashes). Query terms typed by a user
are personal data: they travel in `AuditEvent.query` and end in an erasable side table,
never in the chained body, which only holds their digest and the names of the fields used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from lexhub.model.context import RequestContext

__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "AuditEvent",
    "AuditFilter",
    "AuditKey",
    "AuditKind",
    "Checkpoint",
    "RecordRef",
    "StoredTerms",
]

GENESIS_HASH = "0" * 64  # the "previous hash" of entry 1


class AuditKind(StrEnum):
    SEARCH = "search"  # one entry per page served
    RETRIEVAL = "retrieval"
    DENIED = "denied"  # refused by policy; details name what was attempted
    REJECTED = "rejected"  # invalid request (no purpose, bad query), refused before running
    INGEST = "ingest"
    RETRACTION = "retraction"
    EXPUNGEMENT = "expungement"
    AGREEMENT_CHANGE = "agreement-change"
    GROUP_CHANGE = "group-change"
    USER_CHANGE = "user-change"
    ROLE_CHANGE = "role-change"
    PASSWORD_CHANGE = "password-change"
    TOKEN_CHANGE = "token-change"
    LOGIN = "login"
    LOGIN_FAILED = "login-failed"
    AUDIT_READ = "audit-read"  # every read of the log: listing, export, report
    AUDIT_ERASURE = "audit-erasure"  # query terms erased from the side table
    AUDIT_KEY = "audit-key"  # an audit key created or rotated
    FEDERATION = "federation"  # a federated search or remote retrieval: peers, statuses
    PEER_REFUSED = "peer-refused"  # a node-to-node request refused (signature, agency)
    PEER_CHANGE = "peer-change"  # a federation peer registered, changed or removed
    LINKAGE_REVIEW = "linkage-review"  # the review queue of pairs shown to a reviewer
    LINKAGE_DECISION = "linkage-decision"  # a human accepted or rejected a pair of mentions


@dataclass(frozen=True)
class RecordRef:
    """A record named in an entry: disclosed in full, or only pointed to."""

    owner: str
    record_id: str  # the owner's source id
    record_type: str | None = None


@dataclass(frozen=True)
class AuditEvent:
    """What happened, as the caller states it. `context` for requests by a user with a
    purpose; `actor` for everything else (an operator at the CLI, the ingest of a batch,
    a peer). Values in `details` and `counts` MUST NOT be personal data: they are chained
    and can never be erased; personal data typed into a query goes in `query`."""

    kind: AuditKind
    context: RequestContext | None = None
    actor: str | None = None
    query: Mapping[str, Any] | None = None
    owners_searched: tuple[str, ...] = ()
    disclosed: tuple[RecordRef, ...] = ()
    pointers: tuple[RecordRef, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)
    page: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One chained entry as stored. `body` is canonical JSON and the only truth: the other
    fields are read from it or computed over it."""

    seq: int
    body: str
    prev_hash: str
    hash: str

    @property
    def data(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def at(self) -> str:
        return str(self.data.get("at", ""))


@dataclass(frozen=True)
class StoredTerms:
    """A row of the erasable side table: digest = SHA-256(nonce || terms)."""

    digest: str
    seq: int
    nonce: str  # hex
    terms: str  # canonical JSON
    created_at: datetime


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to list; every given criterion must hold."""

    kind: str | None = None
    agency: str | None = None
    user: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after_seq: int = 0


@dataclass(frozen=True)
class AuditKey:
    """The public half of an audit signing key; `retired_at` None for the active one."""

    key_id: str
    public_key: str  # raw 32-byte Ed25519 public key, base64
    created_at: datetime
    retired_at: datetime | None = None


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the log's first `size` entries end in hash `head`."""

    size: int
    head: str
    at: datetime
    key_id: str
    signature: str  # base64 Ed25519 signature over `lexhub.audit.checkpoint.checkpoint_text`
