"""The node's HTTP app: the JSON API at /api/v1, health and metrics, and the routers
mounted beside it (federation at /federation/v1).

Every API request names its user by a bearer token (`lexhub token create`); the routes
(one module per area: search_api, ingest_api, agreements_api, identity_api, audit_api)
check its roles and agency and run the same audited calls as the CLI: nothing is returned
before its audit entry is committed. Each request has a Store of its own (a Store serves one
thread; FastAPI runs these handlers in a pool), lent by the gate's StorePool so a request
does not pay for a connection. Every error is a problem (problems.py).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from lexhub import __version__
from lexhub.audit.chain import utc_now
from lexhub.audit.group import install_group_commit
from lexhub.errors import LexhubError
from lexhub.federation import NodeIdentity
from lexhub.service.agreements_api import agreements_router
from lexhub.service.audit_api import audit_router
from lexhub.service.auth import ADMINS, Authorization, Gate
from lexhub.service.console import CONSOLE_CSP, install_console, is_console_path
from lexhub.service.edge import Edge
from lexhub.service.entity_api import entity_router
from lexhub.service.identity_api import identity_router
from lexhub.service.ingest_api import MAX_BATCH_BYTES, ingest_router
from lexhub.service.limits import (
    DEFAULT_BURST,
    DEFAULT_RATE,
    BodyLimit,
    RefusalLimit,
    TokenBuckets,
)
from lexhub.service.linkage_api import linkage_router
from lexhub.service.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from lexhub.service.metrics import NodeMetrics
from lexhub.service.problems import (
    install_problem_schema,
    problem,
    problem_for,
    problem_responses,
)
from lexhub.service.search_api import FederatedSearchRequest, SearchRequest, search_router
from lexhub.store import Store, open_store

log = logging.getLogger(__name__)

__all__ = ["MAX_BODY_BYTES", "FederatedSearchRequest", "SearchRequest", "create_app"]

MAX_BODY_BYTES = 1 << 20  # a search, a YAML file of agreements; batches have their own
BODY_LIMITS = {"/api/v1/batches": MAX_BATCH_BYTES}
SECURE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # answers hold personal data: never kept by a cache
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
DOCS_PAGES = ("/docs", "/redoc")  # they load their scripts from a CDN: no CSP for them


def csp_for(path: str) -> str | None:
    """The Content-Security-Policy of an answer, by its path."""
    if path in DOCS_PAGES:
        return None
    return CONSOLE_CSP if is_console_path(path) else SECURE_HEADERS["Content-Security-Policy"]


def create_app(
    db: str | Callable[[], Store],
    *,
    routers: Sequence[APIRouter] = (),
    now: Callable[[], datetime] = utc_now,
    limits: TokenBuckets | None = None,
    node: NodeIdentity | None = None,
    region: str = "US",
    refusals: RefusalLimit | None = None,
) -> FastAPI:
    """The app over the database `db` (a URL, or a function opening a Store).
    `routers`: mounted as they are (the federation router). `now`: the clock of token
    expiry and the audit. `limits`: per-token rate limits (default 20 requests/s, bursts of
    40). `node`: this node's federation identity, which federated search signs with
    (without it, 404). `region`: the phone region of batches. `refusals`: how many refused
    tokens per client address are audited (share it with the federation router, so
    /metrics counts both areas' unaudited refusals)."""
    buckets = limits or TokenBuckets(rate=DEFAULT_RATE, burst=DEFAULT_BURST)
    refusals = refusals or RefusalLimit()
    metrics = NodeMetrics(refusals)
    opener: Callable[[], Store] = (lambda: open_store(db)) if isinstance(db, str) else db
    gate = Gate(opener, buckets, now, refusals)
    app = FastAPI(
        title="lexhub",
        version=__version__,
        description="Regional law-enforcement information sharing: search and retrieval "
        "under the owners' agreements, every disclosure audited. Errors are RFC 9457 "
        "problems (docs/api.md).",
    )

    @app.exception_handler(LexhubError)
    async def lexhub_error(request: Request, e: LexhubError) -> JSONResponse:
        return problem_for(e, request.url.path)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, e: HTTPException) -> JSONResponse:
        return problem(e.status_code, str(e.detail), instance=request.url.path)

    @app.exception_handler(Exception)
    async def failed(request: Request, e: Exception) -> JSONResponse:
        log.exception("unexpected error answering %s", request.url.path)  # ids, not data
        return problem(500, "the request could not be completed", instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        if request.url.path.startswith("/api/"):  # who asks comes first: 401 before 422
            try:
                await run_in_threadpool(gate.check, request.headers.get("authorization"))
            except LexhubError as refused:
                return problem_for(refused, request.url.path)
        errors = [
            {"file": None, "line": None, "field": ".".join(str(p) for p in err["loc"]),
             "reason": err["msg"]}
            for err in e.errors()
        ]  # fmt: skip
        first = errors[0] if errors else {"field": None, "reason": "invalid request"}
        return problem(422, f"{first['field']}: {first['reason']}", field=first["field"],
                       errors=errors, instance=request.url.path)  # fmt: skip

    @app.get("/metrics", tags=["operations"], response_class=Response,
             responses={200: {"description": "Prometheus text format",
                              "content": {METRICS_CONTENT_TYPE: {}}},
                        **problem_responses(403)},
             summary="Prometheus metrics of this node (a node administrator's token)")  # fmt: skip
    def metrics_text(authorization: Authorization = None) -> Response:
        # Route names, purposes, peers' health and the audit size describe the node's use:
        # for its operators only (Prometheus sends the token: authorization.credentials).
        with gate.acting(authorization, *ADMINS):
            pass
        try:
            with gate.pool.lease() as store:
                metrics.audit_entries.set(store.audit_head()[0])
        except Exception:  # /readyz reports the database; metrics still answer
            pass
        return Response(metrics.render(), media_type=METRICS_CONTENT_TYPE)

    @app.get("/healthz", tags=["operations"], summary="The process answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="The database and the audit head read",
             responses={503: {"description": "Not ready"}})  # fmt: skip
    def readyz() -> JSONResponse:
        # Unauthenticated (load balancers ask), so it says ready or not and nothing more:
        # the audit head and size belong to auditors (/api/v1/audit, /metrics).
        try:
            with gate.pool.lease() as store:
                store.audit_head()
        except Exception:  # not ready, whatever the cause; the cause stays in the logs
            return problem(503, "the database or the audit log cannot be read",
                           instance="/readyz")  # fmt: skip
        return JSONResponse({"status": "ready"})

    app.include_router(search_router(gate, metrics, node))
    app.include_router(ingest_router(gate, region=region))
    app.include_router(agreements_router(gate))
    app.include_router(identity_router(gate))
    app.include_router(audit_router(gate))
    app.include_router(entity_router(gate))
    app.include_router(linkage_router(gate))
    for router in routers:
        app.include_router(router)
    install_console(app, opener, now, node)  # the web console at /
    install_problem_schema(app)
    _resolve_routes_now(app)
    if isinstance(db, str):  # concurrent requests' audit entries share durable commits
        weakref.finalize(app, install_group_commit(db, opener))
    app.add_middleware(Edge, metrics=metrics, default=MAX_BODY_BYTES, limits=BODY_LIMITS,
                       headers=SECURE_HEADERS, csp_for=csp_for)  # fmt: skip
    app.add_middleware(BodyLimit, default=MAX_BODY_BYTES, limits=BODY_LIMITS,
                       headers=SECURE_HEADERS)  # fmt: skip
    return app


def _resolve_routes_now(app: FastAPI) -> None:
    """Resolve included routers while only this thread sees the app.

    Newer FastAPI resolves an included router's routes on its first request, and resolving
    writes to the FieldInfo of shared annotations such as `Authorization`. Two apps in one
    process (a region's nodes in the tests, a node and its witness) answering their first
    requests at once then raced, and one answered 500. Resolved here, the first requests only
    read. On a FastAPI that resolves at include time the attributes are absent and this is a
    no-op.
    """
    for route in app.router.routes:
        for name in ("effective_candidates", "effective_low_priority_routes"):
            resolve = getattr(route, name, None)
            if callable(resolve):
                resolve()
