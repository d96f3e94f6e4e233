"""/api/v1 search, federated search and record retrieval: a user's audited requests.

Each runs the same audited flow as the CLI (`lexhub.access`): the owners' agreements make
the scope, the search or retrieval runs inside it, and its audit entry is committed before
anything is returned. The user and agency come from the token; the request states its
purpose and case. A record the caller may not see answers exactly like an unknown one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from lexhub.access import audited_record
from lexhub.access.grouping import grouped_for
from lexhub.access.search import audited_search
from lexhub.errors import NotFound, QueryError
from lexhub.federation import NodeIdentity
from lexhub.federation.broker import DEFAULT_DEADLINE, federated_search
from lexhub.federation.transport import FanOut
from lexhub.federation.wire import hit_to_wire, query_from_wire
from lexhub.model import UserRole
from lexhub.search import MAX_PAGE_SIZE, Hit
from lexhub.search import Query as SearchQuery
from lexhub.service.auth import Authorization, Gate
from lexhub.service.metrics import NodeMetrics
from lexhub.service.problems import problem_responses

__all__ = ["FederatedSearchRequest", "SearchRequest", "search_router"]


class SearchRequest(BaseModel):
    """A search and the request context it runs under (the user and agency come from the
    token)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "purpose": "criminal-investigation",
                    "case_number": "26-0001",
                    "query": {
                        "kind": "person",
                        "last": "smyth",
                        "first": "bill",
                        "dob": "1987-02-13",
                    },
                }  # fmt: skip
            ]
        },
    )

    purpose: str = Field(description="A purpose code (docs/policy.md).")
    case_number: str | None = Field(None, description="Required but for training and "
                                    "administrative purposes.")  # fmt: skip
    justification: str | None = Field(None, description="Required for training and "
                                      "administrative purposes.")  # fmt: skip
    role: UserRole | None = Field(None, description="The role acted in, if the user holds "
                                  "several.")  # fmt: skip
    query: dict[str, Any] = Field(description='{"kind": "person" | "record", field: value, '
                                  "...} with the fields of lexhub's person and record "
                                  "queries (docs/search.md).")  # fmt: skip
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)
    group_by: Literal["entity"] | None = Field(None, description='"entity": also answer '
                                               "the page's hits grouped by person, as the "
                                               "caller may see persons (docs/linkage.md); "
                                               "this node's search only.")  # fmt: skip


class FederatedSearchRequest(SearchRequest):
    """A search of this node and every peer at once; each node's owners decide."""

    deadline: float = Field(DEFAULT_DEADLINE, gt=0, le=30,
                            description="Seconds to wait for the peers.")  # fmt: skip


class SearchAnswer(BaseModel):
    owners_searched: list[str] = Field(description="The owners whose agreements let the "
                                       "caller search them for this purpose.")  # fmt: skip
    page: int
    page_size: int
    pages: int
    total: int
    hits: list[dict[str, Any]] = Field(description="Best first: score, band, disclosure "
                                       "(full or pointer), owner, source_id, person, "
                                       "evidence, contact (pointers).")  # fmt: skip
    groups: list[dict[str, Any]] | None = Field(
        None,
        description='With group_by "entity": the same hits by person, best first: entity (a'
        " mention id naming the group, null for a hit without a person), best, hits.",
    )


class FederatedAnswer(BaseModel):
    nodes: list[dict[str, Any]] = Field(description="Each node's status: ok, timeout, "
                                        "error, refused, unauthorized.")  # fmt: skip
    hits: list[dict[str, Any]] = Field(description="Hits of every node, by score, each "
                                       "with its `node`.")  # fmt: skip


class RecordAnswer(BaseModel):
    record: dict[str, Any] = Field(description="The record without its withheld fields.")
    version: int
    withheld: list[dict[str, Any]] = Field(description="What was withheld, and by what.")


