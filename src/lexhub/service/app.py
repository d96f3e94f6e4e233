"""The node's HTTP app: the JSON API at /api/v1, health, and the routers mounted beside it
(federation at /federation/v1).

Every API request names its user by a bearer token (`lexhub token create`) and states its
purpose and case; the request then runs the same audited flow as the CLI
(`lexhub.access`): nothing is returned before its audit entry is committed. Each request
opens its own Store (a Store serves one thread; FastAPI runs these handlers in a pool).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from time import perf_counter
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from lexhub import __version__
from lexhub.access import audit_sink, audited_record
from lexhub.access.search import audited_search
from lexhub.audit import record_event, verify_store
from lexhub.audit.chain import utc_now
from lexhub.errors import AccessDenied, LexhubError, NotFound, QueryError
from lexhub.federation import NodeIdentity
from lexhub.federation.broker import DEFAULT_DEADLINE, federated_search
from lexhub.federation.wire import hit_to_wire, query_from_wire
from lexhub.identity import IdentitySettings, Principal, TokenRejected, authenticate
from lexhub.model import RecordType, RequestContext, UserRole
from lexhub.model.audit import AuditEvent, AuditKind
from lexhub.policy import Requester, decision_to_dict, explain
from lexhub.search import MAX_PAGE_SIZE
from lexhub.search import Query as SearchQuery
from lexhub.service.limits import TokenBuckets
from lexhub.service.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from lexhub.service.metrics import NodeMetrics
from lexhub.service.problems import problem, problem_for
from lexhub.store import Store, open_store

__all__ = ["MAX_BODY_BYTES", "SearchRequest", "create_app"]

MAX_BODY_BYTES = 1 << 20  # a search or a page of records; batches go elsewhere
SECURE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # answers hold personal data: never kept by a cache
}


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
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class FederatedSearchRequest(SearchRequest):
    """A search of this node and every peer at once; each node's owners decide."""

    deadline: float = Field(DEFAULT_DEADLINE, gt=0, le=30,
                            description="Seconds to wait for the peers.")  # fmt: skip


def parse_query(data: dict[str, Any]) -> SearchQuery:
    """The query of a request body, or QueryError naming the field."""
    try:
        return query_from_wire(data)
    except (ValueError, TypeError) as e:
        name, _, reason = str(e).partition(": ")
        raise QueryError(name if reason else "query", reason or str(e)) from None


