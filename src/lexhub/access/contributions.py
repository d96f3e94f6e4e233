"""Audited changes to what the node holds: ingest batches, retractions, expungements.

Each change and its audit entry commit in ONE transaction (the loader's and lifecycle's
`audit` hooks), so the log never misses a change that happened nor names one that did not.
A rejected batch is audited after its rollback, as rejected: nothing of it was written.
These run for the node operator (`actor`), who has no RequestContext: the entry names the
actor and the owner whose records changed, never record content.

Expungement also erases the side-table query terms that name the record (retrieval
attempts store `{"owner", "id"}` there) through `lexhub.audit.erase_terms`, which is an
audited erasure of its own, committed after the expungement.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from lexhub.audit import erase_terms, record_event
from lexhub.errors import BatchRejected, InputError
from lexhub.ingest.lifecycle import expunge_record, retract_records
from lexhub.ingest.load import BatchAudit, LoadReport, load_file
from lexhub.model.audit import AuditEvent, AuditKind
from lexhub.store import ExpungeResult, Store

__all__ = [
    "audited_expunge",
    "audited_load",
    "audited_retract",
    "batch_audit",
    "file_digest",
    "terms_naming",
]


def file_digest(path: Path) -> str | None:
    """SHA-256 of the file as sent (None if it cannot be read: the loader says why)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def _batch_event(actor: str, details: dict[str, Any], counts: dict[str, int]) -> AuditEvent:
    return AuditEvent(
        AuditKind.INGEST,
        actor=actor,
        counts=counts,
        details={k: v for k, v in details.items() if v is not None},
    )


def batch_audit(actor: str, digest: str | None) -> BatchAudit:
    """The loader's `audit` hook: a loaded batch's entry counts what was written (`new`
    records, `changed` ones as new versions, `retracted` by a snapshot); a rejected one's
    only what was read and refused, since nothing was written. Error messages are left out:
    they quote values of the records (personal data)."""

    def event(report: LoadReport, rejected: bool) -> AuditEvent:
        details = {
            "batch_id": report.batch_id, "file": report.source, "owner": report.owner,
            "snapshot": report.snapshot, "digest": digest,
            "status": "rejected" if rejected else "loaded",
        }  # fmt: skip
        if rejected:
            counts = {"read": report.read, "rejected": report.rejected, "written": 0}
        else:
            counts = {**report.counts(), "written": report.written}
        return _batch_event(actor, details, counts)

    return event


def audited_load(store: Store, path: Path, *, actor: str, **options: Any) -> LoadReport:
    """`load_file` with its audit entry in the batch's transaction. A batch rejected for
    its records, or a file not in its format at all, is audited as rejected; then the
    loader's error is raised. `options` are `load_file`'s."""
    digest = file_digest(path)
    batch_id = options.pop("batch_id", None) or uuid.uuid4().hex
    try:
        return load_file(
            store, path, batch_id=batch_id, audit=batch_audit(actor, digest), **options
        )
    except BatchRejected:
        raise  # audited by the hook, with its counts
    except InputError:
        details = {
            "batch_id": batch_id, "file": path.name, "owner": options.get("owner"),
            "snapshot": bool(options.get("snapshot")), "digest": digest,
            "status": "rejected", "reason": "unreadable",
        }  # fmt: skip
        record_event(store, _batch_event(actor, details, {"written": 0}))
        raise


def audited_retract(
    store: Store, owner: str, source_ids: list[str], *, actor: str, reason: str | None = None
) -> int:
    """Retract, with one entry naming the records retracted (none: no change, no entry).
    `reason` is chained and MUST NOT be personal data."""

    def event(retracted: list[str]) -> AuditEvent | None:
        if not retracted:
            return None
        details: dict[str, Any] = {"owner": owner, "source_ids": retracted}
        if reason:
            details["reason"] = reason
        return AuditEvent(
            AuditKind.RETRACTION, actor=actor, counts={"retracted": len(retracted)},
            details=details,
        )  # fmt: skip

    return retract_records(store, owner, source_ids, audit=event)


def terms_naming(store: Store, owner: str, source_id: str) -> list[str]:
    """Digests of the side-table rows whose terms name this record: retrieval attempts,
    local or federated, keep `{"owner": ..., "id": ...}`. Reads the whole side table (the
    store has no search by content); expungements are rare and the table is bounded by
    its retention."""
    out = []
    for row in store.audit_terms(None):
        try:
            terms = json.loads(row.terms)
        except ValueError:
            continue
        if isinstance(terms, dict) and (terms.get("owner"), terms.get("id")) == (
            owner,
            source_id,
        ):
            out.append(row.digest)
    return out


def audited_expunge(
    store: Store, owner: str, source_id: str, *, actor: str, reason: str | None = None
) -> tuple[ExpungeResult, list[str]]:
    """Expunge with one entry (owner, id and version digests: never content), then erase
    the query terms naming the record. Returns the result and the digests of the terms
    erased. `reason` (a court order reference) is chained and MUST NOT be personal data."""

    def event(result: ExpungeResult) -> AuditEvent:
        details: dict[str, Any] = {
            "owner": result.owner, "source_id": result.source_id,
            "digests": list(result.digests),
        }  # fmt: skip
        if reason:
            details["reason"] = reason
        return AuditEvent(AuditKind.EXPUNGEMENT, actor=actor, details=details)

    # Compaction comes last: a compaction that fails (readers holding the SQLite WAL) must
    # not leave the terms unerased, and the erased terms must leave the disk with the rest.
    result = expunge_record(store, owner, source_id, audit=event, compact=False)
    digests = terms_naming(store, owner, source_id)
    erased = (
        erase_terms(store, digests, reason=f"expungement of {owner}/{source_id}", actor=actor)
        if digests
        else []
    )
    store.compact()
    return result, erased