def parse_query(data: dict[str, Any]) -> SearchQuery:
    """The query of a request body, or QueryError naming the field."""
    try:
        return query_from_wire(data)
    except (ValueError, TypeError) as e:
        name, _, reason = str(e).partition(": ")
        raise QueryError(name if reason else "query", reason or str(e)) from None


def _local(hit: Hit) -> dict[str, Any]:
    """A hit of this node's search: the wire form plus its `mention_id` (a person hit in
    full), which /api/v1/entities/{mention_id} takes. Federated hits go without it."""
    wire = hit_to_wire(hit)
    return wire if hit.mention_id is None else {**wire, "mention_id": hit.mention_id}


def search_router(gate: Gate, metrics: NodeMetrics, node: NodeIdentity | None) -> APIRouter:
    """`node`: this node's federation identity, which federated search signs with (without
    it, federated search answers 404)."""
    router = APIRouter(prefix="/api/v1", responses=problem_responses(403))
    fan_out = FanOut()  # one kept peer client for this node's federated searches

    @router.post("/search", tags=["search"], summary="Search inside the caller's scope")
    def search(body: SearchRequest, authorization: Authorization = None) -> SearchAnswer:
        query = parse_query(body.query)
        with gate.user(authorization) as (store, principal):
            ctx = gate.context(principal, body.purpose, body.role, body.case_number,
                               body.justification)  # fmt: skip
            result = audited_search(store, ctx, query, page=body.page,
                                    page_size=body.page_size)  # fmt: skip
            groups = grouped_for(store, ctx, result.hits) if body.group_by == "entity" else None
        metrics.searches.labels(ctx.purpose.value).inc()
        return SearchAnswer(
            owners_searched=list(result.owners_searched), page=result.page,
            page_size=result.page_size, pages=result.pages, total=result.total,
            hits=[_local(h) for h in result.hits],
            groups=None if groups is None else [
                {"entity": g.entity, "best": g.best, "hits": [_local(h) for h in g.hits]}
                for g in groups
            ],
        )  # fmt: skip

    @router.post("/federated-search", tags=["search"], responses=problem_responses(404),
                 summary="Search this node and every peer at once, with a deadline")  # fmt: skip
    def federated(
        body: FederatedSearchRequest, authorization: Authorization = None
    ) -> FederatedAnswer:
        # A plain handler: it runs in the thread pool, so the token check, the policy read
        # and the audit write never block the event loop; the fan-out gets a loop of its own.
        query = parse_query(body.query)
        with gate.user(authorization) as (store, principal):
            if body.group_by is not None:  # after the token, as every 422
                raise QueryError("group_by", "not available for federated search")
            if node is None:  # after the token: only users learn how the node is set up
                raise NotFound("this node has no federation identity (lexhub serve makes one)")
            ctx = gate.context(principal, body.purpose, body.role, body.case_number,
                               body.justification)  # fmt: skip
            result = fan_out.run(lambda client: federated_search(
                store, node, ctx, query, deadline=body.deadline, page_size=body.page_size,
                client=client))  # fmt: skip
        metrics.searches.labels(ctx.purpose.value).inc()
        metrics.federated_round(result.nodes)
        return FederatedAnswer(
            nodes=[s.to_dict() for s in result.nodes],
            hits=[{"node": h.node, **hit_to_wire(h.hit)} for h in result.hits],
        )

    @router.get("/records/{owner}/{source_id:path}", tags=["records"],
                responses=problem_responses(404),
                summary="Retrieve one record as the caller may see it (audited)")  # fmt: skip
    def record(
        owner: str, source_id: str, purpose: Annotated[str, Query()],
        case_number: str | None = None, justification: str | None = None,
        role: UserRole | None = None, authorization: Authorization = None,
    ) -> RecordAnswer:  # fmt: skip
        with gate.user(authorization) as (store, principal):
            ctx = gate.context(principal, purpose, role, case_number, justification)
            view = audited_record(store, ctx, owner, source_id)
        return RecordAnswer(**view.to_dict())

    return router