def create_app(
    db: str | Callable[[], Store],
    *,
    routers: Sequence[APIRouter] = (),
    now: Callable[[], datetime] = utc_now,
    limits: TokenBuckets | None = None,
    node: NodeIdentity | None = None,
) -> FastAPI:
    """The app over the database `db` (a URL, or a function opening a Store). `limits`:
    per-token rate limits (default 20 requests/s, bursts of 40). `node`: this node's
    federation identity, which federated search signs with (without it, 404)."""
    buckets = limits or TokenBuckets(rate=20.0, burst=40)
    metrics = NodeMetrics()
    opener: Callable[[], Store] = (lambda: open_store(db)) if isinstance(db, str) else db
    app = FastAPI(
        title="lexhub",
        version=__version__,
        description="Regional law-enforcement information sharing: search and retrieval "
        "under the owners' agreements, every disclosure audited.",
    )

    @contextmanager
    def as_user(authorization: str | None) -> Iterator[tuple[Store, Principal]]:
        token = (authorization or "").removeprefix("Bearer ").strip()
        if not authorization or not authorization.startswith("Bearer ") or not token:
            raise TokenRejected("a bearer token is required (Authorization: Bearer ...)")
        with opener() as store:
            settings = IdentitySettings(on_event=audit_sink(store))
            principal = authenticate(store, settings, token, now())
            buckets.take(principal.token_id or principal.username)
            yield store, principal

    def context(
        principal: Principal, purpose: str, role: UserRole | None, case: str | None,
        justification: str | None,
    ) -> RequestContext:  # fmt: skip
        try:
            code = RequestContext.parse_purpose(purpose)
            return principal.context(code, role=role, case_number=case,
                                     justification=justification)  # fmt: skip
        except ValueError as e:  # the field comes first: "case_number: required ..."
            name, _, reason = str(e).partition(": ")
            raise QueryError(name if reason else "purpose", reason or str(e)) from None

    @app.exception_handler(LexhubError)
    async def lexhub_error(request: Request, e: LexhubError) -> JSONResponse:
        return problem_for(e)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        errors = [{"field": ".".join(str(p) for p in err["loc"]), "reason": err["msg"]}
                  for err in e.errors()]  # fmt: skip
        first = errors[0] if errors else {"field": None, "reason": "invalid request"}
        return problem(422, f"{first['field']}: {first['reason']}", field=first["field"],
                       errors=errors)  # fmt: skip

    @app.middleware("http")
    async def limits_and_headers(request: Request, call_next: Any) -> Response:
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > MAX_BODY_BYTES):
            response: Response = problem(413, f"the body is over {MAX_BODY_BYTES} bytes")
        else:
            started = perf_counter()
            response = await call_next(request)
            found = request.scope.get("route")
            route = getattr(found, "path", "(unmatched)")
            metrics.latency.labels(route).observe(perf_counter() - started)
            metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        response.headers.update(SECURE_HEADERS)
        return response

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics of this node",
             response_class=PlainTextResponse)  # fmt: skip
    def metrics_text() -> Response:
        try:
            with opener() as store:
                metrics.audit_entries.set(store.audit_head()[0])
        except Exception:  # /readyz reports the database; metrics still answer
            pass
        return Response(metrics.render(), media_type=METRICS_CONTENT_TYPE)

    @app.get("/healthz", tags=["operations"], summary="The process answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="The database and the audit head read")
    def readyz() -> JSONResponse:
        try:
            with opener() as store:
                size, head = store.audit_head()
        except Exception:  # not ready, whatever the cause; the cause stays in the logs
            return problem(503, "the database or the audit log cannot be read")
        return JSONResponse({"status": "ready", "audit_entries": size, "audit_head": head})

    @app.post("/api/v1/search", tags=["search"], summary="Search inside the caller's scope")
    def search(
        body: SearchRequest, authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        query = parse_query(body.query)
        with as_user(authorization) as (store, principal):
            ctx = context(principal, body.purpose, body.role, body.case_number,
                          body.justification)  # fmt: skip
            result = audited_search(store, ctx, query, page=body.page,
                                    page_size=body.page_size)  # fmt: skip
        metrics.searches.labels(ctx.purpose.value).inc()
        return {
            "owners_searched": list(result.owners_searched),
            "page": result.page, "page_size": result.page_size, "pages": result.pages,
            "total": result.total,
            "hits": [hit_to_wire(h) for h in result.hits],
        }  # fmt: skip

    @app.post("/api/v1/federated-search", tags=["search"],
              summary="Search this node and every peer at once, with a deadline")  # fmt: skip
    async def federated(
        body: FederatedSearchRequest, authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        if node is None:
            raise NotFound("this node has no federation identity (lexhub serve makes one)")
        query = parse_query(body.query)
        with as_user(authorization) as (store, principal):
            ctx = context(principal, body.purpose, body.role, body.case_number,
                          body.justification)  # fmt: skip
            result = await federated_search(store, node, ctx, query, deadline=body.deadline,
                                            page_size=body.page_size)  # fmt: skip
        metrics.searches.labels(ctx.purpose.value).inc()
        return {
            "nodes": [s.to_dict() for s in result.nodes],
            "hits": [{"node": h.node, **hit_to_wire(h.hit)} for h in result.hits],
        }

    @app.get("/api/v1/records/{owner}/{source_id:path}", tags=["records"],
             summary="Retrieve one record as the caller may see it (audited)")  # fmt: skip
    def record(
        owner: str, source_id: str, purpose: Annotated[str, Query()],
        case_number: str | None = None, justification: str | None = None,
        role: UserRole | None = None, authorization: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:  # fmt: skip
        with as_user(authorization) as (store, principal):
            ctx = context(principal, purpose, role, case_number, justification)
            return audited_record(store, ctx, owner, source_id).to_dict()

    def require(principal: Principal, *roles: UserRole) -> None:
        if not principal.roles & set(roles):
            wanted = " or ".join(r.value for r in roles)
            raise AccessDenied(f"{principal.username} needs the role {wanted}")

    @app.get("/api/v1/agreements/explain", tags=["agreements"],
             summary="Per owner and record type: allowed, pointer or denied, and why")  # fmt: skip
    def explain_access(
        requester: str, purpose: str, role: UserRole = UserRole.INVESTIGATOR,
        owner: str | None = None, record_type: RecordType | None = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """A records administrator explains how its own agency's records are shared (any
        requester); auditors and node administrators explain any owner's."""
        with as_user(authorization) as (store, principal):
            require(principal, UserRole.RECORDS_ADMIN, UserRole.AUDITOR, UserRole.NODE_ADMIN)
            if not principal.roles & {UserRole.AUDITOR, UserRole.NODE_ADMIN}:
                if owner not in (None, principal.agency):
                    raise AccessDenied("a records administrator explains its own agency's data")
                owner = principal.agency
            try:
                code = RequestContext.parse_purpose(purpose)
            except ValueError as e:
                raise QueryError("purpose", str(e).removeprefix("purpose: ")) from None
            snapshot = store.policy_snapshot()
            if requester not in snapshot.agencies:
                raise QueryError("requester", f"no agency {requester}")
            decisions = explain(Requester(requester, role, code), snapshot,
                                now().date(), owner, record_type)  # fmt: skip
        return [decision_to_dict(d) for d in decisions]

    @app.get("/api/v1/audit/verify", tags=["audit"],
             summary="Recompute the audit chain and check every checkpoint (auditors)")  # fmt: skip
    def audit_verify(authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        with as_user(authorization) as (store, principal):
            require(principal, UserRole.AUDITOR, UserRole.NODE_ADMIN)
            record_event(store, AuditEvent(AuditKind.AUDIT_READ, actor=principal.username,
                                           details={"action": "verify", "via": "api"}))  # fmt: skip
            report = verify_store(store, None, [], [])
        return {
            "ok": report.ok, "entries": report.entries, "head": report.head,
            "checkpoints": report.checkpoints, "latest_checkpoint": report.latest_checkpoint,
            "problems": report.problems, "problem_count": report.problem_count,
            "warnings": report.warnings,
        }  # fmt: skip

    for router in routers:
        app.include_router(router)
    return app
