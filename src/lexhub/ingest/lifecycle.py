"""An owner's control over its records after loading: retraction and expungement.

Retraction is the owner withdrawing a record: it can no longer be found, but it and its
versions stay for the audit trail (and a later feed may send it again). Expungement is a
court order: the content of every version and every search key goes, from the tables and
from the disk; only the id and the digests stay, so the record is refused if sent again.

Given an `audit` callable, each change commits together with its audit entry (built from
what was actually changed), or not at all: AuditWriteFailed then, and nothing changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from lexhub.audit import append_entry, commit_audited
from lexhub.errors import NotFound
from lexhub.model.audit import AuditEvent
from lexhub.store.base import ExpungeResult, RecordStatus, Store, Transaction

__all__ = ["commit_changes", "expunge_record", "retract_records"]

log = logging.getLogger(__name__)


def retract_records(
    store: Store,
    owner: str,
    source_ids: Sequence[str],
    *,
    audit: Callable[[list[str]], AuditEvent | None] | None = None,
) -> int:
    """Retract these active records of `owner`; raises NotFound naming any unknown id.
    Already retracted records are left as they are. Returns how many were retracted.
    `audit` gets the ids actually retracted (in the order given); None from it: no entry."""
    with store.transaction() as tx:
        states = tx.record_states(owner, list(source_ids))
        unknown = [s for s in source_ids if s not in states]
        if unknown:
            raise NotFound(f"no record {owner}/{unknown[0]}" + _more(unknown))
        active = list(
            dict.fromkeys(s for s in source_ids if states[s].status is RecordStatus.ACTIVE)
        )
        count = tx.retract(owner, active, None) if active else 0
        commit_changes(store, tx, None if audit is None else audit(active))
    log.info("retracted %d record(s) of %s", count, owner)
    return count


def expunge_record(
    store: Store,
    owner: str,
    source_id: str,
    *,
    audit: Callable[[ExpungeResult], AuditEvent] | None = None,
    compact: bool = True,
) -> ExpungeResult:
    """Erase a record's content everywhere, then compact so the bytes leave the disk.
    Raises NotFound for an unknown record. `audit` MUST NOT put content in its entry.
    `compact=False`: the caller erases more first (the audit terms naming the record) and
    compacts after, so those bytes leave the disk too."""
    with store.transaction() as tx:
        result = tx.expunge(owner, source_id)
        commit_changes(store, tx, None if audit is None else audit(result))
    if compact:
        store.compact()
    log.info(
        "expunged record id %d (%d version digests kept)", result.record_id, len(result.digests)
    )
    return result


def commit_changes(store: Store, tx: Transaction, event: AuditEvent | None) -> None:
    """Commit `tx`, with `event` chained as its last write when there is one."""
    if event is None:
        tx.commit()
        return
    append_entry(store, event)
    commit_audited(tx)


def _more(items: Sequence[str]) -> str:
    return f" (and {len(items) - 1} more)" if len(items) > 1 else ""
