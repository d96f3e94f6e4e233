"""/api/v1/entities: one person across agencies, as the caller may see it (issue 7).

Three audited reads, each the same call as the CLI's (`lexhub.access.entity`): an
entity's records with the weight that tied each in, its associates with the records that
connect them, and the evidence for one scored pair (Splink's waterfall as data). The
entity is formed for the caller from the mentions and links its scope lets it see; a
mention it may not see answers 404 exactly as an unknown one. Investigators and analysts
only: the people who search.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from lexhub.access.entity import audited_associates, audited_entity, audited_evidence
from lexhub.linkage.associates import Associate, Member
from lexhub.model import UserRole
from lexhub.service.auth import Authorization, Gate, require
from lexhub.service.problems import problem_responses

__all__ = ["EntityAnswer", "entity_router"]

SEARCHERS = (UserRole.INVESTIGATOR, UserRole.ANALYST)

_MEMBER: dict[str, JsonValue] = {
    "mention_id": 3, "owner": "WA0170000", "source_id": "FI-2024-0142",
    "record_type": "field-interview", "occurred": "2024-05-02", "role": "subject",
    "name": "ABLE, ANN", "dob": "1990-01-01", "weight": 9.5,
}  # fmt: skip


class MemberOut(BaseModel):
    """One visible mention of the entity and its record."""

    model_config = ConfigDict(json_schema_extra={"examples": [_MEMBER]})

    mention_id: int
    owner: str
    source_id: str
    record_type: str
    occurred: str | None
    role: str
    name: str
    dob: str | None
    weight: float | None = Field(
        description="The best match weight of a link, inside the caller's entity, that ties"
        " this mention in; null alone."
    )

    @classmethod
    def of(cls, m: Member) -> MemberOut:
        return cls(
            mention_id=m.mention_id, owner=m.owner, source_id=m.source_id,
            record_type=m.record_type, occurred=m.occurred, role=m.role, name=m.name,
            dob=m.dob, weight=m.weight,
        )  # fmt: skip


class EntityAnswer(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"mention_id": 3, "threshold": 4.0, "members": [_MEMBER]}]}
    )

    mention_id: int
    threshold: float = Field(description="The match weight at or above which a pair links.")
    members: list[MemberOut]


class ConnectionOut(BaseModel):
    kind: str = Field(description="record (both in it), phone, address or vehicle.")
    key: str | None = Field(description="The shared phone, address key or plate key.")
    entity_record: dict[str, str] = Field(description="owner, source_id, record_type")
    associate_record: dict[str, str]


class AssociateOut(BaseModel):
    name: str
    strength: int = Field(description="Sum over distinct connections of their kind's weight "
                          "(record 4, phone 3, vehicle 3, address 1).")  # fmt: skip
    members: list[MemberOut] = Field(description="The associate's own entity, as the caller "
                                     "may see it.")  # fmt: skip
    connections: list[ConnectionOut]


class AssociatesAnswer(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "mention_id": 3, "members": [_MEMBER],
                    "associates": [{
                        "name": "BAKER, BOB", "strength": 3,
                        "members": [{**_MEMBER, "mention_id": 1, "name": "BAKER, BOB",
                                     "source_id": "AR-2023-0007", "weight": None}],
                        "connections": [{
                            "kind": "phone", "key": "+12065550142",
                            "entity_record": {"owner": "WA0170000", "source_id": "FI-2024-0142",
                                              "record_type": "field-interview"},
                            "associate_record": {"owner": "WA0170000",
                                                 "source_id": "AR-2023-0007",
                                                 "record_type": "arrest"},
                        }],
                    }],
                }
            ]
        }
    )  # fmt: skip

    mention_id: int
    members: list[MemberOut]
    associates: list[AssociateOut]


class StepOut(BaseModel):
    comparison: str
    level: str = Field(description="The comparison level the pair reached.")
    weight: float = Field(description="log2(m/u) of that level; 0 for missing data.")


class EvidenceAnswer(BaseModel):
    """Splink's waterfall: prior + each comparison's weight + the name-frequency
    adjustment = the match weight, against the threshold."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "left": MemberOut.model_validate(_MEMBER).model_dump(),
                    "right": {**_MEMBER, "mention_id": 5, "source_id": "IN-2025-0031"},
                    "prior": -9.97, "steps": [
                        {"comparison": "surname", "level": "exact", "weight": 6.49}],
                    "adjustment": 0.0, "weight": 9.5, "probability": 0.9986,
                    "threshold": 4.0, "linked": True,
                }
            ]
        }
    )  # fmt: skip

    left: MemberOut
    right: MemberOut
    prior: float = Field(description="log2 of the prior odds that two mentions match.")
    steps: list[StepOut]
    adjustment: float = Field(description="Term-frequency adjustment and rounding.")
    weight: float
    probability: float
    threshold: float
    linked: bool = Field(description="Whether the pair joins: a human accepted it, or nobody "
                         "rejected it and its weight reaches the threshold.")  # fmt: skip
    decision: str | None = Field(None, description="accept or reject, once a human decided.")


