"""/api/v1/linkage: the review queue of pairs near the threshold, and the decisions on them.

The same audited calls as `lexhub link review/accept/reject` (`lexhub.linkage.review`):
the queue shows only pairs whose two mentions the caller's scope lets it see and is
audited before it is returned; a decision, the entities it changes and its audit entry
commit together (no entry, no decision). Records administrators and analysts only; a pair
with an end the caller may not see answers 404 exactly like a pair never scored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from lexhub.linkage.review import REVIEWERS, ReviewItem, ReviewSide, decide, review_queue
from lexhub.model import UserRole
from lexhub.service.auth import Authorization, Gate, require
from lexhub.service.problems import problem_responses

__all__ = ["DecisionRequest", "linkage_router"]

_SIDE: dict[str, JsonValue] = {
    "mention_id": 3, "owner": "WA0170000", "source_id": "FI-2024-0142",
    "record_type": "field-interview", "name": "ABLE, ANN", "dob": "1990-01-01", "sex": "F",
}  # fmt: skip
_ITEM: dict[str, JsonValue] = {
    "left": _SIDE,
    "right": {**_SIDE, "mention_id": 17, "owner": "WA0170100", "source_id": "AR-88",
              "record_type": "arrest", "name": "ABLE, ANNE", "dob": "1990-10-01"},
    "weight": 3.4, "probability": 0.913, "threshold": 4.0, "linked": False,
    "evidence": ["prior (two mentions chosen at random are one person): -8.12",
                 "surname: surname exact: +9.40 (for)",
                 "dob: dob Damerau-Levenshtein <= 1: +2.10 (for)",
                 "match weight +3.40 (probability 0.9134), threshold +4.00: not linked"],
}  # fmt: skip


class SideOut(BaseModel):
    """One mention of the pair and its record."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SIDE]})

    mention_id: int
    owner: str
    source_id: str
    record_type: str
    name: str
    dob: str | None
    sex: str | None

    @classmethod
    def of(cls, s: ReviewSide) -> SideOut:
        return cls(mention_id=s.mention_id, owner=s.owner, source_id=s.source_id,
                   record_type=s.record_type, name=s.name, dob=s.dob, sex=s.sex)  # fmt: skip


class ReviewItemOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_ITEM]})

    left: SideOut
    right: SideOut
    weight: float = Field(description="The pair's match weight under the model in force.")
    probability: float
    threshold: float = Field(description="The match weight at or above which a pair links.")
    linked: bool = Field(description="Whether the weight alone links the pair today.")
    evidence: list[str] = Field(description="The waterfall in words, strongest step first.")

    @classmethod
    def of(cls, i: ReviewItem) -> ReviewItemOut:
        return cls(left=SideOut.of(i.left), right=SideOut.of(i.right), weight=i.weight,
                   probability=i.probability, threshold=i.threshold, linked=i.linked,
                   evidence=list(i.evidence))  # fmt: skip


class ReviewAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_ITEM]}]})

    items: list[ReviewItemOut] = Field(description="Closest to the threshold first.")


class DecisionRequest(BaseModel):
    """A human decision on a scored pair, and the request context it is made under."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"left": 3, "right": 17, "decision": "accept", "reason": "ticket 2026-114",
                 "purpose": "administrative", "justification": "linkage review"}
            ]
        },
    )  # fmt: skip

    left: int = Field(description="One mention id of the pair (from the review queue).")
    right: int = Field(description="The other mention id.")
    decision: Literal["accept", "reject"]
    reason: str | None = Field(None, max_length=500, description="For the audit log, kept "
                               "forever: a reference, never personal data.")  # fmt: skip
    purpose: str = Field(description="A purpose code (docs/policy.md).")
    case_number: str | None = None
    justification: str | None = None
    role: UserRole | None = Field(None, description="The role acted in, if the user holds "
                                  "several.")  # fmt: skip


class DecisionAnswer(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"left": 3, "right": 17, "decision": "accept", "entities_before": 2,
                 "entities_after": 1, "merged": 1, "split": 0}
            ]
        }
    )  # fmt: skip

    left: int
    right: int
    decision: str
    entities_before: int = Field(description="Stored entities the decision touched.")
    entities_after: int = Field(description="The entities they became.")
    merged: int
    split: int


Purpose = Annotated[str, Query(description="A purpose code (docs/policy.md).")]


def linkage_router(gate: Gate) -> APIRouter:
    router = APIRouter(prefix="/api/v1/linkage", tags=["linkage"],
                       responses=problem_responses(403, 404))  # fmt: skip

    @router.get("/review", summary="Pairs near the threshold to review (audited)")
    def review(
        purpose: Purpose, case_number: str | None = None, justification: str | None = None,
        role: UserRole | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 20,
        authorization: Authorization = None,
    ) -> ReviewAnswer:  # fmt: skip
        with gate.user(authorization) as (store, principal):
            require(principal, *REVIEWERS)
            ctx = gate.context(principal, purpose, role, case_number, justification)
            items = review_queue(store, ctx, limit=limit)
        return ReviewAnswer(items=[ReviewItemOut.of(i) for i in items])

    @router.post("/decisions", summary="Accept or reject a pair (audited with the decision)")
    def decision(body: DecisionRequest, authorization: Authorization = None) -> DecisionAnswer:
        with gate.user(authorization) as (store, principal):
            require(principal, *REVIEWERS)
            ctx = gate.context(principal, body.purpose, body.role, body.case_number,
                               body.justification)  # fmt: skip
            change = decide(store, ctx, body.left, body.right, body.decision, reason=body.reason)
        return DecisionAnswer(
            left=min(body.left, body.right), right=max(body.left, body.right),
            decision=body.decision, entities_before=change.before,
            entities_after=change.after, merged=change.merged, split=change.split,
        )  # fmt: skip

    return router
