"""The request flow of entity views: context -> scope -> request-entity -> audit -> view.

Showing an entity, its associates or the evidence for a pair discloses records (who is in
them, when, where), so each request is audited like a retrieval: one entry naming every
record the answer shows, committed BEFORE the answer is returned (`record_event` raises
AuditWriteFailed otherwise, and the caller gets nothing).

The entity is always formed for the request (`linkage.entity_for`), never read as stored.
An unknown mention, one outside the scope, one whose linking fields are withheld and,
for evidence, a partner outside the mention's request-entity all raise the same NotFound
with the same message, audited as denied with the ids in the erasable query terms, so
trying ids reveals nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NoReturn

from lexhub.access.decisions import current_decisions
from lexhub.access.search import blocked_owners
from lexhub.audit import record_event
from lexhub.errors import NotFound
from lexhub.linkage.associates import Associates, Member, associates_of, members_of
from lexhub.linkage.components import joins
from lexhub.linkage.entities import RequestEntity, entity_for
from lexhub.linkage.evidence import Evidence, evidence
from lexhub.model import RequestContext, Scope
from lexhub.model.audit import AuditEvent, AuditKind, RecordRef
from lexhub.policy import Requester
from lexhub.store import Store

__all__ = [
    "EntityView",
    "PairEvidence",
    "audited_associates",
    "audited_entity",
    "audited_evidence",
    "not_found_message",
]


@dataclass(frozen=True)
class EntityView:
    entity: RequestEntity
    members: tuple[Member, ...]


@dataclass(frozen=True)
class PairEvidence:
    evidence: Evidence
    left: Member
    right: Member
    linked: bool  # the pair joins: a human accepted it, or nobody rejected it and it reaches
    decision: str | None = None  # "accept" | "reject" once a human decided


def not_found_message(mention_id: int, other: int | None = None) -> str:
    """The one answer for an entity (or a pair's evidence) the requester cannot have,
    whatever the reason."""
    if other is not None:
        return f"no evidence for mentions {mention_id} and {other}"
    return f"no entity for mention {mention_id}"


def _scope(store: Store, context: RequestContext, today: date | None) -> tuple[Scope, list[str]]:
    today = today or datetime.now(UTC).date()
    decisions = current_decisions(store, Requester.of(context), today)
    scope = Scope(tuple(d.grant for d in decisions if d.grant is not None))
    return scope, blocked_owners(decisions)


def _entity(
    store: Store,
    context: RequestContext,
    scope: Scope,
    blocked: list[str],
    request: str,
    query: dict[str, Any],
) -> RequestEntity:
    """The request-entity of query["mention"], or NotFound audited as denied."""
    entity = entity_for(store, scope, int(query["mention"]))
    if entity is None:
        _deny(store, context, blocked, request, query)
    return entity


def _deny(
    store: Store, context: RequestContext, blocked: list[str], request: str, query: dict[str, Any]
) -> NoReturn:
    details: dict[str, Any] = {"request": request}
    if blocked:
        details["blocked_by_owner_policy"] = blocked
    record_event(store, AuditEvent(AuditKind.DENIED, context=context, query=query, details=details))
    raise NotFound(not_found_message(int(query["mention"]), query.get("other")))


def _disclose(
    store: Store,
    context: RequestContext,
    scope: Scope,
    request: str,
    query: dict[str, Any],
    members: tuple[Member, ...],
    counts: dict[str, int],
) -> None:
    """One retrieval entry naming every record shown (each once, in id order)."""
    refs: dict[int, RecordRef] = {}
    for m in sorted(members, key=lambda m: m.record_id):
        refs.setdefault(m.record_id, RecordRef(m.owner, m.source_id, m.record_type))
    record_event(
        store,
        AuditEvent(
            AuditKind.RETRIEVAL,
            context=context,
            query=query,
            owners_searched=scope.owners,
            disclosed=tuple(refs.values()),
            counts=counts,
            details={"request": request},
        ),
    )


def audited_entity(
    store: Store, context: RequestContext, mention_id: int, *, today: date | None = None
) -> EntityView:
    """The entity of `mention_id` as `context` may see it (its members with their records
    and tie-in weights), audited before returning. Raises NotFound (audited) when there is
    none for this requester, AuditWriteFailed when the entry cannot be committed."""
    scope, blocked = _scope(store, context, today)
    query = {"mention": mention_id}
    entity = _entity(store, context, scope, blocked, "entity", query)
    members = members_of(store, entity)
    _disclose(store, context, scope, "entity", query, members, {"members": len(members)})
    return EntityView(entity, members)


def audited_associates(
    store: Store,
    context: RequestContext,
    mention_id: int,
    *,
    limit: int = 50,
    today: date | None = None,
) -> Associates:
    """The associates of the entity of `mention_id` inside `context`'s scope, audited
    (every record of the entity and of each associate shown) before returning."""
    scope, blocked = _scope(store, context, today)
    query = {"mention": mention_id}
    entity = _entity(store, context, scope, blocked, "associates", query)
    answer = associates_of(store, scope, entity, limit=limit)
    shown = answer.members + tuple(m for a in answer.associates for m in a.members)
    counts = {"members": len(answer.members), "associates": len(answer.associates)}
    _disclose(store, context, scope, "associates", query, shown, counts)
    return answer


def audited_evidence(
    store: Store,
    context: RequestContext,
    mention_id: int,
    other: int,
    *,
    today: date | None = None,
) -> PairEvidence:
    """The match weight by comparison for two members of one request-entity that were
    scored as a pair. Raises NotFound (audited) when either is not in the requester's
    entity or the pair was never scored (the same message: nothing is told apart)."""
    scope, blocked = _scope(store, context, today)
    query = {"mention": mention_id, "other": other}
    entity = _entity(store, context, scope, blocked, "evidence", query)
    model = store.linkage_model()
    pair = sorted((mention_id, other))
    link = next(
        (
            k
            for k in store.entity_links_among(pair)
            if [k.left, k.right] == pair and other in entity.mention_ids
        ),
        None,
    )
    if link is None or model is None or mention_id == other:
        _deny(store, context, blocked, "evidence", query)
    members = {m.mention_id: m for m in members_of(store, entity)}
    shown = (members[mention_id], members[other])
    _disclose(store, context, scope, "evidence", query, shown, {"members": 2})
    linked = joins(link, model.threshold)
    return PairEvidence(evidence(model, link), shown[0], shown[1], linked, link.decision)
