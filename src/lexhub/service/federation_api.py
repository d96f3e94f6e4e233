"""The node-to-node endpoints at /federation/v1, as a router the app mounts.

Thin on purpose: each route hands the request AS RECEIVED (method, the raw path and query,
header lines, body bytes) to `lexhub.federation.answer`, which checks the signature, audits
any refusal and answers. The raw path matters: the signature covers `@path` exactly as
sent, percent-encoding included, so the decoded path must not be used to rebuild it.

Errors are rendered here as RFC 9457 problem details with the protocol's status codes
(401 unauthorized, 403 refused, 404, 422, 503), whatever handlers the hosting app has, so
a peer's broker reads the same answer from every node.

    GET  /federation/v1/node                  unsigned: name and federation public keys
    GET  /federation/v1/ping                  signed no-op (`lexhub peer check`)
    POST /federation/v1/search                signed search for a remote requester
    GET  /federation/v1/records/{owner}/{id}  signed retrieval, requester in Lexhub-Context
    GET  /federation/v1/checkpoints           this node's latest signed audit checkpoint
    POST /federation/v1/checkpoints           keep the caller's checkpoint (witnessing)
    GET  /federation/v1/checkpoints/held      the caller's checkpoints this node keeps
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from lexhub.errors import LexhubError
from lexhub.federation.answer import (
    AnsweringNode,
    answer_checkpoint,
    answer_held_checkpoints,
    answer_keep_checkpoint,
    answer_ping,
    answer_record,
    answer_search,
)
from lexhub.federation.identity import NodeIdentity
from lexhub.federation.signing import DEFAULT_WINDOW, HeaderLines, RequestRefused, SignedMessage
from lexhub.service.limits import RefusalLimit
from lexhub.service.pool import StorePool
from lexhub.store import Store, open_store

__all__ = ["federation_router"]

Answer = Callable[..., dict[str, Any]]


_AUTHORITY = "federation.invalid"


async def _message(request: Request) -> SignedMessage:
    scope = request.scope
    raw_path = scope.get("raw_path") or quote(scope["path"]).encode("ascii")
    query = scope.get("query_string") or b""
    # A fixed authority, never the Host header: the signature covers @path and @query, and a
    # Host such as "node/federation/v1/records/A/2#" would otherwise make the verifier read
    # a path other than the one the router serves.
    url = f"http://{_AUTHORITY}{raw_path.decode('latin-1')}" + (
        f"?{query.decode('latin-1')}" if query else ""
    )
    lines = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
    return SignedMessage(request.method, url, HeaderLines(lines), await request.body())


def _problem(e: LexhubError) -> JSONResponse:
    status = e.http_status
    body: dict[str, Any] = {"type": "about:blank", "status": status, "detail": str(e)}
    if status >= 500:  # a store or audit failure may quote the database's message: say nothing
        body |= {
            "title": "Service Unavailable" if status == 503 else "Server Error",
            "detail": "the request could not be completed; nothing was disclosed",
        }
    elif isinstance(e, RequestRefused):
        body |= {"title": e.status, "code": e.code, "detail": e.reason}
    else:
        body["title"] = type(e).__name__
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def federation_router(
    db: str | Callable[[], Store],
    identity: NodeIdentity,
    *,
    window: timedelta = DEFAULT_WINDOW,
    node: AnsweringNode | None = None,
    refusals: RefusalLimit | None = None,
) -> APIRouter:
    """The /federation/v1 routes of the node `identity` over the database `db` (a URL, or
    a function opening a Store: each request gets its own from a StorePool, a Store serves
    one thread).
    `node` overrides identity and window together (tests inject a clock through it).
    `refusals`: how many unverified requests per client address are audited when refused
    (give the app's, so /metrics counts the rest)."""
    answering = node or AnsweringNode(identity, window)
    limit = refusals or RefusalLimit()
    opener: Callable[[], Store] = (lambda: open_store(db)) if isinstance(db, str) else db
    pool = StorePool(opener)  # a peer's request does not pay for a connection
    router = APIRouter(prefix="/federation/v1", tags=["federation"])

    def run(
        this: AnsweringNode, answer: Answer, message: SignedMessage, *args: str
    ) -> dict[str, Any]:
        with pool.lease() as store:
            return answer(store, this, message, *args)

    async def respond(request: Request, answer: Answer, *args: str) -> JSONResponse:
        message = await _message(request)
        address = request.client.host if request.client else "unknown"
        this = replace(answering, admit_refusal=partial(limit.admit, "federation", address))
        try:
            data = await run_in_threadpool(run, this, answer, message, *args)
        except LexhubError as e:
            return _problem(e)
        return JSONResponse(data)

    @router.get("/node", summary="This node's name and federation public keys (unsigned)")
    async def node_info() -> dict[str, Any]:
        return {**answering.identity.public_info(), "protocol": "lexhub-federation/1"}

    @router.get("/ping", summary="Signed no-op: does this node accept our signature?")
    async def ping(request: Request) -> JSONResponse:
        return await respond(request, answer_ping)

    @router.post("/search", summary="A remote requester's search, under this node's agreements")
    async def search(request: Request) -> JSONResponse:
        return await respond(request, answer_search)

    @router.get("/records/{owner}/{source_id:path}", summary="Retrieve one record (audited)")
    async def record(request: Request, owner: str, source_id: str) -> JSONResponse:
        return await respond(request, answer_record, owner, source_id)

    @router.get("/checkpoints", summary="This node's latest signed audit checkpoint")
    async def checkpoint(request: Request) -> JSONResponse:
        return await respond(request, answer_checkpoint)

    @router.post("/checkpoints", summary="Keep the calling peer's audit checkpoint")
    async def keep_checkpoint(request: Request) -> JSONResponse:
        return await respond(request, answer_keep_checkpoint)

    @router.get("/checkpoints/held", summary="The caller's checkpoints this node keeps")
    async def held(request: Request) -> JSONResponse:
        return await respond(request, answer_held_checkpoints)

    return router
