"""The calling side: a federated search fanned out to every peer at once, and the retrieval
of a remote hit from the node that holds it.

The search goes to all active peers together, each with the same deadline (default 2 s,
settable per request); whatever has not answered by then is `timeout`, and a dead or slow
node costs only its share of the answer. The local node answers through the ordinary
audited search (its own entry, its own agreements) and is listed as a node like the others.
Hits are merged by score, each labelled with the node that returned it.

The calling node audits the whole fan-out in ONE `federation` entry (which peers, their
statuses and counts, the remote records shown), committed before the merged answer is
returned, in the same commit as its own search's entry: if they cannot be written the
caller gets AuditWriteFailed and nothing. Each
answering node audits its own disclosure with the remote user, agency and node.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from time import perf_counter
from typing import Any
from urllib.parse import quote

import httpx

from lexhub.access import audited_record, query_terms
from lexhub.access.search import search_entry
from lexhub.audit import record_event, record_events
from lexhub.audit.chain import utc_now
from lexhub.errors import NotFound, PeerError
from lexhub.federation.identity import NodeIdentity
from lexhub.federation.peers import find_peer
from lexhub.federation.transport import PREFIX, Reply, peer_client, send_signed
from lexhub.federation.wire import context_header, context_to_wire, hit_from_wire, query_to_wire
from lexhub.model import Disclosure, RequestContext
from lexhub.model.audit import AuditEvent, AuditKind, RecordRef
from lexhub.model.federation import Peer
from lexhub.search import Hit, Query
from lexhub.store import Store

__all__ = [
    "DEFAULT_DEADLINE",
    "FederatedResult",
    "NodeHit",
    "NodeStatus",
    "federated_search",
    "remote_record",
]

DEFAULT_DEADLINE = 2.0
Json = dict[str, Any]


@dataclass(frozen=True)
class NodeStatus:
    node: str
    status: str  # ok, timeout, error, refused, unauthorized
    hits: int = 0
    total: int | None = None
    detail: str | None = None
    local: bool = False
    seconds: float | None = None  # a peer's round trip; what operators watch in /metrics

    def to_dict(self) -> Json:
        out: Json = {"node": self.node, "status": self.status, "hits": self.hits,
                     "total": self.total, "detail": self.detail, "local": self.local}  # fmt: skip
        return out


@dataclass(frozen=True)
class NodeHit:
    node: str
    hit: Hit


@dataclass(frozen=True)
class FederatedResult:
    hits: tuple[NodeHit, ...]  # best score first
    nodes: tuple[NodeStatus, ...]  # the local node first, then peers by name


def _from_reply(reply: Reply, seconds: float) -> tuple[NodeStatus, list[NodeHit]]:
    if reply.status != "ok":
        return NodeStatus(reply.node, reply.status, detail=reply.detail, seconds=seconds), []
    try:
        data = reply.data
        hits = [NodeHit(reply.node, hit_from_wire(h)) for h in data["hits"]]
        total = int(data["total"])
    except (KeyError, TypeError, ValueError) as e:
        detail = f"unreadable answer: {e}"
        return NodeStatus(reply.node, "error", detail=detail, seconds=seconds), []
    return NodeStatus(reply.node, "ok", len(hits), total, seconds=seconds), hits


async def _timed(reply: Awaitable[Reply]) -> tuple[Reply, float]:
    started = perf_counter()
    answer = await reply
    return answer, perf_counter() - started


def _ref(h: NodeHit) -> RecordRef:
    return RecordRef(h.hit.owner, h.hit.source_id or "", h.hit.record_type)


async def federated_search(
    store: Store,
    identity: NodeIdentity,
    context: RequestContext,
    query: Query,
    *,
    deadline: float = DEFAULT_DEADLINE,
    page_size: int = 20,
    peers: Sequence[Peer] | None = None,
    client: httpx.AsyncClient | None = None,
    now: Callable[[], datetime] = utc_now,
) -> FederatedResult:
    """Search here and at every peer (`peers`: default all active ones) at once.

    Raises what the local audited search raises (QueryError, AuditWriteFailed) and
    AuditWriteFailed if the fan-out entry cannot be committed; a peer's failure is a
    status, never an exception. `client`: tests mount in-process apps on it."""
    targets = list(store.peers() if peers is None else peers)
    body = json.dumps(
        {"context": context_to_wire(context), "query": query_to_wire(query),
         "page_size": page_size}
    ).encode("utf-8")  # fmt: skip
    own = client is None
    http = client or peer_client(deadline)
    try:
        local = asyncio.to_thread(search_entry, store, context, query, page_size=page_size)
        remote = [
            _timed(send_signed(http, identity, p, "POST", f"{PREFIX}/search", body=body,
                               deadline=deadline, now=now))
            for p in targets
        ]  # fmt: skip
        (result, local_entry), replies = await asyncio.gather(local, asyncio.gather(*remote))
    finally:
        if own:
            await http.aclose()
    statuses = [NodeStatus(identity.name, "ok", len(result.hits), result.total, local=True)]
    merged = [NodeHit(identity.name, h) for h in result.hits]
    for reply, seconds in sorted(replies, key=lambda r: r[0].node):
        status, hits = _from_reply(reply, seconds)
        statuses.append(status)
        merged += hits
    merged.sort(key=lambda h: (-h.hit.score, h.node, h.hit.owner, h.hit.source_id or ""))
    remote_hits = [h for h in merged if h.node != identity.name]
    # This node's search entry and the fan-out's, chained in one commit: each durable
    # commit waits for the disk, and nothing of either is disclosed before both are in.
    # In a thread: the wait for the commit must not hold up the loop's other fan-outs.
    await asyncio.to_thread(
        record_events,
        store,
        [local_entry, AuditEvent(
            AuditKind.FEDERATION,
            context=context,
            query=query_terms(query),
            disclosed=tuple(_ref(h) for h in remote_hits
                            if h.hit.disclosure is Disclosure.FULL),
            pointers=tuple(RecordRef(h.hit.owner, "", h.hit.record_type) for h in remote_hits
                           if h.hit.disclosure is Disclosure.POINTER),
            counts={"hits": len(merged), "nodes": len(statuses),
                    "ok": sum(s.status == "ok" for s in statuses)},
            details={
                "request": "search",
                "deadline_ms": round(deadline * 1000),
                "nodes": {s.node: {"status": s.status, "hits": s.hits} for s in statuses},
            },
        )],
        now=now,
    )  # fmt: skip
    return FederatedResult(tuple(merged), tuple(statuses))


async def remote_record(
    store: Store,
    identity: NodeIdentity,
    node: str,
    context: RequestContext,
    owner: str,
    source_id: str,
    *,
    deadline: float = DEFAULT_DEADLINE,
    client: httpx.AsyncClient | None = None,
    now: Callable[[], datetime] = utc_now,
) -> Json:
    """The record `owner`/`source_id` from `node`, the node whose hit named it (this node's
    own name retrieves locally). Audited here as a `federation` retrieval entry whatever
    the outcome; the answering node audits its disclosure. Raises NotFound (unknown, out
    of scope, or no such peer), PeerError for any other status, AuditWriteFailed."""
    if node == identity.name:
        view = audited_record(store, context, owner, source_id)
        return {"node": node, "owner": view.owner, "source_id": view.source_id,
                "record_type": view.record_type, **view.to_dict()}  # fmt: skip
    peer = find_peer(store, node)
    own = client is None
    http = client or peer_client(deadline)
    try:
        reply = await send_signed(
            http, identity, peer, "GET",
            f"{PREFIX}/records/{quote(owner, safe='')}/{quote(source_id, safe='')}",
            context=context_header(context), deadline=deadline, now=now,
        )  # fmt: skip
    finally:
        if own:
            await http.aclose()
    ok = reply.status == "ok" and isinstance(reply.data, dict)
    record_event(
        store,
        AuditEvent(
            AuditKind.FEDERATION,
            context=context,
            query={"owner": owner, "id": source_id},
            disclosed=(RecordRef(owner, source_id, str(reply.data.get("record_type"))),)
            if ok else (),
            details={"request": "retrieval", "nodes": {node: {"status": reply.status}}},
        ),
        now=now,
    )  # fmt: skip
    if ok:
        data: Json = reply.data
        return data
    if reply.status == "not-found":
        raise NotFound(f"no record {owner}/{source_id}")
    raise PeerError(f"node {node}: {reply.status}: {reply.detail or '-'}")
