"""Erasing query terms: the side table forgets, the chain does not.

Chained entries are never deleted. The personal data typed into queries lives in the side
table and is erased when its retention ends (at least `MIN_RETENTION_DAYS`; operators may
keep it longer) or when a court orders it (expungement), each erasure itself an audit
entry. The digest left in the chain cannot be tied back to the terms once the row, and with
it the random nonce, is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from lexhub.audit.chain import append_entry, commit_audited, utc_now
from lexhub.errors import AuditWriteFailed, InputError, StoreError
from lexhub.model.audit import AuditEvent, AuditKind
from lexhub.store import Store

__all__ = ["DEFAULT_RETENTION_DAYS", "MIN_RETENTION_DAYS", "erase_expired_terms", "erase_terms"]

MIN_RETENTION_DAYS = 365
DEFAULT_RETENTION_DAYS = 365


def _erase(
    store: Store,
    *,
    digests: Sequence[str],
    before: datetime | None,
    details: dict[str, object],
    actor: str,
    now: Callable[[], datetime],
) -> list[str]:
    try:
        with store.transaction() as tx:
            erased = store.audit_erase_terms(digests, before)
            event = AuditEvent(
                AuditKind.AUDIT_ERASURE,
                actor=actor,
                counts={"erased": len(erased)},
                details={**details, "digests": erased},
            )
            append_entry(store, event, now=now)
            commit_audited(tx)
    except StoreError as e:
        raise AuditWriteFailed(f"query terms not erased: {e}") from e
    return erased


def erase_expired_terms(
    store: Store,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    *,
    actor: str,
    now: Callable[[], datetime] = utc_now,
) -> list[str]:
    """Erase the terms of queries older than `retention_days`; the digests erased.
    Raises InputError for a retention shorter than MIN_RETENTION_DAYS."""
    if retention_days < MIN_RETENTION_DAYS:
        raise InputError(
            "retention", None, "days", f"{retention_days} is below the minimum of "
            f"{MIN_RETENTION_DAYS} days"
        )  # fmt: skip
    cutoff = now() - timedelta(days=retention_days)
    return _erase(
        store,
        digests=(),
        before=cutoff,
        details={"reason": "retention", "before": cutoff.isoformat()},
        actor=actor,
        now=now,
    )


def erase_terms(
    store: Store,
    digests: Sequence[str],
    *,
    reason: str,
    actor: str,
    now: Callable[[], datetime] = utc_now,
) -> list[str]:
    """Erase the terms of these queries now, whatever their age (an expungement order);
    `reason` is chained and MUST NOT be personal data. The digests actually erased."""
    return _erase(
        store, digests=digests, before=None, details={"reason": reason}, actor=actor, now=now
    )