def _ref(m: Member) -> dict[str, str]:
    return {"owner": m.owner, "source_id": m.source_id, "record_type": m.record_type}


def _associate(a: Associate, records: dict[int, Member]) -> AssociateOut:
    return AssociateOut(
        name=a.name, strength=a.strength, members=[MemberOut.of(m) for m in a.members],
        connections=[
            ConnectionOut(kind=c.kind, key=c.key, entity_record=_ref(records[c.entity_record]),
                          associate_record=_ref(records[c.associate_record]))
            for c in a.connections
        ],
    )  # fmt: skip


Purpose = Annotated[str, Query(description="A purpose code (docs/policy.md).")]


def entity_router(gate: Gate) -> APIRouter:
    router = APIRouter(prefix="/api/v1/entities", tags=["entities"],
                       responses=problem_responses(403, 404))  # fmt: skip

    def context_of(principal: Any, purpose: str, role: UserRole | None, case: str | None,
                   justification: str | None) -> Any:  # fmt: skip
        require(principal, *SEARCHERS)
        return gate.context(principal, purpose, role, case, justification)

    @router.get("/{mention_id}", summary="The caller's view of the entity of a mention (audited)")
    def entity(
        mention_id: int, purpose: Purpose, case_number: str | None = None,
        justification: str | None = None, role: UserRole | None = None,
        authorization: Authorization = None,
    ) -> EntityAnswer:  # fmt: skip
        with gate.user(authorization) as (store, principal):
            ctx = context_of(principal, purpose, role, case_number, justification)
            view = audited_entity(store, ctx, mention_id)
        return EntityAnswer(mention_id=mention_id, threshold=view.entity.threshold,
                            members=[MemberOut.of(m) for m in view.members])  # fmt: skip

    @router.get("/{mention_id}/associates",
                summary="People sharing a record, phone, address or vehicle (audited)")  # fmt: skip
    def associates(
        mention_id: int, purpose: Purpose, case_number: str | None = None,
        justification: str | None = None, role: UserRole | None = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50, authorization: Authorization = None,
    ) -> AssociatesAnswer:  # fmt: skip
        with gate.user(authorization) as (store, principal):
            ctx = context_of(principal, purpose, role, case_number, justification)
            answer = audited_associates(store, ctx, mention_id, limit=limit)
        records = {m.record_id: m for m in answer.members}
        for a in answer.associates:
            records.update((m.record_id, m) for m in a.members)
        return AssociatesAnswer(
            mention_id=mention_id, members=[MemberOut.of(m) for m in answer.members],
            associates=[_associate(a, records) for a in answer.associates],
        )  # fmt: skip

    @router.get("/{mention_id}/evidence",
                summary="Why two members were linked: the waterfall (audited)")  # fmt: skip
    def evidence(
        mention_id: int, other: Annotated[int, Query(description="The other mention.")],
        purpose: Purpose, case_number: str | None = None, justification: str | None = None,
        role: UserRole | None = None, authorization: Authorization = None,
    ) -> EvidenceAnswer:  # fmt: skip
        with gate.user(authorization) as (store, principal):
            ctx = context_of(principal, purpose, role, case_number, justification)
            pair = audited_evidence(store, ctx, mention_id, other)
        ev = pair.evidence
        return EvidenceAnswer(
            left=MemberOut.of(pair.left), right=MemberOut.of(pair.right), prior=ev.prior,
            steps=[StepOut(comparison=s.comparison, level=s.level, weight=s.weight)
                   for s in ev.steps],
            adjustment=ev.adjustment, weight=ev.weight, probability=ev.probability,
            threshold=ev.threshold, linked=pair.linked, decision=pair.decision,
        )  # fmt: skip

    return router
