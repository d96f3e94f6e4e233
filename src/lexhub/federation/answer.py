"""The answering side of the protocol: what a node does with a signed request from a peer.

Each function takes the request as received (`SignedMessage`: method, URL, header lines,
body), checks its signature against the registry, and only then reads the body. Every
refusal is audited (`peer-refused`, actor `peer:NAME`) before the error leaves: a node
can show every attempt it turned away, signed or not.

A remote requester is treated as a user of its agency: the context it sends becomes this
node's RequestContext with `node` = the peer's name, and THIS node's agreements decide what
that agency may see for that purpose (`lexhub.access`, audited here with the remote user,
agency and node). A peer may only speak for the agencies it was registered with.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from lexhub.access import audited_record, audited_search
from lexhub.audit import record_event
from lexhub.audit.chain import utc_now
from lexhub.audit.checkpoint import checkpoint_from_dict, checkpoint_to_dict
from lexhub.errors import InputError, NotFound
from lexhub.federation.identity import NodeIdentity
from lexhub.federation.signing import (
    CONTEXT_HEADER,
    DEFAULT_WINDOW,
    RequestRefused,
    SignedMessage,
    Verified,
    verify_request,
)
from lexhub.federation.wire import (
    context_from_header,
    context_from_wire,
    hit_to_wire,
    query_from_wire,
)
from lexhub.model import RequestContext
from lexhub.model.audit import AuditEvent, AuditKind
from lexhub.model.federation import HeldCheckpoint
from lexhub.search import MAX_PAGE_SIZE
from lexhub.store import Store

__all__ = [
    "AnsweringNode",
    "answer_checkpoint",
    "answer_held_checkpoints",
    "answer_keep_checkpoint",
    "answer_ping",
    "answer_record",
    "answer_search",
]

Json = dict[str, Any]
CLAIM_CHARS = 200  # of a claimed (unverified) value in a refusal's audit entry


@dataclass(frozen=True)
class AnsweringNode:
    """This node as its peers see it: identity, freshness window, clock (tests inject).
    `admit_refusal`: whether a request refused before its signature was verified may be
    audited; the service limits these per client address, since anyone can send them and
    each would be a chained entry (the rest are counted there, refused all the same)."""

    identity: NodeIdentity
    window: timedelta = DEFAULT_WINDOW
    now: Callable[[], datetime] = utc_now
    admit_refusal: Callable[[], bool] = lambda: True


def _bounded(text: str) -> str:
    """A claimed value as the audit keeps it: at most CLAIM_CHARS characters, so a caller
    cannot grow the chain by sending long headers or paths."""
    return text if len(text) <= CLAIM_CHARS else text[:CLAIM_CHARS] + "..."


def _refused(store: Store, message: SignedMessage, e: RequestRefused, **extra: Any) -> None:
    """Audit a refusal. The keyid is as claimed (unverified unless the code says otherwise),
    so it, the reason quoting it and the path are bounded (`_bounded`)."""
    name = _bounded((e.keyid or "").partition(":")[0] or "unknown")
    details = {
        "code": e.code,
        "reason": _bounded(e.reason),
        "method": _bounded(message.method),
        "path": _bounded(urlsplit(message.url).path),
        **({"keyid": _bounded(e.keyid)} if e.keyid else {}),
        **extra,
    }
    record_event(store, AuditEvent(AuditKind.PEER_REFUSED, actor=f"peer:{name}", details=details))


def _accept(
    store: Store, node: AnsweringNode, message: SignedMessage, *, with_context: bool = False
) -> Verified:
    now = node.now().astimezone(UTC)
    try:
        return verify_request(
            message,
            node=node.identity.name,
            lookup=store.peer,
            use_nonce=lambda peer, nonce, expires: store.peer_use_nonce(peer, nonce, expires, now),
            now=now,
            window=node.window,
            with_context=with_context,
        )
    except RequestRefused as e:
        if node.admit_refusal():
            _refused(store, message, e)
        raise


def _invalid(store: Store, message: SignedMessage, v: Verified, problem: str) -> InputError:
    """A signed request this node cannot read: audited, then 422."""
    e = RequestRefused("invalid", problem, keyid=f"{v.peer.name}:{v.key_id}")
    _refused(store, message, e)
    return InputError("request", None, None, problem)


def _speaks_for(store: Store, message: SignedMessage, v: Verified, context: RequestContext) -> None:
    if context.agency not in v.peer.agencies:
        e = RequestRefused(
            "agency",
            f"peer {v.peer.name} does not speak for agency {context.agency}",
            keyid=f"{v.peer.name}:{v.key_id}",
        )
        _refused(
            store, message, e,
            claimed={"agency": context.agency, "user": context.user,
                     "purpose": context.purpose.value},
        )  # fmt: skip
        raise e


def answer_search(store: Store, node: AnsweringNode, message: SignedMessage) -> Json:
    """POST /federation/v1/search: body {"context": {...}, "query": {...}, "page_size": n}.
    Raises RequestRefused, InputError, QueryError, AuditWriteFailed."""
    v = _accept(store, node, message)
    try:
        body = json.loads(message.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError("body: expected an object")
        context = context_from_wire(body.get("context"), v.peer.name)
        query = query_from_wire(body.get("query"))
        page_size = body.get("page_size", 20)
        if type(page_size) is not int or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size: 1..{MAX_PAGE_SIZE}")
    except ValueError as e:
        raise _invalid(store, message, v, str(e)) from None
    _speaks_for(store, message, v, context)
    result = audited_search(store, context, query, page_size=page_size)
    return {
        "node": node.identity.name,
        "hits": [hit_to_wire(h) for h in result.hits],
        "total": result.total,
        "candidates": result.candidates,
        "owners_searched": list(result.owners_searched),
    }


def answer_record(
    store: Store, node: AnsweringNode, message: SignedMessage, owner: str, source_id: str
) -> Json:
    """GET /federation/v1/records/{owner}/{source_id}, the requester in Lexhub-Context.
    Raises RequestRefused, InputError, NotFound (unknown and out of scope alike)."""
    v = _accept(store, node, message, with_context=True)
    headers = message.headers
    value = headers.get(CONTEXT_HEADER) if hasattr(headers, "get") else None
    try:
        context = context_from_header(value, v.peer.name)
    except ValueError as e:
        raise _invalid(store, message, v, str(e)) from None
    _speaks_for(store, message, v, context)
    view = audited_record(store, context, owner, source_id)
    return {
        "node": node.identity.name,
        "owner": view.owner,
        "source_id": view.source_id,
        "record_type": view.record_type,
        **view.to_dict(),
    }


def answer_ping(store: Store, node: AnsweringNode, message: SignedMessage) -> Json:
    """GET /federation/v1/ping: the signed no-op `peer check` uses."""
    v = _accept(store, node, message)
    return {"node": node.identity.name, "peer": v.peer.name, "agencies": list(v.peer.agencies)}


def answer_checkpoint(store: Store, node: AnsweringNode, message: SignedMessage) -> Json:
    """GET /federation/v1/checkpoints: this node's latest signed audit checkpoint."""
    _accept(store, node, message)
    checkpoints = store.audit_checkpoints()
    if not checkpoints:
        raise NotFound(f"node {node.identity.name} has signed no audit checkpoint yet")
    return {"node": node.identity.name, "checkpoint": checkpoint_to_dict(checkpoints[-1])}


def answer_keep_checkpoint(store: Store, node: AnsweringNode, message: SignedMessage) -> Json:
    """POST /federation/v1/checkpoints: keep the calling peer's checkpoint (witnessing).
    Kept as sent: the peer's audit key signed it, and only its own node can check that."""
    v = _accept(store, node, message)
    try:
        body = json.loads(message.body or b"{}")
        checkpoint = checkpoint_from_dict(body["checkpoint"])
    except (ValueError, KeyError, TypeError) as e:
        raise _invalid(store, message, v, f"checkpoint: {e}") from None
    store.peer_keep_checkpoint(HeldCheckpoint(v.peer.name, checkpoint, node.now()))
    return {"node": node.identity.name, "kept": checkpoint.size}


def answer_held_checkpoints(store: Store, node: AnsweringNode, message: SignedMessage) -> Json:
    """GET /federation/v1/checkpoints/held: the checkpoints this node keeps OF the caller,
    so the caller can check its history against them (`audit verify --against-peers`)."""
    v = _accept(store, node, message)
    held = store.peer_checkpoints(v.peer.name)
    return {
        "node": node.identity.name,
        "checkpoints": [checkpoint_to_dict(h.checkpoint) for h in held],
    }
