"""The request flow of a search: context -> policy scope -> search -> audit -> disclose.

Every search carries a RequestContext (validated when it was built: a purpose from the
fixed list, a case number or a justification). The agreements in force decide the scope
(`policy.decide`, a pure function of the snapshot in force, kept per policy version by
`access.decisions`); the search runs only inside it; then ONE audit entry naming exactly
what is disclosed (records in full, pointers, owners searched, owners whose policy blocked
the request) is committed, and only then is the result returned. If that commit fails the
caller gets AuditWriteFailed and nothing. A query refused before it runs (QueryError) is
audited as rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from lexhub.access.decisions import current_decisions
from lexhub.audit import record_event
from lexhub.errors import QueryError
from lexhub.model import Disclosure, RequestContext, Scope
from lexhub.model.audit import AuditEvent, AuditKind, RecordRef
from lexhub.policy import Requester
from lexhub.policy.scope import Decision
from lexhub.search import Query, RecordQuery, SearchResult, search
from lexhub.store import Store

__all__ = ["audited_search", "blocked_owners", "query_terms", "search_entry"]


def query_terms(query: Query) -> dict[str, Any]:
    """The fields the requester typed (personal data: the audit keeps them erasable)."""
    out: dict[str, Any] = {"kind": "record" if isinstance(query, RecordQuery) else "person"}
    for f in fields(query):
        value = getattr(query, f.name)
        if value is None or value == "":
            continue
        out[f.name] = value.value if isinstance(value, Enum) else str(value)
    return out


def blocked_owners(decisions: Sequence[Decision]) -> list[str]:
    """Owners whose own policy (a prohibited purpose or requester) refused the request:
    the non-disclosure an owner can later show."""
    return sorted(
        {
            d.owner
            for d in decisions
            if d.grant is None and any(x.startswith("owner policy") for x in d.deciding)
        }
    )


def audited_search(
    store: Store,
    context: RequestContext,
    query: Query,
    *,
    page: int = 1,
    page_size: int = 20,
    today: date | None = None,
) -> SearchResult:
    """Search as `context` allows, audited before anything is returned.

    Raises QueryError (audited as rejected) for a query that cannot run, and
    AuditWriteFailed when the audit entry cannot be committed: then nothing is disclosed."""
    result, event = search_entry(store, context, query, page=page, page_size=page_size,
                                 today=today)  # fmt: skip
    record_event(store, event)
    return result


def search_entry(
    store: Store, context: RequestContext, query: Query, *, page: int = 1, page_size: int = 20,
    today: date | None = None,
) -> tuple[SearchResult, AuditEvent]:  # fmt: skip
    """`audited_search` without its commit: the result and the audit entry naming what it
    discloses. The caller MUST commit the entry (`record_events`, with others in one
    transaction) before disclosing any of the result: the federated search commits this
    node's entry and the fan-out's together, one durable commit instead of two. A query
    that cannot run is audited as rejected here and raises QueryError."""
    today = today or datetime.now(UTC).date()
    decisions = current_decisions(store, Requester.of(context), today)
    scope = Scope(tuple(d.grant for d in decisions if d.grant is not None))
    blocked = blocked_owners(decisions)
    terms = query_terms(query)
    try:
        result = search(store, query, scope, page=page, page_size=page_size, today=today)
    except QueryError as e:
        record_event(
            store,
            AuditEvent(
                AuditKind.REJECTED, context=context, query=terms,
                details={"reason": str(e)}, page=page,
            ),
        )  # fmt: skip
        raise
    full = [h for h in result.hits if h.disclosure == Disclosure.FULL]
    pointers = [h for h in result.hits if h.disclosure == Disclosure.POINTER]
    return result, AuditEvent(
        AuditKind.SEARCH,
        context=context,
        query=terms,
        owners_searched=scope.owners,
        disclosed=tuple(
            RecordRef(h.owner, h.source_id or "", h.record_type) for h in full
        ),
        # A pointer names no record: the entry keeps the owner and type it revealed.
        pointers=tuple(RecordRef(h.owner, "", h.record_type) for h in pointers),
        counts={"hits": len(result.hits), "total": result.total,
                "candidates": result.candidates},
        details={"blocked_by_owner_policy": blocked} if blocked else {},
        page=page,
    )  # fmt: skip
