"""Appending to the hash-chained audit log.

Each entry's body is the canonical JSON (RFC 8785) of what happened, with its sequence
number and time; its hash is SHA-256(previous hash || body), the hashes taken as raw
bytes. Changing, removing, inserting or reordering any entry therefore changes every hash
after it, which `lexhub.audit.verify` and the signed checkpoints detect.

Fail closed: nothing may be sent to a caller before the entry naming exactly what is
disclosed is committed. Two ways to get there:

    with store.transaction() as tx:        # the caller's transaction (search, ingest)
        ... reads or writes ...
        append_entry(store, event)         # last write: holds the chain lock until commit
        commit_audited(tx)                 # AuditWriteFailed if the commit fails
    disclose(...)

    record_event(store, event)             # its own transaction; AuditWriteFailed on failure
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import rfc8785

from lexhub.audit.group import group_for
from lexhub.errors import AuditWriteFailed, StoreError
from lexhub.model import III_CODE
from lexhub.model.audit import AuditEntry, AuditEvent, RecordRef, StoredTerms
from lexhub.store import Store, Transaction

__all__ = [
    "BODY_VERSION",
    "append_entry",
    "canonical",
    "commit_audited",
    "entry_body",
    "entry_hash",
    "record_event",
    "record_events",
    "terms_digest",
    "utc_now",
]

BODY_VERSION = 1


def utc_now() -> datetime:
    return datetime.now(UTC)


def canonical(value: Any) -> str:
    """RFC 8785 canonical JSON: one byte string for one value, whoever serializes it."""
    return rfc8785.dumps(value).decode("utf-8")


def entry_hash(prev_hash: str, body: str) -> str:
    """SHA-256(prev || body): prev as its 32 raw bytes, body as UTF-8; hex."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + body.encode("utf-8")).hexdigest()


def terms_digest(nonce_hex: str, terms: str) -> str:
    """SHA-256(nonce || canonical terms): the side-table row's key, named in the entry."""
    return hashlib.sha256(bytes.fromhex(nonce_hex) + terms.encode("utf-8")).hexdigest()


def _timestamp(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("audit times MUST be timezone-aware")
    return when.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _refs(refs: tuple[RecordRef, ...]) -> list[dict[str, str]]:
    out = []
    for r in refs:
        item = {"owner": r.owner, "id": r.record_id}
        if r.record_type is not None:
            item["type"] = r.record_type
        out.append(item)
    return out


def entry_body(
    seq: int, at: datetime, event: AuditEvent, query_digest: str | None
) -> dict[str, Any]:
    """The chained content of an entry. Empty parts are left out, so each kind's entries
    stay short; the order of `disclosed` and `pointers` is the order they were served."""
    body: dict[str, Any] = {
        "v": BODY_VERSION,
        "seq": seq,
        "at": _timestamp(at),
        "kind": event.kind.value,
    }
    if event.context is not None:
        c = event.context
        ctx: dict[str, Any] = {
            "user": c.user,
            "agency": c.agency,
            "role": c.role.value,
            "purpose": c.purpose.value,
            "iii": III_CODE[c.purpose],
            "case_number": c.case_number,
            "justification": c.justification,
            "node": c.node,
        }
        body["context"] = {k: v for k, v in ctx.items() if v is not None}
    if event.actor is not None:
        body["actor"] = event.actor
    if query_digest is not None and event.query is not None:
        body["query"] = {"digest": query_digest, "fields": sorted(event.query)}
    if event.owners_searched:
        body["owners_searched"] = sorted(set(event.owners_searched))
    if event.disclosed:
        body["disclosed"] = _refs(event.disclosed)
    if event.pointers:
        body["pointers"] = _refs(event.pointers)
    if event.counts:
        body["counts"] = dict(event.counts)
    if event.page is not None:
        body["page"] = event.page
    if event.details:
        body["details"] = dict(event.details)
    return body


def _terms(query: Mapping[str, Any], seq: int, at: datetime) -> StoredTerms:
    """The side-table row for a query. The random nonce makes the chained digest useless
    for confirming a guess once the row (and with it the nonce) is erased."""
    nonce = secrets.token_bytes(16).hex()
    terms = canonical(dict(query))
    return StoredTerms(terms_digest(nonce, terms), seq, nonce, terms, at)


def append_entry(
    store: Store, event: AuditEvent, *, now: Callable[[], datetime] = utc_now
) -> AuditEntry:
    """Chain `event` onto the head INSIDE the caller's open transaction.

    Nothing is durable until the caller commits; the caller MUST commit (with
    `commit_audited`) before disclosing anything the entry names, and SHOULD make this its
    last write, since the chain stays locked until the transaction ends. Raises
    AuditWriteFailed if the entry cannot be written (the transaction is then unusable)."""
    try:
        seq, prev = store.audit_lock_head()
        seq += 1
        at = now().astimezone(UTC)  # stored columns compare as text on SQLite
        terms = None if event.query is None else _terms(event.query, seq, at)
        body = canonical(entry_body(seq, at, event, None if terms is None else terms.digest))
        entry = AuditEntry(seq, body, prev, entry_hash(prev, body))
        ctx = event.context
        store.audit_insert(
            entry,
            at,
            ctx.agency if ctx else None,
            ctx.user if ctx else event.actor,
            terms,
        )
    except StoreError as e:
        raise AuditWriteFailed(f"audit entry not written, nothing disclosed: {e}") from e
    return entry


def commit_audited(tx: Transaction) -> None:
    """Commit a transaction holding an audit entry; AuditWriteFailed if the commit fails."""
    try:
        tx.commit()
    except StoreError as e:
        raise AuditWriteFailed(f"audit entry not committed, nothing disclosed: {e}") from e


def record_event(
    store: Store, event: AuditEvent, *, now: Callable[[], datetime] = utc_now
) -> AuditEntry:
    """Append `event` in a transaction of its own and commit it. When this returns, the
    entry is durable; when it raises AuditWriteFailed, the caller MUST NOT disclose."""
    return record_events(store, [event], now=now)[0]


def record_events(
    store: Store, events: Sequence[AuditEvent], *, now: Callable[[], datetime] = utc_now
) -> list[AuditEntry]:
    """`record_event` for several events, chained in order in ONE transaction and one
    durable commit (each commit waits for the disk: a request that must audit two things
    before it answers waits once). All or none: AuditWriteFailed leaves none of them.
    Where a GroupCommit is installed for the database (the service), the events wait for
    the next group's commit with other requests' instead (`lexhub.audit.group`)."""
    group = group_for(store.url)
    if group is not None:
        return group.record(events, now)
    try:
        with store.transaction() as tx:
            entries = [append_entry(store, e, now=now) for e in events]
            commit_audited(tx)
    except StoreError as e:  # BEGIN failed (locked, connection gone)
        raise AuditWriteFailed(f"audit entry not written, nothing disclosed: {e}") from e
    return entries
